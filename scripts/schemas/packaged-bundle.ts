/**
 * The bundle of the Kubernetes version @kubernetes/client-node was generated from, built offline
 * from node_modules by npm run schemas: the package's models become OpenAPI definitions (types,
 * formats, required properties, arrays, maps, int-or-string), its APIs say which kinds each
 * group/version serves, and kubernetes-models says which properties are quantities.
 */
import { type Attribute, CLIENT_NODE, readClientNode } from "./client-node.js";
import { type KubernetesBundle, type OpenApiSchema, INT_OR_STRING, QUANTITY, reachable } from "./kubernetes-bundle.js";
import { type DeclaredDefinition, KUBERNETES_MODELS, type QuantityDeclarations, readQuantities } from "./kubernetes-models.js";

const ref = (name: string): OpenApiSchema => ({ $ref: `#/definitions/${name}` });

/** The definitions the generator inlined as plain types, restored under their upstream names. */
const SHARED: Record<string, OpenApiSchema> = {
  [INT_OR_STRING]: { type: "string", format: "int-or-string" },
  [QUANTITY]: { type: "string" },
};

/** A type as the generator writes it → OpenAPI. */
function typeSchema(type: string, format: string, models: ReadonlySet<string>, where: string): OpenApiSchema {
  const array = /^Array<(.+)>$/.exec(type);
  // A collection's format is its members' ("Array<number>", "int64").
  if (array) return { type: "array", items: typeSchema(array[1]!, format, models, where) };
  const map = /^\{ \[key: string\]: (.+); \}$/.exec(type);
  if (map) return { type: "object", additionalProperties: typeSchema(map[1]!, format, models, where) };
  switch (type) {
    case "string":
    case "boolean":
      return format ? { type, format } : { type };
    case "number":
      return { type: ["int32", "int64"].includes(format) ? "integer" : "number", ...(format ? { format } : {}) };
    case "Date":
    case "V1MicroTime":
      return { type: "string", format: format || "date-time" };
    case "IntOrString":
      return ref(INT_OR_STRING);
    case "any":
      return {};
  }
  if (models.has(type)) return ref(type);
  throw new Error(`${CLIENT_NODE}: ${where} has type ${type}, which this reader does not know`);
}

/** The string at the bottom of a property (itself, its items or its map values) made a Quantity. */
function asQuantity(schema: OpenApiSchema, where: string): OpenApiSchema {
  if (schema.type === "string" && !schema.format) return ref(QUANTITY);
  if (schema.items) return { ...schema, items: asQuantity(schema.items, where) };
  if (typeof schema.additionalProperties === "object") return { ...schema, additionalProperties: asQuantity(schema.additionalProperties, where) };
  throw new Error(`${KUBERNETES_MODELS} calls ${where} a quantity, but ${CLIENT_NODE} types it ${JSON.stringify(schema)}`);
}

/**
 * Model name → its quantities, as kubernetes-models declares the same definition. It names a
 * definition in full ("IoK8sApiCoreV1ResourceRequirements"), client-node by its tail
 * ("V1ResourceRequirements", or "CoreV1ResourceClaim" where two groups share a name): the longest
 * model name the full name ends with, holding the same properties, is the same definition.
 * Definitions of APIs Kubernetes removed (autoscaling/v2beta2, ...) match no model.
 */
function quantitiesByModel(models: Map<string, Attribute[]>, declarations: QuantityDeclarations): Map<string, DeclaredDefinition> {
  const byModel = new Map<string, DeclaredDefinition>();
  const names = [...models.keys()].sort((a, b) => b.length - a.length);
  for (const [fullName, declared] of declarations.definitions) {
    const model = names.find((name) => fullName.endsWith(name));
    const attributes = model ? models.get(model)!.map((a) => a.baseName) : [];
    if (!model || attributes.length !== declared.properties.size || !attributes.every((a) => declared.properties.has(a))) continue;
    byModel.set(model, declared);
  }
  return byModel;
}

function modelSchema(name: string, attributes: Attribute[], declared: DeclaredDefinition | undefined, models: ReadonlySet<string>): OpenApiSchema {
  const properties = Object.fromEntries(
    attributes.map(({ baseName, type, format }) => {
      const where = `${name}.${baseName}`;
      const schema = typeSchema(type, format, models, where);
      return [baseName, declared?.quantities.has(baseName) ? asQuantity(schema, where) : schema];
    }),
  );
  const required = attributes.filter((a) => a.required).map((a) => a.baseName);
  return { type: "object", properties, ...(required.length > 0 ? { required } : {}) };
}

/** "release-1.36" → "1.36.0" (a minor's API does not change in its patch releases), "v1.35.0" → "1.35.0". */
export function kubernetesVersionOf(openApiSpec: string): string {
  const match = /^(?:release-(\d+\.\d+)|v(\d+\.\d+\.\d+))$/.exec(openApiSpec);
  if (!match) throw new Error(`${CLIENT_NODE}: cannot tell the Kubernetes version of OpenAPI spec "${openApiSpec}"`);
  return match[1] ? `${match[1]}.0` : match[2]!;
}

export function packagedBundle(): KubernetesBundle {
  const client = readClientNode();
  const quantityDeclarations = readQuantities();
  const declared = quantitiesByModel(client.models, quantityDeclarations);
  const names = new Set(client.models.keys());
  const all: Record<string, OpenApiSchema> = { ...SHARED };
  for (const [name, attributes] of client.models) all[name] = modelSchema(name, attributes, declared.get(name), names);
  const kinds = Object.fromEntries(client.kinds);
  return {
    kubernetesVersion: kubernetesVersionOf(client.openApiSpec),
    source: {
      package: CLIENT_NODE,
      version: client.version,
      openApiSpec: client.openApiSpec,
      quantitiesFrom: `${KUBERNETES_MODELS}@${quantityDeclarations.version}`,
      licence: "Apache-2.0",
    },
    kinds,
    definitions: Object.fromEntries(reachable(all, Object.values(kinds)).map((name) => [name, all[name]!])),
  };
}

/**
 * How the bundle validates differently from an import of the upstream spec of the same version,
 * as validationDifferences (equivalence.ts) words it: kinds no manifest holds, and two places the
 * packages cannot say what upstream says. docs/validation.md lists them.
 */
export const PACKAGED_DIFFERENCES: readonly RegExp[] = [
  // Upstream lists these meta kinds under every group/version; no API returns them as a resource.
  /^kind \S+\/(DeleteOptions|WatchEvent) only in the first$/,
  // Discovery and status responses, not resources.
  /^kind v1\/(Status|APIGroup|APIGroupList|APIResourceList|APIVersions) only in the first$/,
  // Served only as subresources of another group's resource (pods/eviction, deployments/scale,
  // serviceaccounts/token), where client-node's APIs cannot tell their group.
  /^kind (policy\/v1\/Eviction|autoscaling\/v1\/Scale|authentication\.k8s\.io\/v1\/TokenRequest) only in the first$/,
  // RawExtension, FieldsV1 and properties-less structs: client-node types them `any`, so any value
  // passes where upstream wants an object (more lenient, never a false refusal).
  /: type object \/ any$/,
  // resource.k8s.io v1beta1/v1beta2 quantities: kubernetes-models has no such definitions, so these
  // take only strings, where upstream also takes numbers.
  /^io\.k8s\.api\.resource\.v1beta[12]\.\S+ \(io\.k8s\.apimachinery\.pkg\.api\.resource\.Quantity\): type number\|string \/ string$/,
];
