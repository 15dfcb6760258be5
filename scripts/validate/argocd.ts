/** Argo CD objects must point at this repository as it is: paths, projects, namespaces. */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { type Manifest, problemAt } from "./documents.js";
import type { Problem } from "./problem.js";

interface ApplicationSpec {
  project?: string;
  source?: { repoURL?: string; path?: string; targetRevision?: string };
  destination?: { server?: string; namespace?: string };
  ignoreDifferences?: { kind?: string; name?: string; jsonPointers?: string[] }[];
  syncPolicy?: { syncOptions?: string[]; retry?: unknown; automated?: unknown };
}

interface GroupKind {
  group?: string;
  kind?: string;
}

interface ProjectSpec {
  sourceRepos?: string[];
  destinations?: { server?: string; namespace?: string }[];
  clusterResourceWhitelist?: GroupKind[];
  namespaceResourceWhitelist?: GroupKind[];
}

// Kinds this repository deploys that have no namespace.
const CLUSTER_SCOPED = new Set(["Namespace", "ClusterRole", "ClusterRoleBinding", "CustomResourceDefinition", "ClusterSecretStore"]);

const groupOf = (apiVersion: unknown) => (String(apiVersion).includes("/") ? String(apiVersion).split("/")[0]! : "");

/** Kinds at `path` that the project would refuse to sync. */
function unlisted(rendered: readonly Manifest[], project: ProjectSpec): string[] {
  const allowed = (list: GroupKind[] | undefined, group: string, kind: string) =>
    (list ?? []).some((g) => matches(g.group, group) && matches(g.kind, kind));
  const refused = new Set<string>();
  for (const m of rendered) {
    const kind = String(m.object.kind);
    const group = groupOf(m.object.apiVersion);
    const clusterScoped = CLUSTER_SCOPED.has(kind);
    // Argo CD allows every namespaced kind when the project lists none.
    const ok = clusterScoped
      ? allowed(project.clusterResourceWhitelist, group, kind)
      : project.namespaceResourceWhitelist === undefined || allowed(project.namespaceResourceWhitelist, group, kind);
    if (!ok) refused.add(`${group || "core"}/${kind}`);
  }
  return [...refused].sort();
}

/** Renders a path of this repository, or null when it cannot be rendered. */
export type RenderPath = (path: string) => Promise<readonly Manifest[] | null>;

const matches = (pattern: string | undefined, value: string | undefined) =>
  pattern === "*" || pattern === value;

/** The options of a comma-separated Argo CD annotation ("Prune=false,Delete=false"), trimmed. */
const optionsIn = (m: Manifest, annotation: string): string[] =>
  (m.object.metadata?.annotations?.[annotation] ?? "").split(",").map((o) => o.trim());

const COMPARE_OPTIONS = "argocd.argoproj.io/compare-options";
const SYNC_OPTIONS = "argocd.argoproj.io/sync-options";
// What keeps a Namespace (and so everything in it) when its Application is deleted or the file goes.
const NAMESPACE_KEEPERS = ["Prune=false", "Delete=false"];

