/**
 * scripts/preflight.sh and the overlay facts it reads. The facts come from real `kubectl
 * kustomize` output. There is no cluster here, so the script runs against a stand-in kubectl
 * (tests/helpers/fake-kubectl.mjs) that answers from a described cluster state and refuses
 * every verb but reads; shellcheck lints it in workflows.test.ts. Only a real cluster (the kind
 * end-to-end run) shows the real kubectl's answers.
 */
import { spawnSync } from "node:child_process";
import { chmodSync, cpSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse, parseAllDocuments, stringify } from "yaml";
import { type Fact, overlayFacts } from "../../scripts/lib/overlay-facts.js";
import { readImages, writeImages } from "../../scripts/lib/overlay-images.js";
import { requireTool } from "../../scripts/lib/which.js";
import { findRenderer } from "../../scripts/validate/index.js";
import { tempDir } from "../helpers/app.js";

type Obj = { kind: string; metadata: { name: string; namespace?: string; annotations?: Record<string, string> }; spec?: any };
type ClusterState = {
  unreachable?: boolean;
  apiResources: string[];
  objects: Record<string, { ready?: boolean; available?: boolean }>;
  pods: Record<string, string[]>;
  storageClasses: { default: boolean }[];
  canI: string[];
};

const values = (facts: Fact[], key: string) => facts.filter(([k]) => k === key).map(([, v]) => v);
const render = async (dir: string) => parseAllDocuments(await findRenderer().render(dir)).map((d) => d.toJS() as Obj);

describe("overlay facts", { timeout: 30_000 }, () => {
  it.each(["dev", "prod", "local"])("for %s are what the overlay renders and argocd/ syncs", async (env) => {
    const facts = await overlayFacts(env);
    const objects = await render(join("overlays", env));
    const ingress = objects.find((o) => o.kind === "Ingress");
    expect(values(facts, "ingress_class")).toEqual(ingress ? [ingress.spec.ingressClassName] : []);
    expect(values(facts, "cluster_issuer")).toEqual(
      [ingress?.metadata.annotations?.["cert-manager.io/cluster-issuer"]].filter(Boolean),
    );
    const admitting = objects.filter((o) => o.kind === "NetworkPolicy" && /^guestbook-allow-(ingress-controller|gateway)$/.test(o.metadata.name));
    expect(values(facts, "controller_namespace")).toEqual([
      ...new Set(admitting.map((p) => p.spec.ingress[0].from[0].namespaceSelector.matchLabels["kubernetes.io/metadata.name"])),
    ]);
    const route = objects.find((o) => o.kind === "HTTPRoute");
    expect(values(facts, "gateway")).toEqual(route ? route.spec.parentRefs.map((p: any) => `${p.namespace}/${p.name}`) : []);
    expect(values(facts, "hpa")).toEqual(objects.filter((o) => o.kind === "HorizontalPodAutoscaler").map((o) => o.metadata.name));
    expect(values(facts, "dns_pods")).toEqual(["kube-system k8s-app=kube-dns"]);
    const applications = (await render("argocd")).filter((o) => o.kind === "Application" && o.spec.source.path === `overlays/${env}`);
    expect(values(facts, "argocd_application")).toEqual(applications.map((a) => a.metadata.name));
    expect(values(facts, "image_without_digest")).toEqual(
      readImages(env).filter((i) => !i.digest).map((i) => `${i.newName ?? i.name}:${i.newTag}`),
    );
  });
});

