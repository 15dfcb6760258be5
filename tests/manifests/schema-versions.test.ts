/**
 * With more than one Kubernetes version to check (a maintainer may import another beside the
 * packaged one), a problem only some versions have says which, and a kind a version does not serve
 * is named. The versions here are two small ones of our own, compiled as npm run schemas compiles.
 */
import { Ajv } from "ajv";
import { describe, expect, it } from "vitest";
import { AJV_OPTIONS } from "../../scripts/schemas/compile.js";
import { parseManifests } from "../../scripts/validate/documents.js";
import { formatProblem } from "../../scripts/validate/problem.js";
import { type Schemas, checkSchema } from "../../scripts/validate/schema.js";

const widget = (spec: Record<string, object>) => ({
  type: "object",
  additionalProperties: false,
  properties: {
    apiVersion: { type: "string" },
    kind: { type: "string" },
    metadata: { type: "object" },
    spec: { type: "object", additionalProperties: false, properties: spec },
  },
});

function twoVersions(): Schemas {
  const ajv = new Ajv({ ...AJV_OPTIONS, strict: false });
  const older = { "demo.k8s.io/v1/Widget": ajv.compile(widget({ size: { type: "integer" } })) };
  const newer = {
    "demo.k8s.io/v1/Widget": ajv.compile(widget({ size: { type: "integer" }, colour: { type: "string" } })),
    "demo.k8s.io/v1/Gadget": ajv.compile(widget({})),
  };
  return { versions: ["1.0.0", "2.0.0"], builtIn: new Map([["1.0.0", older], ["2.0.0", newer]]), custom: {} };
}

const problems = (yaml: string) =>
  parseManifests(yaml, "demo.yaml").manifests.flatMap((manifest) => checkSchema(manifest, twoVersions()).map(formatProblem));

describe("schema checks against several Kubernetes versions", () => {
  it("names the versions a problem belongs to when not all have it", () => {
    expect(problems("apiVersion: demo.k8s.io/v1\nkind: Widget\nmetadata: {name: w}\nspec: {colour: red}\n")).toEqual([
      'demo.yaml: Widget/w spec.colour (line 4): unknown field "colour" (Kubernetes 1.0.0) [schema]',
    ]);
  });

  it("says a problem every version has once, without naming versions", () => {
    expect(problems("apiVersion: demo.k8s.io/v1\nkind: Widget\nmetadata: {name: w}\nspec: {size: big}\n")).toEqual([
      "demo.yaml: Widget/w spec.size (line 4): must be integer, not string [schema]",
    ]);
  });

  it("names the versions that do not serve a kind", () => {
    expect(problems("apiVersion: demo.k8s.io/v1\nkind: Gadget\nmetadata: {name: g}\n")).toEqual([
      "demo.yaml: Gadget/g apiVersion (line 1): demo.k8s.io/v1 Gadget is not served by Kubernetes 1.0.0 [schema]",
    ]);
  });
});
