/**
 * The Kubernetes API as @kubernetes/client-node's generated code records it, read from
 * node_modules without running it:
 * - models (dist/gen/models/*.js): each property's JSON name, type and format (attributeTypeMap);
 *   their .d.ts: which properties are optional (`name?:`), the rest being required;
 * - APIs (dist/gen/apis/*.js and .d.ts): each operation's path and HTTP method, the model it
 *   takes as body and the one it returns, which tells which kinds each group/version serves.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export const CLIENT_NODE = "@kubernetes/client-node";
const PACKAGE_DIR = fileURLToPath(new URL(`../../node_modules/${CLIENT_NODE}/`, import.meta.url));
const GEN = join(PACKAGE_DIR, "dist/gen");
const MODELS = join(GEN, "models");
const APIS = join(GEN, "apis");

export interface Attribute {
  /** The JSON name. */
  baseName: string;
  /** TypeScript type as the generator wrote it: "string", "Array<V1Container>", "{ [key: string]: string; }", ... */
  type: string;
  format: string;
  required: boolean;
}

export interface ClientNodePackage {
  version: string;
  /** What the generated code says it was generated from ("release-1.36", "v1.35.0"). */
  openApiSpec: string;
  /** Model name ("V1Deployment") → its properties. */
  models: Map<string, Attribute[]>;
  /** "apps/v1/Deployment" → model name. */
  kinds: Map<string, string>;
}

const read = (path: string) => readFileSync(path, "utf8");

function attributes(model: string): Attribute[] {
  const js = read(join(MODELS, `${model}.js`));
  const table = /\.attributeTypeMap = (\[[\s\S]*?\n\]);/.exec(js)?.[1];
  if (!table) throw new Error(`${CLIENT_NODE}: ${model}.js has no attributeTypeMap`);
  const entries = JSON.parse(table) as { name: string; baseName: string; type: string; format: string }[];
  // The declaration names each property as `'name'?:` (optional) or `'name':` (required).
  const declared = new Map([...read(join(MODELS, `${model}.d.ts`)).matchAll(/^ {4}'([^']+)'(\?)?:/gm)].map((m) => [m[1]!, m[2] !== "?"]));
  return entries.map(({ name, baseName, type, format }) => {
    const required = declared.get(name);
    if (required === undefined) throw new Error(`${CLIENT_NODE}: ${model}.d.ts does not declare ${name}`);
    return { baseName, type, format, required };
  });
}

interface Operation {
  api: string;
  method: string;
  path: string;
  httpMethod: string;
  body?: string;
  returns?: string;
}

/** Every operation of one API class (AppsV1Api, ...), from its request factory and response processor. */
function operations(api: string): Operation[] {
  const js = read(join(APIS, `${api}.js`));
  const dts = read(join(APIS, `${api}.d.ts`));
  const bodies = new Map([...dts.matchAll(/^ {4}(\w+)\(([^)]*)\): Promise<RequestContext>;/gm)].map((m) => [m[1]!, /\bbody\??: (\w+)/.exec(m[2]!)?.[1]]));
  const returns = new Map([...dts.matchAll(/^ {4}(\w+)WithHttpInfo\(response: ResponseContext\): Promise<HttpInfo<(\w+)>>;/gm)].map((m) => [m[1]!, m[2]!]));
  return js
    .split(/^ {4}async /m)
    .slice(1)
    .flatMap((block) => {
      const method = /^(\w+)\(/.exec(block)?.[1];
      const path = /const localVarPath = '([^']+)'/.exec(block)?.[1];
      const httpMethod = /makeRequestContext\(localVarPath, HttpMethod\.(\w+)\)/.exec(block)?.[1];
      if (!method || !path || !httpMethod) return [];
      return [{ api, method, path, httpMethod, body: bodies.get(method), returns: returns.get(method) }];
    });
}

