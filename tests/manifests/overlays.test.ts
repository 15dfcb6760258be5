/** What each environment must look like, read from real `kubectl kustomize` output. */
import { spawnSync } from "node:child_process";
import { readFileSync, readdirSync, existsSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { loadConfig } from "../../src/api/config.js";
import { findRenderer } from "../../scripts/validate/index.js";
import { hostsFor, readSettings } from "../../scripts/init/settings.js";
import { tempDir, testApp } from "../helpers/app.js";
import { ProjectedSecret } from "../helpers/projected-secret.js";

type Obj = { kind: string; metadata: { name: string; namespace?: string; labels?: Record<string, string> }; spec?: any; data?: any };

const rendered: Record<string, Obj[]> = {};
// The hosts come from the repository (npm run init sets them), never from the example values.
const hosts = hostsFor((await readSettings()).domain);
beforeAll(async () => {
  const renderer = findRenderer();
  for (const dir of ["base", "overlays/dev", "overlays/prod", "overlays/local"]) {
    rendered[dir] = parseAllDocuments(await renderer.render(dir)).map((d) => d.toJS() as Obj);
  }
});

const find = (dir: string, kind: string, name: string) => {
  const object = rendered[dir]!.find((o) => o.kind === kind && o.metadata.name === name);
  if (!object) throw new Error(`${dir} renders no ${kind}/${name}`);
  return object;
};
const container = (dir: string, name: string) => find(dir, "Deployment", name).spec.template.spec.containers[0];
/** The backend's mount holding MONGODB_URI_FILE, and the volume behind it. */
const uriFileVolume = (dir: string) => {
  const pod = find(dir, "Deployment", "guestbook-backend").spec.template.spec;
  const file: string = pod.containers[0].env.find((e: any) => e.name === "MONGODB_URI_FILE").value;
  const mount = pod.containers[0].volumeMounts.find((m: any) => file.startsWith(`${m.mountPath}/`));
  return { mount, mountPath: mount.mountPath as string, volume: pod.volumes.find((v: any) => v.name === mount.name) };
};
const admittedNamespaces = (dir: string, policy: string): string[] =>
  find(dir, "NetworkPolicy", policy).spec.ingress.flatMap((rule: any) =>
    rule.from.map((peer: any) => peer.namespaceSelector.matchLabels["kubernetes.io/metadata.name"]),
  );

describe("base", () => {
  it("runs two replicas each of a backend and a frontend Deployment", () => {
    const deployments = rendered.base!.filter((o) => o.kind === "Deployment");
    expect(deployments.map((d) => [d.metadata.name, d.spec.replicas])).toEqual([
      ["guestbook-backend", 2],
      ["guestbook-frontend", 2],
    ]);
  });

  it("names no namespace and no registry: environments add those", () => {
    expect(rendered.base!.filter((o) => o.metadata.namespace)).toEqual([]);
    for (const file of readdirSync("base")) expect(readFileSync(join("base", file), "utf8")).not.toMatch(/ghcr\.io|namespace:/);
  });

  it("routes /api to the backend and everything else to the frontend, by Prefix and with no rewrite", () => {
    const ingress = find("base", "Ingress", "guestbook");
    expect(ingress.spec.rules[0].http.paths.map((p: any) => [p.path, p.pathType, p.backend.service.name])).toEqual([
      ["/api", "Prefix", "guestbook-backend"],
      ["/", "Prefix", "guestbook-frontend"],
    ]);
    expect(JSON.stringify(ingress)).not.toContain("rewrite-target");
  });

  it("assumes no controller: no ingress class, no controller annotation, no controller's namespace", () => {
    const ingress = find("base", "Ingress", "guestbook");
    expect(ingress.spec.ingressClassName).toBeUndefined();
    expect((ingress.metadata as { annotations?: object }).annotations).toBeUndefined();
    const from = find("base", "NetworkPolicy", "guestbook-allow-ingress-controller").spec.ingress[0].from;
    expect(from).toEqual([{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "SET-IN-OVERLAY" } } }]);
  });
});

describe("the backend's egress", () => {
  const egress = () => find("base", "NetworkPolicy", "guestbook-backend-egress").spec.egress as any[];
  const allows = (rule: any, port: number, protocol: string) =>
    rule.ports.some((p: any) => p.protocol === protocol && p.port <= port && port <= (p.endPort ?? p.port));

  it("resolves names through the cluster DNS pods and through NodeLocal DNSCache's link-local address", () => {
    const dns = egress().filter((rule) => allows(rule, 53, "UDP") && allows(rule, 53, "TCP"));
    expect(dns).toHaveLength(1);
    expect(dns[0].to).toContainEqual({
      namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "kube-system" } },
      podSelector: { matchLabels: { "k8s-app": "kube-dns" } },
    });
    expect(dns[0].to).toContainEqual({ ipBlock: { cidr: "169.254.20.10/32" } });
  });

  it("reaches MongoDB on Atlas replica sets' 27017 and sharded clusters' 27016, and no other port", () => {
    const mongo = egress().filter((rule) => !rule.to);
    expect(mongo).toHaveLength(1);
    for (const port of [27016, 27017]) expect(allows(mongo[0], port, "TCP"), String(port)).toBe(true);
    for (const port of [27015, 27018, 53, 443]) expect(allows(mongo[0], port, "TCP"), String(port)).toBe(false);
  });
});

