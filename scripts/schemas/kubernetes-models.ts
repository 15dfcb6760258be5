/**
 * Which properties are resource quantities (`memory: 128Mi` or `memory: 134217728`), read from
 * the type declarations of the kubernetes-models package. @kubernetes/client-node's generator
 * types a Quantity as a plain string, so its models alone would refuse `cpu: 1`, which the API
 * server and kubeconform accept.
 */
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export const KUBERNETES_MODELS = "kubernetes-models";
const PACKAGE_DIR = fileURLToPath(new URL(`../../node_modules/${KUBERNETES_MODELS}/`, import.meta.url));
const QUANTITY_TYPE = "IIoK8sApimachineryPkgApiResourceQuantity";

export interface DeclaredDefinition {
  properties: Set<string>;
  quantities: Set<string>;
}

export interface QuantityDeclarations {
  version: string;
  /** "IoK8sApiCoreV1ResourceRequirements" → its properties, and those that hold quantities. */
  definitions: Map<string, DeclaredDefinition>;
}

function declarationFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === "_schemas" ? [] : declarationFiles(path);
    return entry.name.endsWith(".d.ts") && entry.name !== "index.d.ts" ? [path] : [];
  });
}

/** One declaration file: `export interface IX { "prop"?: Type; ... }`, aliased `IX as IIoK8s...`. */
function parseDeclaration(text: string): [string, DeclaredDefinition] | undefined {
  const alias = /export type \{ I\w+ as I(IoK8s\w+),/.exec(text)?.[1];
  const body = /^export interface I\w+(?: extends [\w, ]+)? \{\n([\s\S]*?)^\}/m.exec(text)?.[1];
  if (!alias || body === undefined) return undefined;
  const properties = new Set<string>();
  const quantities = new Set<string>();
  // Each property starts at four spaces of indentation; its type may span several lines.
  for (const declaration of body.replace(/\/\*\*[\s\S]*?\*\//g, "").split(/^(?= {4}"[^"]+"\??:)/m)) {
    const name = /^ {4}"([^"]+)"\??:/.exec(declaration)?.[1];
    if (!name) continue;
    properties.add(name);
    if (declaration.includes(QUANTITY_TYPE)) quantities.add(name);
  }
  return [alias, { properties, quantities }];
}

export function readQuantities(): QuantityDeclarations {
  const { version } = JSON.parse(readFileSync(join(PACKAGE_DIR, "package.json"), "utf8")) as { version: string };
  const definitions = new Map(
    declarationFiles(PACKAGE_DIR).flatMap((file) => {
      const parsed = parseDeclaration(readFileSync(file, "utf8"));
      return parsed && parsed[1].quantities.size > 0 ? [parsed] : [];
    }),
  );
  if (definitions.size === 0) throw new Error(`${KUBERNETES_MODELS}: no quantity found in its declarations`);
  return { version, definitions };
}
