/**
 * An imported Kubernetes OpenAPI bundle → strict JSON Schema, the way kubeconform's
 * "-standalone-strict" schemas are made from the same spec: objects with properties refuse
 * unknown fields at every depth, int-or-string and Quantity take what the API server decodes.
 * Explicit nulls are dropped before validation (schema.ts), as the API server decodes them.
 */
import { INT_OR_STRING, type KubernetesBundle, type OpenApiSchema, QUANTITY } from "./kubernetes-bundle.js";

export type JsonSchema = {
  $ref?: string;
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: JsonSchema | boolean;
  items?: JsonSchema;
};

// The API server decodes these from more than their declared string type.
const SPECIAL: Record<string, JsonSchema> = {
  [INT_OR_STRING]: { type: ["integer", "string"] },
  [QUANTITY]: { type: ["number", "string"] },
};

function strict(schema: OpenApiSchema): JsonSchema {
  if (schema.$ref) return { $ref: schema.$ref };
  if (schema.format === "int-or-string") return { type: ["integer", "string"] };
  const out: JsonSchema = {};
  if (schema.type) out.type = schema.type;
  if (schema.properties) {
    out.properties = Object.fromEntries(Object.entries(schema.properties).map(([name, value]) => [name, strict(value)]));
    if (schema.required?.length) out.required = schema.required;
    out.additionalProperties = false;
  } else if (schema.additionalProperties !== undefined) {
    out.additionalProperties =
      typeof schema.additionalProperties === "boolean" ? schema.additionalProperties : strict(schema.additionalProperties);
  }
  if (schema.items) out.items = strict(schema.items);
  return out;
}

/** Every definition of the bundle, strict, under `definitions`, with `$id` naming the version. */
export function strictDocument(bundle: KubernetesBundle): { $id: string; definitions: Record<string, JsonSchema> } {
  const definitions = Object.fromEntries(
    Object.entries(bundle.definitions).map(([name, schema]) => [name, SPECIAL[name] ?? strict(schema)]),
  );
  return { $id: `kubernetes-v${bundle.kubernetesVersion}`, definitions };
}
