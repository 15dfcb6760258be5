/**
 * The two ways in, Ingress and Gateway API, swapped in copies of the real overlays: each renders
 * with `kubectl kustomize` and validates either way, and forgetting the per-overlay settings is
 * refused with the rules that name them.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parse, parseAllDocuments, stringify } from "yaml";
import { EXTERNAL_GATEWAYS_ANNOTATION } from "../../scripts/validate/gateway.js";
import { findRenderer, formatProblem, validateStream } from "../../scripts/validate/index.js";
import { copyManifests } from "../helpers/repo-copy.js";

type Obj = { kind: string; metadata: { name: string; namespace?: string; annotations?: Record<string, string> }; spec?: any };
type Patch = { path?: string; patch?: string; target?: { kind: string; name: string } };
type Kustomization = { components?: string[]; patches?: Patch[] };

const COMPONENT = "../../components/gateway-api";
// With Gateway API the Gateway terminates TLS, so no HTTP-01 solver runs behind an Ingress.
const INGRESS_ONLY_COMPONENTS = ["../../components/cert-manager-http01"];
// The files where an overlay sets its way in, one fact each (see docs/ingress-and-gateway.md).
const WAY_IN_FILES = ["ingress.yaml", "ingress-controller-namespace.yaml", "httproute.yaml", "gateway-namespace.yaml"];
const NAMESPACE_PATH = "/spec/ingress/0/from/0/namespaceSelector/matchLabels/kubernetes.io~1metadata.name";

const copy = copyManifests();
afterAll(() => copy.remove());

const namespacePatch = (policy: string, namespace: string): Patch => ({
  patch: JSON.stringify([{ op: "replace", path: NAMESPACE_PATH, value: namespace }]),
  target: { kind: "NetworkPolicy", name: policy },
});

const WAY_IN_PATCHES = {
  ingress: (host: string): Patch[] => [
    {
      patch: JSON.stringify([
        { op: "replace", path: "/spec/rules/0/host", value: host },
        { op: "add", path: "/spec/ingressClassName", value: "contour" },
      ]),
      target: { kind: "Ingress", name: "guestbook" },
    },
    namespacePatch("guestbook-allow-ingress-controller", "projectcontour"),
  ],
  "gateway-api": (host: string): Patch[] => [
    {
      patch: stringify({
        apiVersion: "gateway.networking.k8s.io/v1",
        kind: "HTTPRoute",
        metadata: { name: "guestbook", annotations: { [EXTERNAL_GATEWAYS_ANNOTATION]: "infra/shared" } },
        spec: { parentRefs: [{ name: "shared", namespace: "infra" }], hostnames: [host] },
      }),
    },
    namespacePatch("guestbook-allow-gateway", "envoy-gateway-system"),
  ],
};

/** Rewrites the copy of an overlay to come in the other way; `settings: false` leaves its way in unset. */
function switchWayIn(overlay: string, to: keyof typeof WAY_IN_PATCHES, host: string, settings = true): string {
  const dir = join(copy.path, "overlays", overlay);
  const kustomization = parse(readFileSync(join("overlays", overlay, "kustomization.yaml"), "utf8")) as Kustomization;
  const others = (kustomization.components ?? []).filter(
    (c) => c !== COMPONENT && (to === "ingress" || !INGRESS_ONLY_COMPONENTS.includes(c)),
  );
  kustomization.components = to === "gateway-api" ? [...others, COMPONENT] : others;
  const kept = (kustomization.patches ?? []).filter((p) => !WAY_IN_FILES.includes(p.path ?? ""));
  kustomization.patches = [...kept, ...(settings ? WAY_IN_PATCHES[to](host) : [])];
  writeFileSync(join(dir, "kustomization.yaml"), stringify(kustomization));
  return dir;
}

async function render(dir: string) {
  const text = await findRenderer().render(dir);
  return { text, objects: parseAllDocuments(text).map((d) => d.toJS() as Obj) };
}

const named = (objects: Obj[], kind: string, name: string) => objects.find((o) => o.kind === kind && o.metadata.name === name);

