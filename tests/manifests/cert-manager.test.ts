/**
 * prod's certificate can issue: cert-manager's HTTP-01 solver is reachable from the ingress
 * controller and from nowhere else, the ClusterIssuer prod names ships as an example, and an
 * overlay that blocks the solver is refused. Read from real `kubectl kustomize` output.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse, parseAllDocuments, stringify } from "yaml";
import { findRenderer, formatProblem, validateStream } from "../../scripts/validate/index.js";
import { copyManifests } from "../helpers/repo-copy.js";

type Obj = { kind: string; apiVersion: string; metadata: { name: string; annotations?: Record<string, string> }; spec?: any };

const COMPONENT = "../../components/cert-manager-http01";
const render = async (dir: string) => parseAllDocuments(await findRenderer().render(dir)).map((d) => d.toJS() as Obj);
const named = (objects: Obj[], kind: string, name: string) => {
  const found = objects.find((o) => o.kind === kind && o.metadata.name === name);
  if (!found) throw new Error(`no ${kind}/${name}`);
  return found;
};

let prod: Obj[];
beforeAll(async () => {
  prod = await render("overlays/prod");
});

describe("overlays/prod and cert-manager's HTTP-01 solver", () => {
  it("admits the solver pods on TCP 8089 from exactly the namespace the app admits the controller from", () => {
    const controller = named(prod, "NetworkPolicy", "guestbook-allow-ingress-controller").spec.ingress[0].from;
    const solver = named(prod, "NetworkPolicy", "guestbook-allow-acme-http01-solver").spec;
    expect(solver.podSelector).toEqual({ matchLabels: { "acme.cert-manager.io/http01-solver": "true" } });
    expect(solver.ingress).toEqual([{ from: controller, ports: [{ port: 8089, protocol: "TCP" }] }]);
    expect(controller[0].namespaceSelector.matchLabels["kubernetes.io/metadata.name"]).not.toBe("SET-IN-OVERLAY");
  });

  it("names a ClusterIssuer the repository ships, solving HTTP-01 through prod's ingress class", () => {
    const ingress = named(prod, "Ingress", "guestbook");
    const issuer = parse(readFileSync("cluster/cert-manager/cluster-issuer.yaml", "utf8")) as Obj;
    expect(issuer).toMatchObject({ apiVersion: "cert-manager.io/v1", kind: "ClusterIssuer" });
    expect(issuer.metadata.name).toBe(ingress.metadata.annotations?.["cert-manager.io/cluster-issuer"]);
    expect(issuer.spec.acme.solvers).toEqual([{ http01: { ingress: { ingressClassName: ingress.spec.ingressClassName } } }]);
  });

  describe("without components/cert-manager-http01", { timeout: 30_000 }, () => {
    const copy = copyManifests();
    afterAll(() => copy.remove());

    it("is refused: the default-deny policy blocks the solver and the certificate never issues", async () => {
      const path = join(copy.path, "overlays/prod/kustomization.yaml");
      const kustomization = parse(readFileSync(path, "utf8")) as { components?: string[] };
      kustomization.components = (kustomization.components ?? []).filter((c) => c !== COMPONENT);
      writeFileSync(path, stringify(kustomization));
      const text = await findRenderer().render(join(copy.path, "overlays/prod"));
      const { problems } = await validateStream(text, "overlays/prod");
      expect(problems.map((p) => p.rule)).toEqual(["policy/acme-solver-reachable"]);
      expect(formatProblem(problems[0]!)).toContain("blocked by NetworkPolicy guestbook-default-deny");
    });
  });
});
