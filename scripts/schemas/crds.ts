/**
 * The custom resources the manifests use (Argo CD, External Secrets, ...): one strict JSON
 * Schema per alias in kinds.ts, generated from the model packages' TypeScript types, with
 * unknown fields refused at every depth (additionalProperties: false).
 */
import { readFileSync } from "node:fs";
import { createGenerator } from "ts-json-schema-generator";

const KINDS_SOURCE = "scripts/schemas/kinds.ts";

export interface CrdSchema {
  apiVersion: string;
  kind: string;
  /** kubeconform's file name, "<kind>-<group>-<version>.json". */
  file: string;
  schema: object;
}

interface GeneratedSchema {
  definitions?: Record<string, { $ref?: string; properties?: Record<string, { const?: string }> }>;
}

/** The kind aliases declared in kinds.ts, in order. */
function kindAliases(): string[] {
  return [...readFileSync(KINDS_SOURCE, "utf8").matchAll(/^export type (\w+) =/gm)].map((m) => m[1]!);
}

/** apiVersion and kind as the generated schema pins them. */
function identify(schema: GeneratedSchema, alias: string): { apiVersion: string; kind: string } {
  const root = schema.definitions?.[alias];
  const target = root?.$ref ? root.$ref.replace("#/definitions/", "") : alias;
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

export function crdSchemas(): CrdSchema[] {
  const generator = createGenerator({
    path: KINDS_SOURCE,
    tsconfig: "scripts/schemas/tsconfig.json",
    skipTypeCheck: true,
    additionalProperties: false,
    expose: "all",
    topRef: true,
    jsDoc: "none",
  });
  return kindAliases().map((alias) => {
    const schema = generator.createSchema(alias);
    const { apiVersion, kind } = identify(schema as GeneratedSchema, alias);
    return { apiVersion, kind, file: schemaFileName(apiVersion, kind), schema };
  });
}