/** "/apis/apps/v1/namespaces/{namespace}/deployments/{name}" → apps/v1 and whether it is a resource, not a subresource. */
export function resourcePath(path: string): { groupVersion: string; resource: boolean } | undefined {
  const match = /^\/api\/(v1)\/(.*)$/.exec(path) ?? /^\/apis\/([^/]+\/[^/]+)\/(.*)$/.exec(path);
  if (!match) return undefined;
  let segments = match[2]!.split("/").filter(Boolean);
  if (segments[0] === "namespaces" && segments[1] === "{namespace}" && segments.length > 2) segments = segments.slice(2);
  const resource = segments.length === 1 || (segments.length === 2 && segments[1] === "{name}");
  return { groupVersion: match[1]!, resource: resource && segments[0] !== "watch" };
}

/** "V1Deployment" → "Deployment", "CoreV1Event" → "Event", "V1beta2DeviceClass" → "DeviceClass", with the version it names. */
export function kindOfModel(model: string): { version: string; kind: string } | undefined {
  const match = /^(?:[A-Z][a-z]+)*(V\d+(?:alpha\d+|beta\d+)?)([A-Z]\w*)$/.exec(model);
  return match ? { version: match[1]!.toLowerCase(), kind: match[2]! } : undefined;
}

/**
 * Kinds each group/version serves: the models its resource paths return (GET) or take as body
 * (POST, PUT). Subresources are left out: they serve another group's kind (a Deployment's
 * scale is autoscaling/v1 Scale), and DELETE and PATCH carry options and patches, not kinds.
 */
function servedKinds(apis: string[], models: Map<string, Attribute[]>): Map<string, string> {
  const kinds = new Map<string, string>();
  for (const operation of apis.flatMap(operations)) {
    const location = resourcePath(operation.path);
    if (!location?.resource) continue;
    const candidates =
      operation.httpMethod === "GET" ? [operation.returns] : ["POST", "PUT"].includes(operation.httpMethod) ? [operation.body, operation.returns] : [];
    for (const model of candidates) {
      const properties = model ? models.get(model)?.map((a) => a.baseName) : undefined;
      if (!model || !properties?.includes("apiVersion") || !properties.includes("kind")) continue;
      const named = kindOfModel(model);
      const version = location.groupVersion.split("/").pop()!;
      if (named?.version !== version) {
        throw new Error(`${CLIENT_NODE}: ${operation.api}.${operation.method} (${operation.path}) serves ${model}, not a ${version} kind`);
      }
      const key = `${location.groupVersion}/${named.kind}`;
      const known = kinds.get(key);
      if (known && known !== model) throw new Error(`${CLIENT_NODE}: ${key} is both ${known} and ${model}`);
      kinds.set(key, model);
    }
  }
  return new Map([...kinds].sort(([a], [b]) => (a < b ? -1 : 1)));
}

/**
 * The names an entry point exports. The package also ships files of models and APIs that earlier
 * Kubernetes versions had (their headers name v1.30.1 to v1.35.0); its entry points leave them out.
 */
function exported(entry: string, pattern: RegExp): string[] {
  const names = [...read(entry).matchAll(pattern)].map((m) => m[1]!).sort();
  if (names.length === 0) throw new Error(`${CLIENT_NODE}: ${entry} exports nothing this reader recognises`);
  return names;
}

/** Everything the bundle needs from the installed package. */
export function readClientNode(): ClientNodePackage {
  const { version } = JSON.parse(read(join(PACKAGE_DIR, "package.json"))) as { version: string };
  const names = exported(join(MODELS, "all.js"), /^export \* from '\.\.\/models\/(\w+)\.js';$/gm);
  const models = new Map(names.map((name) => [name, attributes(name)]));
  const specs = new Set(names.map((name) => /OpenAPI spec version: (\S+)/.exec(read(join(MODELS, `${name}.js`)))?.[1]));
  if (specs.size !== 1 || specs.has(undefined)) throw new Error(`${CLIENT_NODE}: models name ${specs.size} OpenAPI spec versions`);
  return { version, openApiSpec: [...specs][0]!, models, kinds: servedKinds(exported(join(GEN, "index.js"), /\bObject(\w+Api) as \1\b/g), models) };
}