describe("the manifests agree with the API they run", () => {
  it("probe paths are ones the real API answers with 200", async () => {
    const ctx = testApp();
    try {
      const api = container("base", "guestbook-backend");
      for (const probe of [api.readinessProbe, api.livenessProbe]) {
        expect((await ctx.app.request(probe.httpGet.path)).status).toBe(200);
      }
    } finally {
      await ctx.cleanup();
    }
  });

  it("the backend's environment is a valid API configuration whose drain fits the grace period", async () => {
    const deployment = find("base", "Deployment", "guestbook-backend");
    const api = deployment.spec.template.spec.containers[0];
    const env = Object.fromEntries(api.env.map((e: any) => [e.name, e.value]));
    // The connection string's file, from the Secret volume laid out as the kubelet does it.
    const root = tempDir();
    try {
      const { mountPath, volume } = uriFileVolume("base");
      new ProjectedSecret(join(root.path, mountPath)).write({ uri: "mongodb://from-secret:27017" });
      const config = await loadConfig({ ...env, MONGODB_URI_FILE: join(root.path, env.MONGODB_URI_FILE) });
      expect(config.mongodb?.uri).toBe("mongodb://from-secret:27017");
      expect(api.ports[0].containerPort).toBe(config.port);
      expect(config.shutdownDelayMs).toBeGreaterThan(0);
      expect(config.shutdownTimeoutMs).toBeLessThan(deployment.spec.template.spec.terminationGracePeriodSeconds * 1000);
      expect(volume.secret).toMatchObject({ secretName: "guestbook-mongodb", items: [{ key: "uri", path: "uri" }] });
    } finally {
      root.remove();
    }
  });

  it("mounts the connection string's Secret read-only as a folder, so a rotated password reaches running pods", () => {
    const api = container("base", "guestbook-backend");
    expect(api.env.some((e: any) => e.name === "MONGODB_URI")).toBe(false);
    const { mount } = uriFileVolume("base");
    expect(mount).toEqual({ name: "mongodb-uri", mountPath: "/etc/guestbook/mongodb", readOnly: true }); // no subPath
    expect(api.securityContext.readOnlyRootFilesystem).toBe(true);
  });
});

describe.each([
  ["overlays/dev", "guestbook-dev", hosts.dev],
  ["overlays/prod", "guestbook-prod", hosts.prod],
  ["overlays/local", "guestbook-local", "localhost"],
])("%s", (dir, namespace, host) => {
  it(`puts every namespaced object in ${namespace}, under a restricted Namespace`, () => {
    for (const o of rendered[dir]!.filter((o) => o.kind !== "Namespace")) expect(o.metadata.namespace).toBe(namespace);
    expect(find(dir, "Namespace", namespace).metadata.labels?.["pod-security.kubernetes.io/enforce"]).toBe("restricted");
  });

  it("pins the Pod Security Standard to the oldest Kubernetes minor CI's kubeconform checks", () => {
    const versions = spawnSync("bash", ["scripts/kubeconform.sh", "--versions"], { encoding: "utf8" }).stdout;
    const oldest = versions.split("\n")[0]!.split(".").slice(0, 2).join(".");
    expect(find(dir, "Namespace", namespace).metadata.labels?.["pod-security.kubernetes.io/enforce-version"]).toBe(`v${oldest}`);
  });

  it(`serves ${host}`, () => {
    const route = rendered[dir]!.find((o) => o.kind === "HTTPRoute");
    expect(route ? route.spec.hostnames : [find(dir, "Ingress", "guestbook").spec.rules[0].host]).toEqual([host]);
  });

  it("keeps the base's selectors: environment labels go on objects and pods only", () => {
    for (const name of ["guestbook-backend", "guestbook-frontend"]) {
      const deployment = find(dir, "Deployment", name);
      expect(deployment.spec.selector).toEqual(find("base", "Deployment", name).spec.selector);
      expect(deployment.spec.template.metadata.labels["app.kubernetes.io/instance"]).toBe(namespace);
    }
  });
});

