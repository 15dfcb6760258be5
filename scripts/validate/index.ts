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
import { checkSchema } from "./schema.js";

export { formatProblem, type Problem } from "./problem.js";
export { findRenderer, renderTargets } from "./render.js";

export interface SourceResult {
  source: string;
  manifests: Manifest[];
  problems: Problem[];
}

export const KUBERNETES_VERSION = "v1.34.0";

/** Renders repository paths once each, for Argo CD's checks of where an Application points. */
export function pathRenderer(repoRoot: string) {
  const cache = new Map<string, Promise<Manifest[] | null>>();
  return (path: string) => {
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

/** Every check on one multi-document YAML stream, treated as one deployable set. */
export async function validateStream(
  text: string,
  source: string,
  options: { repoRoot?: string; renderPath?: (path: string) => Promise<readonly Manifest[] | null> } = {},
): Promise<SourceResult> {
  const repoRoot = options.repoRoot ?? ".";
  const { manifests, problems } = parseManifests(text, source);
  problems.push(
    ...manifests.flatMap(checkSchema),
    ...checkPolicy(manifests),
    ...checkReferences(manifests),
    ...checkGatewayApi(manifests),
    ...checkNetworkPolicies(manifests),
    ...checkCertManager(manifests),
    ...checkGeneratedSecrets(manifests, repoRoot),
    ...(await checkArgoCd(manifests, repoRoot, options.renderPath ?? pathRenderer(repoRoot))),
  );
  problems.sort((a, b) => (a.line ?? 0) - (b.line ?? 0));
  return { source, manifests, problems };
}
