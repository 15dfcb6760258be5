/** Broken references between the objects of one rendered overlay. */
import { type Manifest, problemAt } from "./documents.js";
import { checkMountedFiles } from "./mounted-files.js";
import type { Problem } from "./problem.js";
import { type KeyToPath, type LabelSelector, type Workload, selects, workloads } from "./workloads.js";

interface ServicePort {
  name?: string;
  port?: number;
  targetPort?: number | string;
}

/**
 * Secrets a workload reads that someone creates by hand in the cluster (never in Git), as a
 * comma-separated list of names on the workload: writing them down is what lets the validator
 * tell a deliberate manual Secret from a missing one.
 */
export const MANUAL_SECRETS_ANNOTATION = "guestbook-gitops.io/manual-secrets";

const ofKind = (manifests: readonly Manifest[], kind: string) => manifests.filter((m) => m.object.kind === kind);
const named = (manifests: readonly Manifest[], kind: string, name: string | undefined, namespace: string | undefined) =>
  manifests.find(
    (m) => m.object.kind === kind && m.object.metadata?.name === name && m.object.metadata?.namespace === namespace,
  );

/** Secret names the overlay provides, with their keys (undefined keys: not knowable here). */
function providedSecrets(manifests: readonly Manifest[]): Map<string, Set<string> | undefined> {
  const secrets = new Map<string, Set<string> | undefined>();
  for (const m of manifests) {
    const ns = m.object.metadata?.namespace ?? "";
    if (m.object.kind === "Secret") {
      const { data = {}, stringData = {} } = m.object as { data?: object; stringData?: object };
      secrets.set(`${ns}/${m.object.metadata?.name}`, new Set([...Object.keys(data), ...Object.keys(stringData)]));
    }
    if (m.object.kind === "ExternalSecret") {
      const spec = m.object.spec as { target?: { name?: string }; data?: { secretKey?: string }[]; dataFrom?: unknown[] };
      const name = spec?.target?.name ?? m.object.metadata?.name;
      const keys = spec?.dataFrom?.length ? undefined : new Set((spec?.data ?? []).map((d) => d.secretKey ?? ""));
      secrets.set(`${ns}/${name}`, keys);
    }
  }
  return secrets;
}

function checkWorkloadRefs(w: Workload, manifests: readonly Manifest[], secrets: Map<string, Set<string> | undefined>): Problem[] {
  const problems: Problem[] = [];
  const ns = w.namespace ?? "";
  const manual = new Set((w.manifest.object.metadata?.annotations?.[MANUAL_SECRETS_ANNOTATION] ?? "").split(",").map((s) => s.trim()));
  const requireSecret = (path: (string | number)[], name: string | undefined, key?: string) => {
    const key_ = `${ns}/${name}`;
    if (name && manual.has(name)) return;
    if (!secrets.has(key_)) {
      problems.push(problemAt(w.manifest, path, `Secret "${name}" is not provided by anything in this overlay (Secret or ExternalSecret) nor listed in ${MANUAL_SECRETS_ANNOTATION}`, "reference/secret"));
      return;
    }
    const keys = secrets.get(key_);
    if (key !== undefined && keys && !keys.has(key)) {
      problems.push(problemAt(w.manifest, path, `Secret "${name}" has no key "${key}" (it has: ${[...keys].join(", ") || "none"})`, "reference/secret"));
    }
  };
  for (const { container, path } of w.containers) {
    for (const [i, env] of (container.env ?? []).entries()) {
      const ref = env.valueFrom?.secretKeyRef;
      if (ref) requireSecret([...path, "env", i, "valueFrom", "secretKeyRef"], ref.name, ref.key);
    }
    for (const [i, from] of (container.envFrom ?? []).entries()) {
      if (from.secretRef) requireSecret([...path, "envFrom", i, "secretRef"], from.secretRef.name);
    }
  }
  // A Secret volume (or a projected one) needs the Secret, and each key it lists.
  const requireSecretVolume = (path: (string | number)[], name: string | undefined, items: KeyToPath[] | undefined) => {
    if (!items?.length) return requireSecret(path, name);
    for (const [j, item] of items.entries()) requireSecret([...path, "items", j], name, item.key);
  };
  for (const [i, volume] of (w.pod.volumes ?? []).entries()) {
    const path = [...w.podPath, "volumes", i];
    if (volume.secret) requireSecretVolume([...path, "secret"], volume.secret.secretName, volume.secret.items);
    for (const [j, source] of (volume.projected?.sources ?? []).entries()) {
      if (source.secret) requireSecretVolume([...path, "projected", "sources", j, "secret"], source.secret.name, source.secret.items);
    }
  }
  problems.push(...checkMountedFiles(w));
  const sa = w.pod.serviceAccountName;
  if (sa && sa !== "default" && !named(manifests, "ServiceAccount", sa, w.namespace)) {
    problems.push(problemAt(w.manifest, [...w.podPath, "serviceAccountName"], `ServiceAccount "${sa}" does not exist in this overlay`, "reference/service-account"));
  }
  return problems;
}

