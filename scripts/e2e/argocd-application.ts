/**
 * The Argo CD objects of the kind end-to-end run: an AppProject fenced to one repository, the
 * overlay's one namespace and exactly the kinds the overlay renders to, and an Application that
 * syncs that overlay from the commit (or branch) under test with automated prune and self-heal.
 * Generated, never committed: the repository URL and revision are the run's own.
 */
import { stringify } from "yaml";
import type { Manifest } from "../validate/documents.js";

export const OVERLAY = "overlays/local";
export const APPLICATION = "guestbook-e2e";
const ARGOCD_NAMESPACE = "argocd";
const IN_CLUSTER = "https://kubernetes.default.svc";
const FINALIZER = "resources-finalizer.argocd.argoproj.io";

export class E2eInputError extends Error {
  override name = "E2eInputError";
}

export interface Source {
  /** Where Argo CD clones from: https (a GitHub repository, a fork's too) or http (the run's own git server). */
  repoURL: string;
  /** A full commit SHA, or a branch name for a repository the run pushes to. */
  revision: string;
  /** A config management plugin that renders the overlay instead of Argo CD's built-in Kustomize. */
  plugin?: string;
}

interface GroupKind {
  group: string;
  kind: string;
}

/** One-line refusals for a source Argo CD could not clone anonymously. */
export function checkSource({ repoURL, revision, plugin }: Source): void {
  if (plugin !== undefined && !/^[a-z0-9][a-z0-9-]{0,62}$/.test(plugin)) {
    throw new E2eInputError(`--plugin "${plugin}" is not a plugin name (lowercase letters, digits and dashes)`);
  }
  let url: URL;
  try {
    url = new URL(repoURL);
  } catch {
    throw new E2eInputError(`--repo "${repoURL}" is not a URL: expected https://host/owner/repo.git or http://host:port/repo.git`);
  }
  if (!["https:", "http:"].includes(url.protocol) || url.username || url.password || url.pathname.length < 2) {
    throw new E2eInputError(`--repo "${repoURL}" must be an http(s) URL of a repository, without credentials`);
  }
  const sha = /^[0-9a-f]{40}$/.test(revision);
  const branch = /^(?!-)(?!.*\.\.)[A-Za-z0-9._/-]{1,100}$/.test(revision) && !/^[0-9a-f]{7,39}$/.test(revision);
  if (!sha && !branch) {
    throw new E2eInputError(`--revision "${revision}" must be a full 40-character commit SHA or a branch name`);
  }
}

const groupOf = (apiVersion: unknown) => (String(apiVersion).includes("/") ? String(apiVersion).split("/")[0]! : "");

/** The kinds a rendering holds, split the way an AppProject whitelists them; Kustomize leaves cluster-scoped ones without a namespace. */
export function kindsOf(rendered: readonly Manifest[]): { clusterScoped: GroupKind[]; namespaced: GroupKind[]; namespaces: string[] } {
  const clusterScoped = new Map<string, GroupKind>();
  const namespaced = new Map<string, GroupKind>();
  const namespaces = new Set<string>();
  for (const { object } of rendered) {
    const entry = { group: groupOf(object.apiVersion), kind: String(object.kind) };
    const namespace = object.metadata?.namespace;
    if (namespace) namespaces.add(namespace);
    (namespace ? namespaced : clusterScoped).set(`${entry.group}/${entry.kind}`, entry);
  }
  const sorted = (m: Map<string, GroupKind>) => [...m.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([, v]) => v);
  return { clusterScoped: sorted(clusterScoped), namespaced: sorted(namespaced), namespaces: [...namespaces].sort() };
}

/** The AppProject and the Application, in the order they must be applied. */
export function argoCdObjects(source: Source, rendered: readonly Manifest[]): Record<string, unknown>[] {
  checkSource(source);
  const { clusterScoped, namespaced, namespaces } = kindsOf(rendered);
  if (namespaces.length !== 1) {
    throw new E2eInputError(`${OVERLAY} must deploy to exactly one namespace (found ${namespaces.join(", ") || "none"})`);
  }
  const destination = { server: IN_CLUSTER, namespace: namespaces[0]! };
  const project = {
    apiVersion: "argoproj.io/v1alpha1",
    kind: "AppProject",
    metadata: { name: APPLICATION, namespace: ARGOCD_NAMESPACE, finalizers: [FINALIZER] },
    spec: {
      description: `The end-to-end run: ${OVERLAY} from the revision under test, nothing else.`,
      sourceRepos: [source.repoURL],
      destinations: [destination],
      clusterResourceWhitelist: clusterScoped,
      namespaceResourceWhitelist: namespaced,
    },
  };
  const application = {
    apiVersion: "argoproj.io/v1alpha1",
    kind: "Application",
    metadata: {
      name: APPLICATION,
      namespace: ARGOCD_NAMESPACE,
      // As argocd/'s Applications: fields the API server fills in never show as a difference.
      annotations: { "argocd.argoproj.io/compare-options": "ServerSideDiff=true" },
      finalizers: [FINALIZER],
    },
    spec: {
      project: APPLICATION,
      source: { repoURL: source.repoURL, targetRevision: source.revision, path: OVERLAY, ...(source.plugin ? { plugin: { name: source.plugin } } : {}) },
      destination,
      syncPolicy: {
        automated: { prune: true, selfHeal: true },
        syncOptions: ["CreateNamespace=true", "PrunePropagationPolicy=foreground"],
        // Short backoff: a run waits on this, and a first sync may race the Gateway's CRDs.
        retry: { limit: 5, backoff: { duration: "5s", factor: 2, maxDuration: "1m" } },
      },
    },
  };
  return [project, application];
}

export const toYaml = (objects: readonly Record<string, unknown>[]): string => objects.map((o) => stringify(o)).join("---\n");
