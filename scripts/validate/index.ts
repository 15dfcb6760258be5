import { checkArgoCd } from "./argocd.js";
import { checkCertManager } from "./cert-manager.js";
import { type Manifest, parseManifests } from "./documents.js";
import { checkGatewayApi } from "./gateway.js";
import { checkGeneratedSecrets } from "./generated-secrets.js";
import { checkNetworkPolicies } from "./networkpolicy.js";
import { checkPolicy } from "./policy.js";
import type { Problem } from "./problem.js";
import { checkReferences } from "./references.js";
import { findRenderer } from "./render.js";
import { checkSchema, loadSchemas } from "./schema.js";

export { formatProblem, type Problem } from "./problem.js";
export { findRenderer, renderTargets } from "./render.js";
export { kubernetesVersions } from "../schemas/kubernetes-bundle.js";

export interface SourceResult {
  source: string;
  manifests: Manifest[];
  problems: Problem[];
}

export interface ValidateOptions {
  repoRoot?: string;
  /** Renders a path of the repository, for Argo CD's checks of where an Application points. */
  renderPath?: (path: string) => Promise<readonly Manifest[] | null>;
  /** Only YAML and schemas: for files from elsewhere, which this repository's rules do not govern. */
  schemaOnly?: boolean;
}

/** Renders repository paths once each; `known` are sources already parsed, keyed by their path. */
export function pathRenderer(repoRoot: string, known: ReadonlyMap<string, readonly Manifest[]> = new Map()) {
  const cache = new Map<string, Promise<readonly Manifest[] | null>>();
  return (path: string) => {
    if (known.has(path)) return Promise.resolve(known.get(path)!);
    if (!cache.has(path)) {
      cache.set(
        path,
        findRenderer()
          .render(`${repoRoot}/${path}`)
          .then((text) => parseManifests(text, path).manifests)
          .catch(() => null),
      );
    }
    return cache.get(path)!;
  };
}

/** A rule family that meets input its typed views do not expect leaves one line, not a crash. */
async function guarded(family: string, source: string, run: () => Problem[] | Promise<Problem[]>): Promise<Problem[]> {
  try {
    return await run();
  } catch (error) {
    const message = `${family} checks stopped on malformed input (${(error as Error).message}): fix the schema problems first`;
    return [{ source, resource: "", path: "", message, rule: family }];
  }
}

/**
 * Every check on each multi-document YAML stream, each treated as one deployable set. Sources
 * named after repository paths (overlays/dev) also answer Argo CD's questions about those paths.
 */
export async function validateSources(inputs: readonly { source: string; text: string }[], options: ValidateOptions = {}): Promise<SourceResult[]> {
  const repoRoot = options.repoRoot ?? ".";
  const schemas = await loadSchemas();
  const parsed = inputs.map(({ source, text }) => ({ source, ...parseManifests(text, source) }));
  const renderPath = options.renderPath ?? pathRenderer(repoRoot, new Map(parsed.map((p) => [p.source, p.manifests])));
  return Promise.all(
    parsed.map(async ({ source, manifests, problems }) => {
      problems.push(...manifests.flatMap((m) => checkSchema(m, schemas)));
      if (!options.schemaOnly) {
        problems.push(
          ...(await guarded("policy", source, () => checkPolicy(manifests))),
          ...(await guarded("reference", source, () => checkReferences(manifests))),
          ...(await guarded("gateway", source, () => checkGatewayApi(manifests))),
          ...(await guarded("networkpolicy", source, () => checkNetworkPolicies(manifests))),
          ...(await guarded("cert-manager", source, () => checkCertManager(manifests))),
          ...(await guarded("generated-secret", source, () => checkGeneratedSecrets(manifests, repoRoot))),
          ...(await guarded("argocd", source, () => checkArgoCd(manifests, repoRoot, renderPath))),
        );
      }
      problems.sort((a, b) => (a.line ?? 0) - (b.line ?? 0));
      return { source, manifests, problems };
    }),
  );
}

/** Every check on one multi-document YAML stream. */
export async function validateStream(text: string, source: string, options: ValidateOptions = {}): Promise<SourceResult> {
  return (await validateSources([{ source, text }], options))[0]!;
}
