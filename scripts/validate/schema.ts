import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Ajv, type ErrorObject, type ValidateFunction } from "ajv";
import { type Manifest, problemAt } from "./documents.js";
import { schemaFileName } from "../generate-schemas.js";
import { type Problem, pointerSegments } from "./problem.js";

const SCHEMA_DIR = new URL("../../schemas/", import.meta.url);

const ajv = new Ajv({ allErrors: true, strict: false });
const compiled = new Map<string, ValidateFunction | null>();

function validatorFor(apiVersion: string, kind: string): ValidateFunction | null {
  const key = `${apiVersion}/${kind}`;
  if (!compiled.has(key)) {
    let validator: ValidateFunction | null = null;
    try {
      const text = readFileSync(join(SCHEMA_DIR.pathname, schemaFileName(apiVersion, kind)), "utf8");
      validator = ajv.compile(JSON.parse(text));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
    }
    compiled.set(key, validator);
  }
  return compiled.get(key)!;
}

const typeOf = (value: unknown) => (value === null ? "null" : Array.isArray(value) ? "array" : typeof value);

function describe(error: ErrorObject, value: unknown): { path: string[]; message: string } {
  const path = pointerSegments(error.instancePath);
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
      return { path, message: error.message ?? error.keyword };
  }
}

const valueAt = (object: unknown, pointer: string): unknown =>
  pointerSegments(pointer).reduce<unknown>(
    (current, key) => (current && typeof current === "object" ? (current as Record<string, unknown>)[key] : undefined),
    object,
  );

/** Structural validation against the kind's strict schema: unknown fields, types, required, enums. */
export function checkSchema(manifest: Manifest): Problem[] {
  const { apiVersion, kind } = manifest.object;
  const missing = [
    typeof apiVersion !== "string" || !apiVersion ? "apiVersion" : null,
    typeof kind !== "string" || !kind ? "kind" : null,
  ].filter((field): field is string => field !== null);
  if (missing.length > 0) {
    return missing.map((field) => problemAt(manifest, [], `missing required field "${field}"`, "schema"));
  }
  const validate = validatorFor(String(apiVersion), String(kind));
  if (!validate) {
    return [problemAt(manifest, ["kind"], `no schema for ${String(apiVersion)} ${String(kind)}: unknown kind`, "schema")];
  }
  if (validate(manifest.object)) return [];
  // A union's failed branches repeat what the specific errors say; keep the specific ones.
  const errors = (validate.errors ?? []).filter((e) => e.keyword !== "anyOf" && e.keyword !== "oneOf");
  const seen = new Set<string>();
  const problems: Problem[] = [];
  for (const error of errors) {
    const { path, message } = describe(error, valueAt(manifest.object, error.instancePath));
    const key = `${path.join("/")}|${message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    problems.push(problemAt(manifest, path, message, "schema"));
  }
  return problems;
}