describe.each([
  ["dev", "gateway-api", "guestbook-dev.example.com"],
  ["prod", "gateway-api", "guestbook.example.com"],
  ["local", "ingress", "localhost"],
] as const)("overlays/%s switched to %s", (overlay, to, host) => {
  it("renders and validates with no problem, and the other way in is gone", async () => {
    const dir = switchWayIn(overlay, to, host);
    const { text, objects } = await render(dir);
    const { problems } = await validateStream(text, `overlays/${overlay}`);
    expect(problems.map(formatProblem)).toEqual([]);

    if (to === "gateway-api") {
      expect(named(objects, "HTTPRoute", "guestbook")?.spec.hostnames).toEqual([host]);
      expect(named(objects, "NetworkPolicy", "guestbook-allow-gateway")).toBeDefined();
      expect(objects.filter((o) => o.kind === "Ingress" || o.metadata.name === "guestbook-allow-ingress-controller")).toEqual([]);
    } else {
      expect(named(objects, "Ingress", "guestbook")?.spec).toMatchObject({ ingressClassName: "contour", rules: [{ host }] });
      expect(named(objects, "NetworkPolicy", "guestbook-allow-ingress-controller")).toBeDefined();
      expect(objects.filter((o) => o.kind === "HTTPRoute" || o.metadata.name === "guestbook-allow-gateway")).toEqual([]);
    }
  });

  it("is refused, naming what to set, when the overlay sets nothing for its way in", async () => {
    const dir = switchWayIn(overlay, to, host, false);
    const { text } = await render(dir);
    const rules = new Set((await validateStream(text, `overlays/${overlay}`)).problems.map((p) => p.rule));
    const expected = to === "gateway-api" ? "reference/httproute-parent" : "policy/ingress-class";
    expect([...rules].sort()).toEqual([expected, "policy/namespace-selector"].sort());
  });
});

describe("the kind cluster's shared Gateway (scripts/e2e-kind/gateway.yaml)", () => {
  const infra = parseAllDocuments(readFileSync("scripts/e2e-kind/gateway.yaml", "utf8")).map((d) => d.toJS() as Obj);

  it("is the Gateway overlays/local attaches to and documents, and admits routes from its namespace", async () => {
    const { objects } = await render("overlays/local");
    const route = named(objects, "HTTPRoute", "guestbook")!;
    for (const parent of route.spec.parentRefs as { name: string; namespace: string }[]) {
      const gateway = infra.find((o) => o.kind === "Gateway" && o.metadata.name === parent.name && o.metadata.namespace === parent.namespace);
      expect(gateway, `${parent.namespace}/${parent.name}`).toBeDefined();
      expect(route.metadata.annotations?.[EXTERNAL_GATEWAYS_ANNOTATION]).toBe(`${parent.namespace}/${parent.name}`);
      const allowed = gateway!.spec.listeners[0].allowedRoutes.namespaces;
      expect(allowed.selector.matchLabels["kubernetes.io/metadata.name"]).toBe(route.metadata.namespace);
    }
  });

  it("has Gateway API objects that pass the validator's schemas", async () => {
    const gatewayApi = infra.filter((o) => ["Gateway", "GatewayClass"].includes(o.kind));
    expect(gatewayApi.map((o) => o.kind).sort()).toEqual(["Gateway", "GatewayClass"]);
    const { problems } = await validateStream(gatewayApi.map((o) => stringify(o)).join("---\n"), "gateway.yaml");
    expect(problems.map(formatProblem)).toEqual([]);
  });

  it("exposes the proxies on the NodePort the kind cluster maps to the host", () => {
    const nodePort = /GATEWAY_NODE_PORT=(\d+)/.exec(readFileSync("scripts/e2e-kind.sh", "utf8"))?.[1];
    const proxy = infra.find((o) => o.kind === "EnvoyProxy")!;
    expect(proxy.spec.provider.kubernetes.envoyService.patch.value.spec.ports).toEqual([{ port: 80, nodePort: Number(nodePort) }]);
    // The kind cluster's configuration, where the script creates it.
    expect(readFileSync("scripts/e2e-kind/cluster.sh", "utf8")).toContain("containerPort: ${GATEWAY_NODE_PORT}");
  });
});
