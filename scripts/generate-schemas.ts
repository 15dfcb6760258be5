/**
 * `npm run schemas`: writes one strict JSON Schema per kind into schemas/, generated from the
 * TypeScript types of kubernetes-models (Kubernetes v1.33.0), @kubernetes-models/argo-cd (Argo
 * CD v2.14 CRDs) and @kubernetes-models/external-secrets (v1 API). Objects refuse unknown
 * fields (additionalProperties: false), as `kubeconform -strict` does. A test checks that the
 * committed files are what the pinned packages generate.
 */
import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createGenerator } from "ts-json-schema-generator";

export const SCHEMA_DIR = "schemas";
const KINDS_SOURCE = "scripts/schemas/kinds.ts";

interface KindSchema {
  definitions?: Record<string, { properties?: Record<string, { const?: string }> }>;
  $ref?: string;
}

/** The kind aliases declared in kinds.ts, in order. */
function kindAliases(): string[] {
  return [...readFileSync(KINDS_SOURCE, "utf8").matchAll(/^export type (\w+) =/gm)].map((m) => m[1]!);
}

/** apiVersion and kind as the generated schema pins them. */
function identify(schema: KindSchema, alias: string): { apiVersion: string; kind: string } {
  const root = schema.definitions?.[alias];
  const target = root && "$ref" in root ? String(root.$ref).replace("#/definitions/", "") : alias;
  const properties = schema.definitions?.[target]?.properties;
  const apiVersion = properties?.apiVersion?.const;
  const kind = properties?.kind?.const;
  if (!apiVersion || !kind) throw new Error(`${alias}: the type does not pin apiVersion and kind`);
  return { apiVersion, kind };
}

/** File name of a kind's schema, after kubeconform's "<kind>-<group>-<version>.json". */
export const schemaFileName = (apiVersion: string, kind: string): string => {
  const [group, version] = apiVersion.includes("/") ? apiVersion.split("/") : ["", apiVersion];
  return `${[kind, group?.split(".")[0], version].filter(Boolean).join("-").toLowerCase()}.json`;
};

export function generateSchemas(): Map<string, string> {
  const generator = createGenerator({
    path: KINDS_SOURCE,
    tsconfig: "scripts/schemas/tsconfig.json",
    skipTypeCheck: true,
    additionalProperties: false,
    expose: "all",
    topRef: true,
    jsDoc: "none",
  });
  const files = new Map<string, string>();
  for (const alias of kindAliases()) {
    const schema = generator.createSchema(alias) as KindSchema;
    const { apiVersion, kind } = identify(schema, alias);
    files.set(schemaFileName(apiVersion, kind), `${JSON.stringify(schema, null, 1)}\n`);
  }
  return files;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const files = generateSchemas();
  rmSync(SCHEMA_DIR, { recursive: true, force: true });
  mkdirSync(SCHEMA_DIR, { recursive: true });
  for (const [name, text] of files) writeFileSync(join(SCHEMA_DIR, name), text);
  console.log(`wrote ${files.size} schemas to ${SCHEMA_DIR}/: ${readdirSync(SCHEMA_DIR).join(", ")}`);
}
