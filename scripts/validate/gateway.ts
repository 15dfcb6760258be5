/** Gateway API references: what an HTTPRoute attaches to and where it sends traffic. */
import { type Manifest, problemAt } from "./documents.js";
import type { Problem } from "./problem.js";

/**
 * Gateways an overlay attaches to but does not deploy (shared ones the cluster provides), as a
 * comma-separated list of namespace/name on the HTTPRoute. Writing them down is what lets the
 * validator tell a deliberate external parent from a typo.
 */
export const EXTERNAL_GATEWAYS_ANNOTATION = "guestbook-gitops.io/external-gateways";

const GATEWAY_GROUP = "gateway.networking.k8s.io";

interface ObjectRef {
  group?: string;
  kind?: string;
  name?: string;
  namespace?: string;
}

interface HTTPRouteSpec {
  parentRefs?: (ObjectRef & { sectionName?: string })[];
  rules?: { backendRefs?: (ObjectRef & { port?: number })[] }[];
}

type Path = (string | number)[];

const namespaceOf = (m: Manifest) => m.object.metadata?.namespace;

/** namespace/name of every Gateway the overlay documents on this route, or a problem per bad entry. */
function documentedGateways(route: Manifest): { gateways: Set<string>; problems: Problem[] } {
  const value = route.object.metadata?.annotations?.[EXTERNAL_GATEWAYS_ANNOTATION];
  const gateways = new Set<string>();
  const problems: Problem[] = [];
  for (const entry of (value ?? "").split(",").map((e) => e.trim()).filter(Boolean)) {
    if (/^[^/\s]+\/[^/\s]+$/.test(entry)) gateways.add(entry);
    else {
      const path = ["metadata", "annotations", EXTERNAL_GATEWAYS_ANNOTATION];
      problems.push(problemAt(route, path, `"${entry}" is not namespace/name`, "reference/httproute-parent"));
    }
  }
  return { gateways, problems };
}

function checkParents(route: Manifest, declared: Set<string>): Problem[] {
  const spec = (route.object.spec ?? {}) as HTTPRouteSpec;
  const { gateways: documented, problems } = documentedGateways(route);
  if (!spec.parentRefs?.length) {
    problems.push(problemAt(route, ["spec"], "attaches to no Gateway: set spec.parentRefs", "reference/httproute-parent"));
    return problems;
  }
  for (const [i, parent] of spec.parentRefs.entries()) {
    // Other parents (a Service for a mesh, a ListenerSet) are not Gateways this rule can judge.
    if ((parent.group ?? GATEWAY_GROUP) !== GATEWAY_GROUP || (parent.kind ?? "Gateway") !== "Gateway") continue;
    const key = `${parent.namespace ?? namespaceOf(route) ?? ""}/${parent.name}`;
    if (!declared.has(key) && !documented.has(key)) {
      problems.push(
        problemAt(
          route,
          ["spec", "parentRefs", i],
          `Gateway ${key} is neither in this overlay nor documented as external (annotation ${EXTERNAL_GATEWAYS_ANNOTATION})`,
          "reference/httproute-parent",
        ),
      );
    }
  }
  return problems;
}

function checkBackends(route: Manifest, manifests: readonly Manifest[]): Problem[] {
  const spec = (route.object.spec ?? {}) as HTTPRouteSpec;
  const problems: Problem[] = [];
  for (const [r, rule] of (spec.rules ?? []).entries()) {
    for (const [b, ref] of (rule.backendRefs ?? []).entries()) {
      // Only core Services are checked; other backend kinds belong to their implementations.
      if ((ref.group ?? "") !== "" || (ref.kind ?? "Service") !== "Service") continue;
      const path: Path = ["spec", "rules", r, "backendRefs", b];
      const namespace = ref.namespace ?? namespaceOf(route);
      const service = manifests.find(
        (m) => m.object.kind === "Service" && m.object.metadata?.name === ref.name && namespaceOf(m) === namespace,
      );
      if (!service) {
        const shown = namespace === namespaceOf(route) ? ref.name : `${namespace}/${ref.name}`;
        problems.push(problemAt(route, [...path, "name"], `backend Service "${shown}" does not exist in this overlay`, "reference/httproute-backend"));
        continue;
      }
      const ports = ((service.object.spec as { ports?: { port?: number }[] })?.ports ?? []).map((p) => p.port);
      if (ref.port === undefined) {
        problems.push(problemAt(route, path, `backend Service "${ref.name}" needs a port number (it has: ${ports.join(", ")})`, "reference/httproute-backend"));
      } else if (!ports.includes(ref.port)) {
        problems.push(problemAt(route, [...path, "port"], `Service "${ref.name}" has no port ${ref.port} (it has: ${ports.join(", ")})`, "reference/httproute-backend"));
      }
    }
  }
  return problems;
}

export function checkGatewayApi(manifests: readonly Manifest[]): Problem[] {
  const declared = new Set(
    manifests.filter((m) => m.object.kind === "Gateway").map((m) => `${namespaceOf(m) ?? ""}/${m.object.metadata?.name}`),
  );
  return manifests
    .filter((m) => m.object.kind === "HTTPRoute")
    .flatMap((route) => [...checkParents(route, declared), ...checkBackends(route, manifests)]);
}
