import type { Manifest } from "./documents.js";

/* Typed views of the parts of workloads the policy and reference checks read. */

export interface Container {
  name?: string;
  image?: string;
  ports?: { name?: string; containerPort?: number }[];
  env?: { name?: string; value?: string; valueFrom?: { secretKeyRef?: { name?: string; key?: string } } }[];
  envFrom?: { secretRef?: { name?: string } }[];
  volumeMounts?: { name?: string; mountPath?: string; subPath?: string; subPathExpr?: string }[];
  readinessProbe?: unknown;
  livenessProbe?: unknown;
  resources?: { requests?: Record<string, unknown>; limits?: Record<string, unknown> };
  securityContext?: SecurityContext;
}

export interface SecurityContext {
  runAsNonRoot?: boolean;
  allowPrivilegeEscalation?: boolean;
  readOnlyRootFilesystem?: boolean;
  capabilities?: { drop?: string[] };
  seccompProfile?: { type?: string };
}

export interface PodSpec {
  containers?: Container[];
  initContainers?: Container[];
  serviceAccountName?: string;
  automountServiceAccountToken?: boolean;
  terminationGracePeriodSeconds?: number;
  securityContext?: SecurityContext;
  topologySpreadConstraints?: unknown[];
  affinity?: { podAntiAffinity?: unknown };
  volumes?: Volume[];
}

export interface Volume {
  name?: string;
  secret?: { secretName?: string; items?: KeyToPath[] };
  projected?: { sources?: { secret?: { name?: string; items?: KeyToPath[] } }[] };
}

export interface KeyToPath {
  key?: string;
  path?: string;
}

export interface Workload {
  manifest: Manifest;
  kind: string;
  name: string;
  namespace: string | undefined;
  podLabels: Record<string, string>;
  pod: PodSpec;
  /** Path of the pod spec inside the manifest. */
  podPath: string[];
  containers: { container: Container; path: (string | number)[] }[];
}

const WORKLOAD_KINDS = new Set(["Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job"]);

export function workloads(manifests: readonly Manifest[]): Workload[] {
  return manifests.flatMap((manifest) => {
    const { kind, metadata } = manifest.object;
    if (typeof kind !== "string" || !WORKLOAD_KINDS.has(kind)) return [];
    const template = (manifest.object.spec as { template?: { metadata?: { labels?: Record<string, string> }; spec?: PodSpec } })
      ?.template;
    const pod = template?.spec ?? {};
    const podPath = ["spec", "template", "spec"];
    const containers = [
      ...(pod.initContainers ?? []).map((container, i) => ({ container, path: [...podPath, "initContainers", i] })),
      ...(pod.containers ?? []).map((container, i) => ({ container, path: [...podPath, "containers", i] })),
    ];
    return [
      {
        manifest,
        kind,
        name: metadata?.name ?? "",
        namespace: metadata?.namespace,
        podLabels: template?.metadata?.labels ?? {},
        pod,
        podPath,
        containers,
      },
    ];
  });
}

export interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: { key: string; operator: string; values?: string[] }[];
}

/** Whether a label selector selects the given labels; no selector selects nothing. */
export function selects(selector: LabelSelector | undefined, labels: Record<string, string>): boolean {
  if (!selector) return false;
  const { matchLabels = {}, matchExpressions = [] } = selector;
  const labelsMatch = Object.entries(matchLabels).every(([k, v]) => labels[k] === v);
  const expressionsMatch = matchExpressions.every(({ key, operator, values = [] }) => {
    switch (operator) {
      case "In":
        return key in labels && values.includes(labels[key]!);
      case "NotIn":
        return !(key in labels) || !values.includes(labels[key]!);
      case "Exists":
        return key in labels;
      case "DoesNotExist":
        return !(key in labels);
      default:
        return false;
    }
  });
  return labelsMatch && expressionsMatch;
}
