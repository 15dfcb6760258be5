/** Production-readiness rules: what every manifest in an overlay must meet, beyond its schema. */
import { Buffer } from "node:buffer";
import { type KubeObject, type Manifest, problemAt } from "./documents.js";
import { generatedFrom } from "./generated-secrets.js";
import type { Problem } from "./problem.js";
import { type Container, type LabelSelector, type PodSpec, type Workload, selects, workloads } from "./workloads.js";

type Path = (string | number)[];

// scheme://user:password@host: a connection string that carries a credential.
const CREDENTIAL_URI = /[a-z][a-z0-9+.-]*:\/\/[^\s/:@]+:[^\s/@]+@/i;
const SECRET_ENV_NAME = /(PASSWORD|PASSWD|SECRET|TOKEN|API_KEY|_URI|_URL|CONNECTION_STRING)$/i;

function checkImage(image: string | undefined): string | null {
  if (!image) return "container has no image";
  if (image.includes("@sha256:")) return null;
  const lastSegment = image.slice(image.lastIndexOf("/") + 1);
  const tag = lastSegment.includes(":") ? lastSegment.slice(lastSegment.indexOf(":") + 1) : "";
  if (!tag) return `image "${image}" has no tag or digest: pin one`;
  if (tag === "latest") return `image "${image}" uses :latest: pin a version or digest`;
  return null;
}

function checkContainer(c: Container, pod: PodSpec, path: Path, isInit: boolean): [Path, string, string][] {
  const out: [Path, string, string][] = [];
  const sc = c.securityContext ?? {};
  const podSc = pod.securityContext ?? {};
  const imageProblem = checkImage(c.image);
  if (imageProblem) out.push([[...path, "image"], imageProblem, "policy/image-pinned"]);
  if (!isInit) {
    if (!c.readinessProbe) out.push([path, "container has no readinessProbe", "policy/probes"]);
    if (!c.livenessProbe) out.push([path, "container has no livenessProbe", "policy/probes"]);
  }
  for (const [section, resource] of [
    ["requests", "cpu"],
    ["requests", "memory"],
    ["limits", "memory"],
  ] as const) {
    if (c.resources?.[section]?.[resource] === undefined) {
      out.push([[...path, "resources"], `container sets no ${section}.${resource}`, "policy/resources"]);
    }
  }
  if ((sc.runAsNonRoot ?? podSc.runAsNonRoot) !== true) {
    out.push([[...path, "securityContext"], "runAsNonRoot must be true (pod or container)", "policy/run-as-non-root"]);
  }
  if (sc.readOnlyRootFilesystem !== true) {
    out.push([[...path, "securityContext"], "readOnlyRootFilesystem must be true", "policy/read-only-root"]);
  }
  if (sc.allowPrivilegeEscalation !== false) {
    out.push([[...path, "securityContext"], "allowPrivilegeEscalation must be false", "policy/privilege-escalation"]);
  }
  if (!(sc.capabilities?.drop ?? []).includes("ALL")) {
    out.push([[...path, "securityContext"], 'capabilities.drop must include "ALL" (uppercase)', "policy/capabilities"]);
  }
  const seccomp = sc.seccompProfile?.type ?? podSc.seccompProfile?.type;
  if (seccomp !== "RuntimeDefault" && seccomp !== "Localhost") {
    out.push([[...path, "securityContext"], "seccompProfile.type must be RuntimeDefault (pod or container)", "policy/seccomp"]);
  }
  for (const [i, env] of (c.env ?? []).entries()) {
    if (env.value && SECRET_ENV_NAME.test(env.name ?? "") && !/^https?:\/\/[^@]*$/.test(env.value)) {
      out.push([[...path, "env", i, "value"], `${env.name} is set literally: read it from a Secret (secretKeyRef)`, "policy/literal-credential"]);
    }
  }
  return out;
}

const envValue = (w: Workload, name: string): number | undefined => {
  for (const { container } of w.containers) {
    const value = container.env?.find((e) => e.name === name)?.value;
    if (value !== undefined) return Number(value);
  }
  return undefined;
};