describe("environments differ only where they must", () => {
  it("dev and prod take their images from their own images: entries", () => {
    for (const dir of ["overlays/dev", "overlays/prod"]) {
      const kustomization = readFileSync(join(dir, "kustomization.yaml"), "utf8");
      const tag = /name: guestbook-api\n\s+newName: (\S+)\n\s+newTag: (\S+)/.exec(kustomization)!;
      expect(container(dir, "guestbook-backend").image).toBe(`${tag[1]}:${tag[2]}`);
    }
  });

  it("dev runs one of each; prod lets an HPA (3 or more) own the backend and runs three frontends", () => {
    expect(find("overlays/dev", "Deployment", "guestbook-backend").spec.replicas).toBe(1);
    expect(find("overlays/dev", "Deployment", "guestbook-frontend").spec.replicas).toBe(1);
    expect(find("overlays/prod", "Deployment", "guestbook-backend").spec.replicas).toBeUndefined();
    expect(find("overlays/prod", "HorizontalPodAutoscaler", "guestbook-backend").spec.minReplicas).toBeGreaterThanOrEqual(3);
    expect(find("overlays/prod", "Deployment", "guestbook-frontend").spec.replicas).toBe(3);
  });

  it("dev and prod come in through an Ingress of class traefik, and only Traefik's namespace may reach the pods", () => {
    for (const dir of ["overlays/dev", "overlays/prod"]) {
      expect(find(dir, "Ingress", "guestbook").spec.ingressClassName).toBe("traefik");
      expect(admittedNamespaces(dir, "guestbook-allow-ingress-controller")).toEqual(["traefik"]);
      expect(rendered[dir]!.some((o) => o.kind === "HTTPRoute")).toBe(false);
    }
  });

  it("local comes in through Gateway API: an HTTPRoute on the shared Gateway and only its proxies' namespace", () => {
    const route = find("overlays/local", "HTTPRoute", "guestbook");
    expect(route.spec.parentRefs).toEqual([{ name: "public", namespace: "gateway-system" }]);
    expect(route.spec.rules.map((r: any) => [r.matches[0].path.value, r.backendRefs[0].name, r.backendRefs[0].port])).toEqual([
      ["/api", "guestbook-backend", 80],
      ["/", "guestbook-frontend", 80],
    ]);
    expect(admittedNamespaces("overlays/local", "guestbook-allow-gateway")).toEqual(["envoy-gateway-system"]);
    expect(rendered["overlays/local"]!.filter((o) => o.kind === "Ingress" || o.metadata.name === "guestbook-allow-ingress-controller")).toEqual([]);
  });

  it("prod terminates TLS for its host", () => {
    const ingress = find("overlays/prod", "Ingress", "guestbook");
    expect(ingress.spec.tls).toEqual([{ hosts: [ingress.spec.rules[0].host], secretName: "guestbook-tls" }]);
  });

  it("each Atlas environment reads its own connection string through External Secrets", () => {
    expect(find("overlays/dev", "ExternalSecret", "guestbook-mongodb").spec.data[0].remoteRef.key).toBe("guestbook/dev/mongodb-uri");
    expect(find("overlays/prod", "ExternalSecret", "guestbook-mongodb").spec.data[0].remoteRef.key).toBe("guestbook/prod/mongodb-uri");
  });

  it("the ExternalSecret writes out what the External Secrets CRD defaults, so no diff sees Git and the cluster disagree", () => {
    for (const dir of ["overlays/dev", "overlays/prod"]) {
      const remoteRef = find(dir, "ExternalSecret", "guestbook-mongodb").spec.data[0].remoteRef;
      // The defaults of the external-secrets.io/v1 CRD up to v2.8 (v2.9.0 stopped defaulting them).
      expect(remoteRef).toMatchObject({ conversionStrategy: "Default", decodingStrategy: "None", metadataPolicy: "None" });
    }
  });

  it("local runs MongoDB in the cluster on a PersistentVolumeClaim, with no external secret store", () => {
    const mongo = find("overlays/local", "StatefulSet", "guestbook-mongodb");
    expect(mongo.spec.volumeClaimTemplates[0].spec.resources.requests.storage).toBe("1Gi");
    expect(mongo.spec.template.spec.containers[0].volumeMounts).toContainEqual({ name: "data", mountPath: "/data/db" });
    expect(rendered["overlays/local"]!.some((o) => o.kind === "ExternalSecret")).toBe(false);
    // The backend's Secret is generated by the overlay (tests/manifests/in-cluster-mongodb.test.ts).
    const secretName = uriFileVolume("overlays/local").volume.secret.secretName;
    expect(find("overlays/local", "Secret", secretName).metadata.name).toMatch(/^guestbook-mongodb-[a-z0-9]+$/);
  });
});

it("no kustomization uses a deprecated field", () => {
  const dirs = ["base", "argocd", ...["components", "overlays"].flatMap((root) => readdirSync(root).map((d) => `${root}/${d}`))];
  for (const dir of dirs.filter((d) => existsSync(join(d, "kustomization.yaml")))) {
    const text = readFileSync(join(dir, "kustomization.yaml"), "utf8");
    expect(text, dir).not.toMatch(/^(bases|patchesStrategicMerge|patchesJson6902|commonLabels|vars):/m);
  }
});

it("no manifest has tabs or trailing whitespace", () => {
  const yamlFiles = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
      e.isDirectory() ? yamlFiles(join(dir, e.name)) : e.name.endsWith(".yaml") ? [join(dir, e.name)] : [],
    );
  for (const file of ["base", "overlays", "components", "argocd"].flatMap(yamlFiles)) {
    readFileSync(file, "utf8")
      .split("\n")
      .forEach((line, i) => expect(/\t| +$/.test(line), `${file}:${i + 1}`).toBe(false));
  }
});