function checkService(service: Manifest, all: Workload[]): Problem[] {
  const spec = service.object.spec as { selector?: Record<string, string>; ports?: ServicePort[]; clusterIP?: string };
  if (!spec?.selector) return [];
  const namespace = service.object.metadata?.namespace;
  // A Service's selector is a plain label map: the matchLabels of a label selector.
  const selected = all.filter((w) => w.namespace === namespace && selects({ matchLabels: spec.selector }, w.podLabels));
  if (selected.length === 0) {
    return [problemAt(service, ["spec", "selector"], "selects no pods: no workload's pod labels match", "reference/service-selector")];
  }
  const problems: Problem[] = [];
  for (const [i, port] of (spec.ports ?? []).entries()) {
    const target = port.targetPort ?? port.port;
    const found = selected.some((w) =>
      w.containers.some(({ container }) =>
        (container.ports ?? []).some((p) => (typeof target === "string" ? p.name === target : p.containerPort === target)),
      ),
    );
    if (!found) {
      problems.push(problemAt(service, ["spec", "ports", i, "targetPort"], `targetPort ${JSON.stringify(target)} is not a port of any selected container`, "reference/target-port"));
    }
  }
  return problems;
}

interface IngressBackend {
  service?: { name?: string; port?: { name?: string; number?: number } };
}

function checkIngress(ingress: Manifest, manifests: readonly Manifest[]): Problem[] {
  const spec = ingress.object.spec as { defaultBackend?: IngressBackend; rules?: { http?: { paths?: { backend?: IngressBackend }[] } }[] };
  const backends: [(string | number)[], IngressBackend][] = [];
  if (spec?.defaultBackend) backends.push([["spec", "defaultBackend"], spec.defaultBackend]);
  for (const [r, rule] of (spec?.rules ?? []).entries()) {
    for (const [p, path] of (rule.http?.paths ?? []).entries()) {
      if (path.backend) backends.push([["spec", "rules", r, "http", "paths", p, "backend"], path.backend]);
    }
  }
  const problems: Problem[] = [];
  for (const [path, backend] of backends) {
    const { name, port } = backend.service ?? {};
    const service = named(manifests, "Service", name, ingress.object.metadata?.namespace);
    if (!service) {
      problems.push(problemAt(ingress, [...path, "service", "name"], `backend Service "${name}" does not exist in this overlay`, "reference/ingress-backend"));
      continue;
    }
    const ports = (service.object.spec as { ports?: ServicePort[] })?.ports ?? [];
    const hasPort = ports.some((p) => (port?.name !== undefined ? p.name === port.name : p.port === port?.number));
    if (!hasPort) {
      problems.push(problemAt(ingress, [...path, "service", "port"], `Service "${name}" has no port ${JSON.stringify(port?.name ?? port?.number)}`, "reference/ingress-backend"));
    }
  }
  return problems;
}

function checkSelectorsAndTargets(manifests: readonly Manifest[], all: Workload[]): Problem[] {
  const problems: Problem[] = [];
  for (const pdb of ofKind(manifests, "PodDisruptionBudget")) {
    const selector = (pdb.object.spec as { selector?: LabelSelector })?.selector;
    if (!all.some((w) => w.namespace === pdb.object.metadata?.namespace && selects(selector, w.podLabels))) {
      problems.push(problemAt(pdb, ["spec", "selector"], "selects no pods", "reference/pdb-selector"));
    }
  }
  for (const hpa of ofKind(manifests, "HorizontalPodAutoscaler")) {
    const target = (hpa.object.spec as { scaleTargetRef?: { kind?: string; name?: string } })?.scaleTargetRef;
    if (!named(manifests, target?.kind ?? "", target?.name, hpa.object.metadata?.namespace)) {
      problems.push(problemAt(hpa, ["spec", "scaleTargetRef"], `scale target ${target?.kind}/${target?.name} does not exist in this overlay`, "reference/hpa-target"));
    }
  }
  return problems;
}

export function checkReferences(manifests: readonly Manifest[]): Problem[] {
  const all = workloads(manifests);
  const secrets = providedSecrets(manifests);
  return [
    ...all.flatMap((w) => checkWorkloadRefs(w, manifests, secrets)),
    ...ofKind(manifests, "Service").flatMap((s) => checkService(s, all)),
    ...ofKind(manifests, "Ingress").flatMap((i) => checkIngress(i, manifests)),
    ...checkSelectorsAndTargets(manifests, all),
  ];
}
