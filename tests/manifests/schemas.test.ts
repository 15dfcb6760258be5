/**
 * schemas/: every generated file (the Kubernetes bundle built from @kubernetes/client-node, strict
 * CRD schemas, precompiled validators) is what npm run schemas writes from node_modules, and an
 * imported spec becomes a bundle the same way upstream's does.
 */
import { createHash } from "node:crypto";
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { GENERATED_DIRS, SCHEMA_DIR, generateSchemas, packagedBundleFiles } from "../../scripts/generate-schemas.js";
import { spawnSync } from "node:child_process";
import { validationDifferences } from "../../scripts/schemas/equivalence.js";
import { PACKAGED_DIFFERENCES } from "../../scripts/schemas/packaged-bundle.js";
import {
  BUNDLE_DIR,
  bundleText,
  importBundle,
  isPackaged,
  kubernetesVersions,
  readBundle,
} from "../../scripts/schemas/kubernetes-bundle.js";
import { strictDocument } from "../../scripts/schemas/strict.js";

const listFiles = (dir: string) => readdirSync(dir).map((file) => `${dir}/${file}`);

// A spec in the upstream shape, small enough to read: one kind, its references, one stray definition.
const SPEC = JSON.stringify({
  definitions: {
    "io.k8s.api.demo.v1.Widget": {
      description: "A widget.",
      type: "object",
      required: ["spec"],
      properties: {
        apiVersion: { type: "string" },
        kind: { type: "string" },
        metadata: { $ref: "#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta" },
        spec: {
          type: "object",
          "x-kubernetes-map-type": "atomic",
          properties: {
            port: { $ref: "#/definitions/io.k8s.apimachinery.pkg.util.intstr.IntOrString" },
            memory: { $ref: "#/definitions/io.k8s.apimachinery.pkg.api.resource.Quantity" },
            labels: { type: "object", additionalProperties: { type: "string" } },
          },
        },
      },
      "x-kubernetes-group-version-kind": [{ group: "demo.k8s.io", kind: "Widget", version: "v1" }],
    },
    "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta": { type: "object", properties: { name: { type: "string" } } },
    "io.k8s.apimachinery.pkg.util.intstr.IntOrString": { type: "string", format: "int-or-string" },
    "io.k8s.apimachinery.pkg.api.resource.Quantity": { type: "string" },
    "io.k8s.api.demo.v1.Unused": { type: "object", properties: { a: { type: "string" } } },
  },
});
const SOURCE = { repository: "example/spec", tag: "v1", commit: "0".repeat(40), path: "swagger.json" };

