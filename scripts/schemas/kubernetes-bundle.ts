/**
 * The Kubernetes API definitions the validator needs, one bundle per targeted version: only what
 * validation reads (types, properties, required, items, maps, references, int-or-string) and
 * where each kind is defined. npm run schemas writes the bundle of the version an npm package
 * carries (packaged-bundle.ts) and generates the strict schemas from every bundle offline;
 * npm run schemas:import adds one from an upstream OpenAPI spec (swagger.json).
 */
import { createHash } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export const BUNDLE_DIR = "schemas/kubernetes";
const REPO_ROOT = fileURLToPath(new URL("../../", import.meta.url));

/** The precompiled validators of one version, in schemas/compiled/ (npm run schemas writes them). */
export const compiledModuleName = (version: string) => `kubernetes-v${version}.js`;

export interface OpenApiSchema {
  $ref?: string;
  type?: string;
  format?: string;
  properties?: Record<string, OpenApiSchema>;
  required?: string[];
  items?: OpenApiSchema;
  additionalProperties?: OpenApiSchema | boolean;
}

/** The definitions upstream names that validation treats specially (strict.ts). */
export const INT_OR_STRING = "io.k8s.apimachinery.pkg.util.intstr.IntOrString";
export const QUANTITY = "io.k8s.apimachinery.pkg.api.resource.Quantity";

/** An upstream spec a maintainer imported: where it came from, so anyone can fetch the same file. */
export interface ImportedSource {
  repository: string;
  tag: string;
  commit: string;
  path: string;
  sha256: string;
  licence: string;
}

/** The npm packages a bundle was built from by npm run schemas (versions as installed from the lockfile). */
export interface PackagedSource {
  package: string;
  version: string;
  /** What the package's generated code says it was generated from. */
  openApiSpec: string;
  quantitiesFrom: string;
  licence: string;
}

export type BundleSource = ImportedSource | PackagedSource;

export const isPackaged = (source: BundleSource): source is PackagedSource => "package" in source;

/** One line naming where a bundle came from. */
export const describeSource = (source: BundleSource): string =>
  isPackaged(source)
    ? `${source.package} ${source.version}, generated from the OpenAPI spec of ${source.openApiSpec}; quantities from ${source.quantitiesFrom}`
    : `${source.repository} ${source.tag} ${source.path}`;

export interface KubernetesBundle {
  kubernetesVersion: string;
  source: BundleSource;
  /** "apps/v1/Deployment" → the definition of that kind. */
  kinds: Record<string, string>;
  definitions: Record<string, OpenApiSchema>;
}

type SpecDefinition = OpenApiSchema & {
  "x-kubernetes-group-version-kind"?: { group: string; version: string; kind: string }[];
};

const KEPT = ["$ref", "type", "format", "properties", "required", "items", "additionalProperties"] as const;

function keep(schema: OpenApiSchema): OpenApiSchema {
  const out: OpenApiSchema = {};
  for (const key of KEPT) {
    const value = schema[key];
    if (value === undefined) continue;
    if (key === "properties") {
      out.properties = Object.fromEntries(Object.entries(value as Record<string, OpenApiSchema>).map(([k, v]) => [k, keep(v)]));
    } else if ((key === "items" || key === "additionalProperties") && typeof value === "object") {
      out[key] = keep(value as OpenApiSchema);
    } else {
      (out as Record<string, unknown>)[key] = value;
    }
  }
  return out;
}

const refName = (ref: string) => ref.replace("#/definitions/", "");

/** Definitions reachable from `roots`, sorted by name. */
export function reachable(definitions: Record<string, OpenApiSchema>, roots: string[]): string[] {
  const seen = new Set<string>();
  const visit = (schema: OpenApiSchema | boolean | undefined): void => {
    if (!schema || typeof schema !== "object") return;
    if (schema.$ref && !seen.has(refName(schema.$ref))) {
      seen.add(refName(schema.$ref));
      visit(definitions[refName(schema.$ref)]);
    }
    for (const property of Object.values(schema.properties ?? {})) visit(property);
    visit(schema.items);
    visit(schema.additionalProperties);
  };
  for (const root of roots) visit({ $ref: `#/definitions/${root}` });
  return [...seen].sort();
}

/** An upstream swagger.json → the bundle of one Kubernetes version. */
export function importBundle(specText: string, kubernetesVersion: string, source: Omit<ImportedSource, "sha256" | "licence">): KubernetesBundle {
  const spec = JSON.parse(specText) as { definitions?: Record<string, SpecDefinition> };
  if (!spec.definitions) throw new Error("not a Kubernetes OpenAPI v2 spec: no definitions");
  const kinds: Record<string, string> = {};
  for (const [name, definition] of Object.entries(spec.definitions)) {
    for (const { group, version, kind } of definition["x-kubernetes-group-version-kind"] ?? []) {
      kinds[`${group ? `${group}/` : ""}${version}/${kind}`] = name;
    }
  }
  const sortedKinds = Object.fromEntries(Object.entries(kinds).sort(([a], [b]) => (a < b ? -1 : 1)));
  const definitions = Object.fromEntries(
    reachable(spec.definitions, Object.values(kinds)).map((name) => [name, keep(spec.definitions![name]!)]),
  );
  return {
    kubernetesVersion,
    source: { ...source, sha256: createHash("sha256").update(specText).digest("hex"), licence: "Apache-2.0" },
    kinds: sortedKinds,
    definitions,
  };
}

export const bundleText = (bundle: KubernetesBundle) => `${JSON.stringify(bundle, null, 1)}\n`;

const versionKey = (v: string) => v.split(".").map((n) => n.padStart(4, "0")).join(".");

/** The targeted Kubernetes versions, oldest first: one committed bundle each. */
export function kubernetesVersions(root = REPO_ROOT): string[] {
  return readdirSync(join(root, BUNDLE_DIR))
    .map((file) => /^v(\d+\.\d+\.\d+)\.json$/.exec(file)?.[1])
    .filter((v): v is string => v !== undefined)
    .sort((a, b) => (versionKey(a) < versionKey(b) ? -1 : 1));
}

export function readBundle(version: string, root = REPO_ROOT): KubernetesBundle {
  return JSON.parse(readFileSync(join(root, BUNDLE_DIR, `v${version}.json`), "utf8")) as KubernetesBundle;
}