async function checkApplication(app: Manifest, projects: readonly Manifest[], repoRoot: string, renderPath: RenderPath): Promise<Problem[]> {
  const spec = (app.object.spec ?? {}) as ApplicationSpec;
  const at = (path: (string | number)[], message: string, rule: string) => problemAt(app, path, message, rule);
  const problems: Problem[] = [];

  if (!(app.object.metadata as { finalizers?: string[] })?.finalizers?.includes("resources-finalizer.argocd.argoproj.io")) {
    problems.push(at(["metadata"], "missing the resources-finalizer.argocd.argoproj.io finalizer", "argocd/finalizer"));
  }
  if (!spec.syncPolicy?.retry) problems.push(at(["spec", "syncPolicy"], "syncPolicy has no retry", "argocd/retry"));
  if (!spec.syncPolicy?.syncOptions?.includes("CreateNamespace=true")) {
    problems.push(at(["spec", "syncPolicy"], "syncOptions lacks CreateNamespace=true", "argocd/create-namespace"));
  }
  if (!optionsIn(app, COMPARE_OPTIONS).includes("ServerSideDiff=true")) {
    problems.push(
      at(
        ["metadata", "annotations"],
        `${COMPARE_OPTIONS} lacks ServerSideDiff=true: fields a CRD defaults (an ExternalSecret's remoteRef strategies) would stay OutOfSync and self-heal would loop`,
        "argocd/server-side-diff",
      ),
    );
  }

  const project = projects.find((p) => p.object.metadata?.name === spec.project);
  const projectSpec = (project?.object.spec ?? {}) as ProjectSpec;
  if (!project) {
    problems.push(at(["spec", "project"], `AppProject "${spec.project}" is not defined in argocd/`, "argocd/project"));
  } else {
    if (!(projectSpec.sourceRepos ?? []).some((repo) => matches(repo, spec.source?.repoURL))) {
      problems.push(at(["spec", "source", "repoURL"], `${spec.source?.repoURL} is not among project "${spec.project}"'s sourceRepos`, "argocd/repo"));
    }
    const destinationAllowed = (projectSpec.destinations ?? []).some(
      (d) => matches(d.server, spec.destination?.server) && matches(d.namespace, spec.destination?.namespace),
    );
    if (!destinationAllowed) {
      problems.push(at(["spec", "destination"], `project "${spec.project}" does not allow ${spec.destination?.server} namespace ${spec.destination?.namespace}`, "argocd/destination"));
    }
  }

  const path = spec.source?.path ?? "";
  if (!path || !existsSync(join(repoRoot, path, "kustomization.yaml"))) {
    problems.push(at(["spec", "source", "path"], `path "${path}" is not a Kustomize directory in this repository`, "argocd/path"));
    return problems;
  }
  const rendered = await renderPath(path);
  if (!rendered) return problems;
  if (project) {
    const refused = unlisted(rendered, projectSpec);
    if (refused.length > 0) {
      problems.push(at(["spec", "project"], `project "${spec.project}" does not allow kinds that ${path} deploys: ${refused.join(", ")}`, "argocd/resource-whitelist"));
    }
  }
  for (const namespace of rendered.filter((m) => m.object.kind === "Namespace")) {
    const missing = NAMESPACE_KEEPERS.filter((option) => !optionsIn(namespace, SYNC_OPTIONS).includes(option));
    if (missing.length > 0) {
      problems.push(
        at(
          ["spec", "source", "path"],
          `${namespace.resource} in ${path} lacks ${SYNC_OPTIONS}: ${missing.join(",")}: deleting the Application would delete the namespace and everything in it`,
          "argocd/namespace-protected",
        ),
      );
    }
  }
  const namespaces = new Set(rendered.map((m) => m.object.metadata?.namespace).filter(Boolean));
  if (namespaces.size > 0 && !namespaces.has(spec.destination?.namespace)) {
    problems.push(at(["spec", "destination", "namespace"], `"${spec.destination?.namespace}" differs from the namespace ${path} deploys to (${[...namespaces].join(", ")})`, "argocd/destination"));
  }
  for (const hpa of rendered.filter((m) => m.object.kind === "HorizontalPodAutoscaler")) {
    const target = (hpa.object.spec as { scaleTargetRef?: { kind?: string; name?: string } }).scaleTargetRef;
    const ignored = (spec.ignoreDifferences ?? []).some(
      (d) => d.kind === target?.kind && d.name === target?.name && (d.jsonPointers ?? []).includes("/spec/replicas"),
    );
    if (!ignored || !spec.syncPolicy?.syncOptions?.includes("RespectIgnoreDifferences=true")) {
      problems.push(at(["spec", "ignoreDifferences"], `${hpa.resource} owns ${target?.kind}/${target?.name}'s replicas: ignore /spec/replicas and set RespectIgnoreDifferences=true`, "argocd/ignore-differences"));
    }
  }
  return problems;
}

export async function checkArgoCd(manifests: readonly Manifest[], repoRoot: string, renderPath: RenderPath): Promise<Problem[]> {
  const projects = manifests.filter((m) => m.object.kind === "AppProject");
  const applications = manifests.filter((m) => m.object.kind === "Application");
  return (await Promise.all(applications.map((app) => checkApplication(app, projects, repoRoot, renderPath)))).flat();
}