describe("schemas/", () => {
  // Generated in a separate process from the committed files, so an equal result also shows
  // the generation (ajv's standalone code included) is deterministic.
  it("holds exactly what npm run schemas generates from the model packages", { timeout: 120_000 }, () => {
    const generated = generateSchemas();
    expect([...GENERATED_DIRS.flatMap(listFiles), ...packagedBundleFiles()].sort()).toEqual([...generated.keys()].sort());
    for (const [path, text] of generated) {
      expect(readFileSync(path, "utf8") === text, `${path} is stale: run npm run schemas`).toBe(true);
    }
  });

  it("keeps nothing else beside the generated folders, the bundles and the README", () => {
    expect(readdirSync(SCHEMA_DIR).sort()).toEqual(["README.md", "compiled", "crds", "kubernetes"]);
    expect(readdirSync(BUNDLE_DIR).sort()).toEqual(["LICENSE", "README.md", ...kubernetesVersions().map((v) => `v${v}.json`)]);
  });

  it("names where each bundle came from in the README beside it", () => {
    const readme = readFileSync(join(BUNDLE_DIR, "README.md"), "utf8");
    for (const version of kubernetesVersions()) {
      const { source } = readBundle(version);
      const facts = isPackaged(source)
        ? [source.package, source.version, source.openApiSpec, source.quantitiesFrom, source.licence]
        : [source.repository, source.tag, source.commit, source.path, source.sha256, source.licence];
      for (const fact of facts) expect(readme, `${version}: ${fact}`).toContain(fact);
    }
  });

  it("imports a spec as its kinds and the definitions they reach, without descriptions or extensions", () => {
    const bundle = importBundle(SPEC, "1.0.0", SOURCE);
    expect(bundle.kinds).toEqual({ "demo.k8s.io/v1/Widget": "io.k8s.api.demo.v1.Widget" });
    expect(Object.keys(bundle.definitions)).toEqual([
      "io.k8s.api.demo.v1.Widget",
      "io.k8s.apimachinery.pkg.api.resource.Quantity",
      "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta",
      "io.k8s.apimachinery.pkg.util.intstr.IntOrString",
    ]);
    expect(JSON.stringify(bundle.definitions)).not.toMatch(/description|x-kubernetes/);
    expect(bundle.source).toEqual({ ...SOURCE, sha256: createHash("sha256").update(SPEC).digest("hex"), licence: "Apache-2.0" });
  });

  it("makes the definitions strict the way kubeconform's schemas are", () => {
    const { definitions } = strictDocument(importBundle(SPEC, "1.0.0", SOURCE));
    const widget = definitions["io.k8s.api.demo.v1.Widget"]!;
    expect(widget.additionalProperties).toBe(false);
    expect(widget.required).toEqual(["spec"]);
    expect(widget.properties!.spec!.additionalProperties).toBe(false);
    expect(widget.properties!.spec!.properties!.labels).toEqual({ type: "object", additionalProperties: { type: "string" } });
    expect(definitions["io.k8s.apimachinery.pkg.util.intstr.IntOrString"]).toEqual({ type: ["integer", "string"] });
    expect(definitions["io.k8s.apimachinery.pkg.api.resource.Quantity"]).toEqual({ type: ["number", "string"] });
  });

  it("schemas:import refuses incomplete arguments with its usage line", () => {
    const result = spawnSync(process.execPath, ["--import", "tsx", "scripts/schemas/import-kubernetes.ts", "--version", "1.37.0", "swagger.json"], {
      encoding: "utf8",
    });
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/^usage: npm run schemas:import -- --version X\.Y\.Z --repository OWNER\/NAME --tag TAG --commit SHA --path PATH \[FILE\]\n/);
  });

  it("schemas:import says in one line that a spec cannot be read or is not a spec, and writes nothing", () => {
    const args = ["--version", "9.9.9", "--repository", "kubernetes/kubernetes", "--tag", "v9.9.9", "--commit", "0".repeat(40), "--path", "swagger.json"];
    const run = (file: string) =>
      spawnSync(process.execPath, ["--import", "tsx", "scripts/schemas/import-kubernetes.ts", ...args, file], { encoding: "utf8" });
    expect(run("no/such/swagger.json").stderr).toBe("cannot read no/such/swagger.json: ENOENT\n");
    expect(run("package.json").stderr).toBe("package.json: not a Kubernetes OpenAPI v2 spec: no definitions\n");
    expect(readdirSync(BUNDLE_DIR)).not.toContain("v9.9.9.json");
  });

  // No upstream spec is committed. Point KUBERNETES_OPENAPI_DIR at a folder holding upstream
  // swagger.json files named v<version>.json to compare each bundle with its version's spec.
  const specDir = process.env.KUBERNETES_OPENAPI_DIR;
  it.skipIf(!specDir)("bundles validate as the upstream spec of their version does (needs KUBERNETES_OPENAPI_DIR with upstream swagger.json files)", { timeout: 120_000 }, () => {
    const versions = kubernetesVersions().filter((version) => readdirSync(specDir!).includes(`v${version}.json`));
    expect(versions, `no v<version>.json in ${specDir} for ${kubernetesVersions().join(", ")}`).not.toEqual([]);
    for (const version of versions) {
      const spec = readFileSync(join(specDir!, `v${version}.json`), "utf8");
      const bundle = readBundle(version);
      if (!isPackaged(bundle.source)) {
        const { repository, tag, commit, path, sha256 } = bundle.source;
        expect(createHash("sha256").update(spec).digest("hex"), `v${version}.json is not ${repository} ${tag} ${path}`).toBe(sha256);
        expect(bundleText(importBundle(spec, version, { repository, tag, commit, path }))).toBe(bundleText(bundle));
        continue;
      }
      const upstream = importBundle(spec, version, { repository: "upstream", tag: `v${version}`, commit: "", path: "" });
      expect(validationDifferences(upstream, bundle).filter((d) => !PACKAGED_DIFFERENCES.some((known) => known.test(d)))).toEqual([]);
    }
  });
});