/** A cluster that has everything the facts ask for. */
function clusterFor(facts: Fact[]): ClusterState {
  const state: ClusterState = { apiResources: ["pods", "namespaces"], objects: {}, pods: {}, storageClasses: [], canI: [] };
  const add = (kind: string, namespace: string, name: string, extra = {}) => (state.objects[`${kind}/${namespace}/${name}`] = extra);
  for (const [key, value] of facts) {
    const [ns, name] = value.split("/") as [string, string];
    if (key === "ingress_class") add("ingressclass", "", value);
    if (key === "controller_namespace") add("namespace", "", value);
    if (key === "gateway") state.apiResources.push("gateways.gateway.networking.k8s.io"), add("gateway", ns, name);
    if (key === "cluster_issuer") state.apiResources.push("clusterissuers.cert-manager.io"), add("clusterissuer", "", value, { ready: true });
    if (key === "cluster_secret_store") {
      state.apiResources.push("externalsecrets.external-secrets.io");
      add("clustersecretstore", "", value, { ready: true });
    }
    if (key === "manual_secret") add("secret", ns, name);
    if (key === "hpa") add("apiservice", "", "v1beta1.metrics.k8s.io", { available: true });
    if (key === "dns_pods") state.pods[value.replace(" ", "/")] = ["coredns-0"];
    if (key === "default_storage_class") state.storageClasses.push({ default: true });
    if (key === "argocd_namespace") {
      state.apiResources.push("applications.argoproj.io");
      add("namespace", "", value);
      state.canI.push(`create applications.argoproj.io -n ${value}`);
    }
  }
  return state;
}

const bin = tempDir("guestbook-fake-kubectl-");
const log = join(bin.path, "calls.log");
const stateFile = join(bin.path, "cluster.json");
afterAll(() => bin.remove());
beforeAll(() => {
  const kubectl = join(bin.path, "kubectl");
  writeFileSync(kubectl, `#!/bin/sh\nexec node ${JSON.stringify(resolve("tests/helpers/fake-kubectl.mjs"))} "$@"\n`);
  chmodSync(kubectl, 0o755);
  writeFileSync(log, "");
});

function preflight(env: string, state: ClusterState | null, root = ".") {
  if (state) writeFileSync(stateFile, JSON.stringify(state));
  const result = spawnSync("bash", [join(root, "scripts/preflight.sh"), env].filter(Boolean), {
    encoding: "utf8",
    env: {
      ...process.env,
      PATH: `${bin.path}:${process.env.PATH}`,
      FAKE_CLUSTER: stateFile,
      FAKE_KUBECTL_LOG: log,
      REAL_KUBECTL: requireTool("kubectl", "install kubectl (it includes Kustomize)."),
    },
  });
  const lines = result.stdout.trim().split("\n");
  return { code: result.status, lines, missing: lines.filter((l) => l.startsWith("missing: ")), stderr: result.stderr };
}

