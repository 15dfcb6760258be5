/**
 * `npm run schemas`: regenerates what the validator loads, offline and deterministically, from
 * the npm packages in node_modules.
 * - schemas/kubernetes/v<version>.json: the bundle of the Kubernetes version
 *   @kubernetes/client-node carries (scripts/schemas/packaged-bundle.ts). Bundles a maintainer
 *   imported with npm run schemas:import are left as they are.
 * - schemas/crds/: one strict JSON Schema per custom resource kind in scripts/schemas/kinds.ts,
 *   from the model packages' TypeScript types.
 * - schemas/compiled/: precompiled validators, one module per Kubernetes bundle (every built-in
 *   kind of that version) and one for the custom resources.
 * A test checks that the committed files are what this generates.
 */
import { mkdirSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { compileModule } from "./schemas/compile.js";
import { crdSchemas } from "./schemas/crds.js";
import {
  BUNDLE_DIR,
  type KubernetesBundle,
  bundleText,
  compiledModuleName,
  describeSource,
  isPackaged,
  kubernetesVersions,
  readBundle,
} from "./schemas/kubernetes-bundle.js";
import { CLIENT_NODE } from "./schemas/client-node.js";
import { packagedBundle } from "./schemas/packaged-bundle.js";
import { strictDocument } from "./schemas/strict.js";

export const SCHEMA_DIR = "schemas";
/** The folders npm run schemas owns: emptied and rewritten on every run. */
export const GENERATED_DIRS = ["schemas/crds", "schemas/compiled"];

/** The bundles in schemas/kubernetes/ that npm run schemas wrote (from a package), by path. */
export function packagedBundleFiles(): string[] {
  return kubernetesVersions()
    .filter((version) => isPackaged(readBundle(version).source))
    .map((version) => `${BUNDLE_DIR}/v${version}.json`);
}

function kubernetesModule(bundle: KubernetesBundle): string {
  const document = strictDocument(bundle);
  const kinds = Object.fromEntries(
    Object.entries(bundle.kinds).map(([key, definition]) => [key, `${document.$id}#/definitions/${definition}`]),
  );
  return compileModule([document], kinds, `Kubernetes ${bundle.kubernetesVersion}: every built-in kind, strict (from ${describeSource(bundle.source)}).`);
}

/** Every generated file, by path from the repository root. */
export function generateSchemas(): Map<string, string> {
  const files = new Map<string, string>();
  const crds = crdSchemas();
  for (const crd of crds) files.set(`schemas/crds/${crd.file}`, `${JSON.stringify(crd.schema, null, 1)}\n`);
  files.set(
    "schemas/compiled/crds.js",
    compileModule(
      crds.map((crd) => ({ ...crd.schema, $id: `crds/${crd.file}` })),
      Object.fromEntries(crds.map((crd) => [`${crd.apiVersion}/${crd.kind}`, `crds/${crd.file}`])),
      "Custom resources: the aliases in scripts/schemas/kinds.ts, strict.",
    ),
  );
  const packaged = packagedBundle();
  const imported = kubernetesVersions()
    .map((version) => readBundle(version))
    .filter((bundle) => !isPackaged(bundle.source));
  if (imported.some((bundle) => bundle.kubernetesVersion === packaged.kubernetesVersion)) {
    throw new Error(`${BUNDLE_DIR}/v${packaged.kubernetesVersion}.json was imported, but ${CLIENT_NODE} carries that version: delete it`);
  }
  files.set(`${BUNDLE_DIR}/v${packaged.kubernetesVersion}.json`, bundleText(packaged));
  for (const bundle of [packaged, ...imported]) files.set(`schemas/compiled/${compiledModuleName(bundle.kubernetesVersion)}`, kubernetesModule(bundle));
  return files;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const files = generateSchemas();
  for (const dir of GENERATED_DIRS) rmSync(dir, { recursive: true, force: true });
  for (const file of packagedBundleFiles()) rmSync(file);
  // Schemas generated before these folders existed lay directly in schemas/.
  for (const file of readdirSync(SCHEMA_DIR).filter((f) => f.endsWith(".json"))) rmSync(join(SCHEMA_DIR, file));
  for (const [path, text] of files) {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, text);
  }
  console.log(`wrote ${files.size} files to ${[BUNDLE_DIR, ...GENERATED_DIRS].join(", ")} (Kubernetes ${kubernetesVersions().join(", ")})`);
}
