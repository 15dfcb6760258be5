/** NetworkPolicy peers must name namespaces that can exist: a placeholder left in matches nothing. */
import { type Manifest, problemAt } from "./documents.js";
import type { Problem } from "./problem.js";

// What the API server accepts as a namespace name (an RFC 1123 label).
const NAMESPACE_NAME = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const NAME_LABEL = "kubernetes.io/metadata.name";

interface NamespaceSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: { key?: string; operator?: string; values?: string[] }[];
}

interface Peer {
  namespaceSelector?: NamespaceSelector;
}

interface NetworkPolicySpec {
  ingress?: { from?: Peer[] }[];
  egress?: { to?: Peer[] }[];
}

/** Each namespace name a selector asks for, with its path inside the selector. */
function* namedNamespaces(selector: NamespaceSelector): Generator<[(string | number)[], string]> {
  const byLabel = selector.matchLabels?.[NAME_LABEL];
  if (byLabel !== undefined) yield [["matchLabels", NAME_LABEL], byLabel];
  for (const [i, expression] of (selector.matchExpressions ?? []).entries()) {
    if (expression.key !== NAME_LABEL || expression.operator !== "In") continue;
    for (const [v, value] of (expression.values ?? []).entries()) yield [["matchExpressions", i, "values", v], value];
  }
}

function checkNetworkPolicy(policy: Manifest): Problem[] {
  const spec = (policy.object.spec ?? {}) as NetworkPolicySpec;
  const peers: [(string | number)[], Peer][] = [
    ...(spec.ingress ?? []).flatMap((rule, r) => (rule.from ?? []).map((peer, p): [(string | number)[], Peer] => [["spec", "ingress", r, "from", p], peer])),
    ...(spec.egress ?? []).flatMap((rule, r) => (rule.to ?? []).map((peer, p): [(string | number)[], Peer] => [["spec", "egress", r, "to", p], peer])),
  ];
  const problems: Problem[] = [];
  for (const [path, peer] of peers) {
    if (!peer.namespaceSelector) continue;
    for (const [inner, name] of namedNamespaces(peer.namespaceSelector)) {
      if (!NAMESPACE_NAME.test(name)) {
        problems.push(
          problemAt(
            policy,
            [...path, "namespaceSelector", ...inner],
            `"${name}" cannot be a namespace's name, so it matches no namespace: set the real one in the overlay`,
            "policy/namespace-selector",
          ),
        );
      }
    }
  }
  return problems;
}

export function checkNetworkPolicies(manifests: readonly Manifest[]): Problem[] {
  return manifests.filter((m) => m.object.kind === "NetworkPolicy").flatMap(checkNetworkPolicy);
}