// Each run renders the overlay and argocd/ through tsx and kubectl: seconds, more on a busy machine.
describe("scripts/preflight.sh", { timeout: 60_000 }, () => {
  it("finds nothing missing on a cluster that has what overlays/local needs", async () => {
    const run = preflight("local", clusterFor(await overlayFacts("local")));
    expect(run.missing).toEqual([]);
    expect(run.lines.at(-1)).toMatch(/^preflight local: \d+ checks, 0 missing$/);
    expect(run.code).toBe(0);
  });

  it("names, one line each, every prerequisite of overlays/prod an empty cluster lacks, and exits 1", async () => {
    const facts = await overlayFacts("prod");
    const run = preflight("prod", clusterFor([]));
    const [issuer] = values(facts, "cluster_issuer");
    const expected = [
      ...values(facts, "ingress_class").map((c) => `missing: IngressClass ${c}: `),
      ...(issuer ? ["missing: API clusterissuers.cert-manager.io: install cert-manager"] : []),
      ...values(facts, "controller_namespace").map((n) => `missing: namespace ${n} (the proxies the NetworkPolicies admit): `),
      "missing: API externalsecrets.external-secrets.io: install External Secrets, or use components/manual-secret",
      "missing: metrics API (HorizontalPodAutoscaler guestbook-backend scales on CPU): install metrics-server",
      "missing: DNS pods labelled k8s-app=kube-dns in kube-system",
      `missing: namespace ${values(facts, "argocd_namespace")[0]} (Argo CD): install Argo CD`,
      "missing: API applications.argoproj.io: install Argo CD",
      `missing: images for overlays/prod (${values(facts, "image_without_digest").join(" ")} carry no digest, never built or promoted): promote first`,
    ];
    expect(run.missing).toHaveLength(expected.length);
    for (const line of expected) expect(run.missing.some((m) => m.startsWith(line)), `${line}\n${run.lines.join("\n")}`).toBe(true);
    expect(run.lines.at(-1)).toMatch(new RegExp(`^preflight prod: \\d+ checks, ${expected.length} missing$`));
    expect(run.code).toBe(1);
  });

  it("tells an issuer that exists but is not Ready from one that is missing", async () => {
    const state = clusterFor(await overlayFacts("prod"));
    const [issuer] = values(await overlayFacts("prod"), "cluster_issuer");
    state.objects[`clusterissuer//${issuer}`] = { ready: false };
    expect(preflight("prod", state).missing).toContain(`missing: ClusterIssuer ${issuer} exists but is not Ready: kubectl describe clusterissuer ${issuer}`);
  });

  describe("on a copy of the repository where prod was promoted and reads a Secret made by hand", () => {
    const copy = tempDir("guestbook-preflight-");
    afterAll(() => copy.remove());

    it("finds nothing missing once the cluster has that Secret, and names it when it does not", async () => {
      for (const folder of ["scripts", "base", "components", "overlays", "argocd", "package.json"]) cpSync(folder, join(copy.path, folder), { recursive: true });
      symlinkSync(resolve("node_modules"), join(copy.path, "node_modules"));
      const digest = `sha256:${"a".repeat(64)}`;
      writeImages("prod", readImages("prod", copy.path).map((i) => ({ ...i, digest })), copy.path);
      const path = join(copy.path, "overlays/prod/kustomization.yaml");
      const kustomization = parse(readFileSync(path, "utf8")) as { components?: string[] };
      kustomization.components = [...(kustomization.components ?? []), "../../components/manual-secret"];
      writeFileSync(path, stringify(kustomization));

      const facts = await overlayFacts("prod", copy.path);
      expect(values(facts, "image_without_digest")).toEqual([]);
      expect(values(facts, "cluster_secret_store")).toEqual([]);
      const [secret] = values(facts, "manual_secret");
      expect(secret).toBe(`${values(facts, "namespace")[0]}/guestbook-mongodb`);

      const ready = preflight("prod", clusterFor(facts), copy.path);
      expect(ready.missing).toEqual([]);
      expect(ready.code).toBe(0);
      const state = clusterFor(facts);
      delete state.objects[`secret/${secret}`];
      const [namespace, name] = secret!.split("/");
      expect(preflight("prod", state, copy.path).missing).toEqual([
        `missing: Secret ${secret} (made by hand): kubectl -n ${namespace} create secret generic ${name} --from-literal=uri='mongodb+srv://...'`,
      ]);
    });
  });

  it("stops with one line when the cluster cannot be reached", () => {
    const run = preflight("dev", { unreachable: true, apiResources: [], objects: {}, pods: {}, storageClasses: [], canI: [] });
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(
      'preflight: cannot reach the cluster of context "fake": The connection to the server 127.0.0.1:6443 was refused - did you specify the right host or port?\n',
    );
  });

  it("refuses a missing or unknown environment with one line", () => {
    expect(preflight("", null)).toMatchObject({ code: 1, stderr: "usage: scripts/preflight.sh ENV   (ENV: one of overlays/*; needs kubectl and npm ci)\n" });
    expect(preflight("staging", null)).toMatchObject({ code: 1, stderr: 'overlay-facts: unknown environment "staging": expected one of dev, local, prod\n' });
  });

  it("only ever read from the cluster: get, api-resources, auth can-i (and rendered locally with kustomize)", () => {
    const calls = readFileSync(log, "utf8").trim().split("\n").map((line) => JSON.parse(line) as string[]);
    expect(calls.length).toBeGreaterThan(20);
    const verbs = new Set(calls.map((args) => (args[0] === "auth" || args[0] === "config" ? `${args[0]} ${args[1]}` : args[0])));
    expect([...verbs].sort()).toEqual(["api-resources", "auth can-i", "config current-context", "get", "kustomize"]);
  });
});
