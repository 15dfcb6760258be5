/**
 * cert-manager's ACME HTTP-01 solver must be reachable: an Ingress that asks cert-manager for
 * its certificate gets a solver pod in its own namespace, and the ingress controller must reach
 * that pod on its port, or the certificate never issues. Nothing outside the cluster shows it.
 */
import { type Manifest, problemAt } from "./documents.js";
import type { Problem } from "./problem.js";
import { type LabelSelector, selects, workloads } from "./workloads.js";

const ISSUER_ANNOTATIONS = ["cert-manager.io/cluster-issuer", "cert-manager.io/issuer"];
// What cert-manager (v1.21, pkg/issuer/acme/http) puts on a solver pod: the label that marks
// every solver, and its one container port, 8089, named "http".
const SOLVER_LABELS = { "acme.cert-manager.io/http01-solver": "true" };
const SOLVER_PORT = { number: 8089, name: "http" };
const NAME_LABEL = "kubernetes.io/metadata.name";

interface PolicyPort {
  port?: number | string;
  endPort?: number;
  protocol?: string;
}

interface Peer {
  namespaceSelector?: LabelSelector;
  podSelector?: LabelSelector;
  ipBlock?: unknown;
}

interface PolicySpec {
  podSelector?: LabelSelector;
  policyTypes?: string[];
  ingress?: { from?: Peer[]; ports?: PolicyPort[] }[];
}

const specOf = (policy: Manifest) => (policy.object.spec ?? {}) as PolicySpec;
const namespaceOf = (m: Manifest) => m.object.metadata?.namespace;

/** Policies in `namespace` that isolate pods with `labels` for ingress. */
function isolating(policies: readonly Manifest[], namespace: string | undefined, labels: Record<string, string>): Manifest[] {
  return policies.filter((policy) => {
    const spec = specOf(policy);
    // Without policyTypes a policy always governs ingress (the API server defaults it so).
    const governsIngress = spec.policyTypes ? spec.policyTypes.includes("Ingress") : true;
    return namespaceOf(policy) === namespace && governsIngress && selects(spec.podSelector ?? {}, labels);
  });
}

const allowsSolverPort = (ports: PolicyPort[] | undefined) =>
  !ports?.length ||
  ports.some(
    (p) =>
      (p.protocol ?? "TCP") === "TCP" &&
      (p.port === undefined ||
        p.port === SOLVER_PORT.name ||
        (typeof p.port === "number" && p.port <= SOLVER_PORT.number && SOLVER_PORT.number <= (p.endPort ?? p.port))),
  );

/** Whether a peer admits traffic from pods in `namespace` (any namespace when it is unknown). */
function admitsNamespace(peer: Peer, namespace: string | undefined): boolean {
  if (!peer.namespaceSelector) return false;
  return namespace === undefined || selects(peer.namespaceSelector, { [NAME_LABEL]: namespace });
}

/** The namespaces the policies let reach the Ingress's backend pods: the controller's, as the overlay set it. */
function controllerNamespaces(ingress: Manifest, manifests: readonly Manifest[], policies: readonly Manifest[]): string[] {
  const spec = ingress.object.spec as { rules?: { http?: { paths?: { backend?: { service?: { name?: string } } }[] } }[] };
  const serviceNames = new Set((spec?.rules ?? []).flatMap((r) => (r.http?.paths ?? []).map((p) => p.backend?.service?.name)));
  const backendPods = manifests
    .filter((m) => m.object.kind === "Service" && serviceNames.has(m.object.metadata?.name) && namespaceOf(m) === namespaceOf(ingress))
    .flatMap((service) => {
      const selector = (service.object.spec as { selector?: Record<string, string> })?.selector;
      return workloads(manifests).filter((w) => w.namespace === namespaceOf(ingress) && selects({ matchLabels: selector }, w.podLabels));
    });
  // The controller reaches every pod behind the Ingress; a namespace admitted to only some of
  // them (monitoring, scraping the backend) is not the controller's.
  const perPod = backendPods.map((pod) => {
    const names = new Set<string>();
    for (const policy of isolating(policies, namespaceOf(ingress), pod.podLabels)) {
      for (const rule of specOf(policy).ingress ?? []) {
        for (const peer of rule.from ?? []) {
          const name = peer.namespaceSelector?.matchLabels?.[NAME_LABEL];
          if (name) names.add(name);
        }
      }
    }
    return names;
  });
  const [first, ...rest] = perPod;
  return [...(first ?? [])].filter((name) => rest.every((names) => names.has(name))).sort();
}

function checkIngress(ingress: Manifest, manifests: readonly Manifest[], policies: readonly Manifest[]): Problem[] {
  const annotation = ISSUER_ANNOTATIONS.find((key) => ingress.object.metadata?.annotations?.[key] !== undefined);
  if (!annotation) return [];
  const namespace = namespaceOf(ingress);
  const blocking = isolating(policies, namespace, SOLVER_LABELS);
  if (blocking.length === 0) return [];
  const controllers = controllerNamespaces(ingress, manifests, policies);
  const reachable = blocking.some((policy) =>
    (specOf(policy).ingress ?? []).some(
      (rule) =>
        allowsSolverPort(rule.ports) &&
        (!rule.from?.length ||
          rule.from.some((peer) => (controllers.length ? controllers.some((c) => admitsNamespace(peer, c)) : admitsNamespace(peer, undefined)))),
    ),
  );
  if (reachable) return [];
  const from = controllers.length ? `the ingress controller's namespace (${controllers.join(", ")})` : "the ingress controller's namespace";
  return [
    problemAt(
      ingress,
      ["metadata", "annotations", annotation],
      `cert-manager's HTTP-01 solver (pods labelled acme.cert-manager.io/http01-solver: "true", TCP ${SOLVER_PORT.number}) ` +
        `is blocked by NetworkPolicy ${blocking.map((p) => p.object.metadata?.name).join(", ")}: admit it from ${from} ` +
        "(components/cert-manager-http01), or the certificate never issues",
      "policy/acme-solver-reachable",
    ),
  ];
}

export function checkCertManager(manifests: readonly Manifest[]): Problem[] {
  const policies = manifests.filter((m) => m.object.kind === "NetworkPolicy");
  return manifests.filter((m) => m.object.kind === "Ingress").flatMap((ingress) => checkIngress(ingress, manifests, policies));
}