function checkWorkload(w: Workload, all: readonly Manifest[]): Problem[] {
  const at = (path: Path, message: string, rule: string) => problemAt(w.manifest, path, message, rule);
  const problems: Problem[] = [];
  const { pod, podPath } = w;
  for (const { container, path } of w.containers) {
    const isInit = path.includes("initContainers");
    for (const [p, message, rule] of checkContainer(container, pod, path, isInit)) problems.push(at(p, message, rule));
  }
  if (pod.automountServiceAccountToken !== false) {
    problems.push(at(podPath, "automountServiceAccountToken must be false", "policy/service-account-token"));
  }
  if (!pod.serviceAccountName || pod.serviceAccountName === "default") {
    problems.push(at(podPath, "serviceAccountName must name a dedicated ServiceAccount", "policy/service-account"));
  }
  if (w.kind !== "Deployment") return problems;

  const spec = w.manifest.object.spec as {
    replicas?: number;
    strategy?: { type?: string; rollingUpdate?: { maxUnavailable?: number | string } };
  };
  if ((spec.strategy?.type ?? "RollingUpdate") !== "RollingUpdate" || spec.strategy?.rollingUpdate?.maxUnavailable !== 0) {
    problems.push(at(["spec", "strategy"], "rolling updates must set maxUnavailable: 0", "policy/rolling-update"));
  }
  if (!pod.topologySpreadConstraints?.length && !pod.affinity?.podAntiAffinity) {
    problems.push(at(podPath, "pods are not spread across nodes (topologySpreadConstraints)", "policy/spread"));
  }
  const sameNamespace = (m: Manifest) => m.object.metadata?.namespace === w.namespace;
  const covered = all.some(
    (m) =>
      m.object.kind === "PodDisruptionBudget" &&
      sameNamespace(m) &&
      selects((m.object.spec as { selector?: LabelSelector })?.selector, w.podLabels),
  );
  if (!covered) problems.push(at([], "no PodDisruptionBudget covers this Deployment", "policy/pdb"));
  const hpa = all.find(
    (m) =>
      m.object.kind === "HorizontalPodAutoscaler" &&
      sameNamespace(m) &&
      (m.object.spec as { scaleTargetRef?: { kind?: string; name?: string } })?.scaleTargetRef?.name === w.name,
  );
  if (hpa && spec.replicas !== undefined) {
    problems.push(at(["spec", "replicas"], `replicas is set but ${hpa.resource} owns the count: remove it`, "policy/hpa-replicas"));
  }
  const delay = envValue(w, "SHUTDOWN_DELAY_MS");
  const timeout = envValue(w, "SHUTDOWN_TIMEOUT_MS");
  const graceMs = (pod.terminationGracePeriodSeconds ?? 30) * 1000;
  if (timeout !== undefined && (timeout >= graceMs || (delay ?? 0) >= timeout)) {
    problems.push(
      at(
        [...podPath, "terminationGracePeriodSeconds"],
        `drain does not fit: need SHUTDOWN_DELAY_MS (${delay ?? 0}) < SHUTDOWN_TIMEOUT_MS (${timeout}) < terminationGracePeriodSeconds (${graceMs / 1000} s)`,
        "policy/grace-period",
      ),
    );
  }
  return problems;
}

/** Every string in an object, with its path. */
function* strings(value: unknown, path: Path = []): Generator<[Path, string]> {
  if (typeof value === "string") yield [path, value];
  else if (Array.isArray(value)) for (const [i, v] of value.entries()) yield* strings(v, [...path, i]);
  else if (value && typeof value === "object") for (const [k, v] of Object.entries(value)) yield* strings(v, [...path, k]);
}

function checkCredentials(m: Manifest): Problem[] {
  // Generated from a file Git must ignore, which policy/generated-secret-ignored makes sure of.
  if (generatedFrom(m) !== undefined) return [];
  const problems: Problem[] = [];
  for (const [path, text] of strings(m.object)) {
    const decoded = m.object.kind === "Secret" && path[0] === "data" ? Buffer.from(text, "base64").toString("utf8") : text;
    if (CREDENTIAL_URI.test(decoded)) {
      problems.push(problemAt(m, path, "a connection string with a credential is in Git: deliver it through a secret operator", "policy/literal-credential"));
    }
  }
  return problems;
}

function checkIngress(m: Manifest): Problem[] {
  const problems: Problem[] = [];
  const object = m.object as KubeObject & {
    spec?: { ingressClassName?: string; rules?: { http?: { paths?: { path?: string; pathType?: string }[] } }[] };
  };
  if (!object.spec?.ingressClassName) problems.push(problemAt(m, ["spec"], "ingressClassName is not set", "policy/ingress-class"));
  for (const key of Object.keys(object.metadata?.annotations ?? {})) {
    const at = ["metadata", "annotations", key];
    if (/rewrite-target$|use-regex$/.test(key)) {
      problems.push(problemAt(m, at, `${key}: the API serves under /api itself; no rewrites or regex paths`, "policy/ingress-regex"));
    }
    // The retired ingress-nginx's own settings: any other controller ignores them silently.
    if (key.startsWith("nginx.ingress.kubernetes.io/") || key === "kubernetes.io/ingress.class") {
      problems.push(problemAt(m, at, `${key} works only on the retired ingress-nginx: use spec fields or the controller's own configuration (docs/ingress-and-gateway.md)`, "policy/ingress-portable"));
    }
  }
  for (const [r, rule] of (object.spec?.rules ?? []).entries()) {
    for (const [p, path] of (rule.http?.paths ?? []).entries()) {
      if (/[()*$^|?\\[\]]/.test(path.path ?? "")) {
        problems.push(problemAt(m, ["spec", "rules", r, "http", "paths", p, "path"], `path "${path.path}" is a regex; ${path.pathType} paths are plain prefixes`, "policy/ingress-regex"));
      }
    }
  }
  return problems;
}

function checkNamespace(m: Manifest): Problem[] {
  const enforce = m.object.metadata?.labels?.["pod-security.kubernetes.io/enforce"];
  return enforce === "restricted"
    ? []
    : [problemAt(m, ["metadata", "labels"], 'namespace must enforce the restricted Pod Security Standard (pod-security.kubernetes.io/enforce: restricted)', "policy/pod-security")];
}

export function checkPolicy(manifests: readonly Manifest[]): Problem[] {
  return [
    ...workloads(manifests).flatMap((w) => checkWorkload(w, manifests)),
    ...manifests.flatMap(checkCredentials),
    ...manifests.filter((m) => m.object.kind === "Ingress").flatMap(checkIngress),
    ...manifests.filter((m) => m.object.kind === "Namespace").flatMap(checkNamespace),
  ];
}
