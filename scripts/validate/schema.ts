/**
 * Structural validation, as `kubeconform -strict` does: every built-in kind against each targeted
 * Kubernetes version, custom resources against their own schema. The validators are precompiled
 * (schemas/compiled/, npm run schemas), so nothing is compiled here.
 */
import type { ErrorObject } from "ajv";
import { compiledModuleName, kubernetesVersions } from "../schemas/kubernetes-bundle.js";
import { type Manifest, problemAt } from "./documents.js";
import { type Problem, pointerSegments } from "./problem.js";

type Validator = ((data: unknown) => boolean) & { errors?: ErrorObject[] | null };
/** "apiVersion/kind" → validator, as each compiled module exports it. */
type KindTable = Record<string, Validator | undefined>;

export interface Schemas {
  /** Targeted Kubernetes versions, oldest first. */
  versions: string[];
  builtIn: Map<string, KindTable>;
  custom: KindTable;
}

const COMPILED = new URL("../../schemas/compiled/", import.meta.url);
let loaded: Promise<Schemas> | undefined;

async function loadKinds(file: string): Promise<KindTable> {
  try {
    return ((await import(new URL(file, COMPILED).href)) as { kinds: KindTable }).kinds;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ERR_MODULE_NOT_FOUND") throw error;
    throw new Error(`schemas/compiled/${file} is missing: run npm run schemas`);
  }
}

/** The precompiled validators, loaded once per process. */
export function loadSchemas(): Promise<Schemas> {
  loaded ??= (async () => {
    const versions = kubernetesVersions();
    const [custom, ...builtIn] = await Promise.all([loadKinds("crds.js"), ...versions.map((v) => loadKinds(compiledModuleName(v)))]);
    return { versions, builtIn: new Map(versions.map((v, i) => [v, builtIn[i]!])), custom: custom! };
  })();
  return loaded;
}

/** The object as the API server decodes it: a field set to null is a field not set. */
function withoutNulls(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutNulls);
  if (!value || typeof value !== "object") return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([, v]) => v !== null)
      .map(([k, v]) => [k, withoutNulls(v)]),
  );
}

const typeOf = (value: unknown) => (value === null ? "null" : Array.isArray(value) ? "array" : typeof value);

const valueAt = (object: unknown, pointer: string): unknown =>
  pointerSegments(pointer).reduce<unknown>(
    (current, key) => (current && typeof current === "object" ? (current as Record<string, unknown>)[key] : undefined),
    object,
  );

function describe(error: ErrorObject, object: unknown): { path: string[]; message: string } {
  const path = pointerSegments(error.instancePath);
  const value = valueAt(object, error.instancePath);
  switch (error.keyword) {
    case "additionalProperties": {
      const field = String(error.params.additionalProperty);
      return { path: [...path, field], message: `unknown field "${field}"` };
    }
    case "required":
      return { path, message: `missing required field "${String(error.params.missingProperty)}"` };
    case "type":
      return { path, message: `must be ${String(error.params.type).replace(",", " or ")}, not ${typeOf(value)}` };
    case "enum":
      return {
        path,
        message: `must be one of ${(error.params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(", ")}, not ${JSON.stringify(value)}`,
      };
    case "const":
      return { path, message: `must be ${JSON.stringify(error.params.allowedValue)}, not ${JSON.stringify(value)}` };
    default:
      return { path, message: `fails "${error.keyword}" ${JSON.stringify(error.params)}` };
  }
}

/** What one validator says, as path + message pairs; a union's failed branches are left out. */
function findings(validate: Validator, object: unknown): { path: string[]; message: string }[] {
  if (validate(object)) return [];
  return (validate.errors ?? [])
    .filter((e) => e.keyword !== "anyOf" && e.keyword !== "oneOf")
    .map((e) => describe(e, object));
}

const listVersions = (versions: string[]) => versions.join(" and ");

/** Unknown fields, types, required fields and enums, against every targeted version. */
export function checkSchema(manifest: Manifest, schemas: Schemas): Problem[] {
  const { apiVersion, kind } = manifest.object;
  const at = (path: readonly (string | number)[], message: string) => problemAt(manifest, path, message, "schema");
  const missing = [
    typeof apiVersion !== "string" || !apiVersion ? "apiVersion" : null,
    typeof kind !== "string" || !kind ? "kind" : null,
  ].filter((field): field is string => field !== null);
  if (missing.length > 0) return missing.map((field) => at([], `missing required field "${field}"`));

  const key = `${String(apiVersion)}/${String(kind)}`;
  const object = withoutNulls(manifest.object);
  const custom = schemas.custom[key];
  // Each finding, with the versions whose schema reports it (custom resources: all of them).
  const found = new Map<string, { path: string[]; message: string; versions: string[] }>();
  const record = (finding: { path: string[]; message: string }, versions: string[]) => {
    const id = `${finding.path.join("/")}|${finding.message}`;
    const entry = found.get(id) ?? { ...finding, versions: [] };
    entry.versions.push(...versions);
    found.set(id, entry);
  };
  const served: string[] = [];
  if (custom) {
    served.push(...schemas.versions);
    for (const finding of findings(custom, object)) record(finding, schemas.versions);
  } else {
    for (const version of schemas.versions) {
      const validate = schemas.builtIn.get(version)?.[key];
      if (!validate) continue;
      served.push(version);
      for (const finding of findings(validate, object)) record(finding, [version]);
    }
  }
  if (served.length === 0) return [at(["kind"], `no schema for ${String(apiVersion)} ${String(kind)}: unknown kind`)];

  const problems: Problem[] = [];
  const unserved = schemas.versions.filter((v) => !served.includes(v));
  if (unserved.length > 0) {
    problems.push(at(["apiVersion"], `${String(apiVersion)} ${String(kind)} is not served by Kubernetes ${listVersions(unserved)}`));
  }
  for (const { path, message, versions } of found.values()) {
    const scope = versions.length < served.length ? ` (Kubernetes ${listVersions(versions)})` : "";
    problems.push(at(path, `${message}${scope}`));
  }
  return problems;
}
