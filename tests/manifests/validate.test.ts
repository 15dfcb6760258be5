/** The offline validator: the real overlays pass, and every rule fires on its broken fixture. */
import { spawnSync } from "node:child_process";
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { generateSchemas, SCHEMA_DIR } from "../../scripts/generate-schemas.js";
import { findRenderer, formatProblem, renderTargets, validateStream } from "../../scripts/validate/index.js";

const FIXTURES = "tests/manifests/fixtures";

function runCli(args: string[], options: { input?: string; env?: NodeJS.ProcessEnv } = {}) {
  const result = spawnSync(process.execPath, ["--import", "tsx", "scripts/validate.ts", ...args], {
    input: options.input,
    encoding: "utf8",
    env: options.env ?? process.env,
    timeout: 60_000,
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

interface Expectation {
  rule: string;
  line?: number;
  fragment: string;
}

function expectations(text: string): Expectation[] {
  return [...text.matchAll(/^# expect: ([a-z/-]+)(?: @(\d+))?: (.+)$/gm)].map((m) => ({
    rule: m[1]!,
    line: m[2] ? Number(m[2]) : undefined,
    fragment: m[3]!,
  }));
}

describe("npm run validate on this repository", () => {
  it.each(renderTargets("."))("finds no problem in %s", async (target) => {
    const rendered = await findRenderer().render(target);
    const result = await validateStream(rendered, target);
    expect(result.problems.map(formatProblem)).toEqual([]);
    expect(result.manifests.length).toBeGreaterThan(2);
  });

  it("renders and validates everything, exits 0 and prints the summary and timing", () => {
    const { code, stdout } = runCli(["--timing"]);
    expect(stdout).toMatch(/^validate: 4 sources \(overlays\/dev, overlays\/local, overlays\/prod, argocd\), \d+ resources, 0 problems/m);
    expect(stdout).toMatch(/^timing: input \d+ ms, checks \d+ ms, total \d+ ms$/m);
    expect(code).toBe(0);
  });

  it("stops with one line naming what to install when neither kubectl nor kustomize is on the PATH", () => {
    const { code, stdout, stderr } = runCli([], { env: { ...process.env, PATH: "/nonexistent" } });
    expect(code).toBe(1);
    expect(stdout).toBe("");
    expect(stderr).toBe("Neither kubectl nor kustomize is on the PATH: install kubectl (it includes Kustomize) or kustomize 5.\n");
  });
});

describe("npm run validate -- FILE", () => {
  it("validates rendered YAML from stdin and exits 1 with one line per problem", () => {
    const broken = readFileSync(join(FIXTURES, "schema.yaml"), "utf8");
    const { code, stdout } = runCli(["-"], { input: broken });
    expect(code).toBe(1);
    expect(stdout).toContain(
      'stdin: Deployment/typo spec.template.spec.containers[0].imagePullPolcy (line 25): unknown field "imagePullPolcy" [schema]',
    );
    expect(stdout).toMatch(/^validate: 1 sources \(stdin\), 8 resources, \d+ problems/m);
  });

  it("exits 0 for a valid file", () => {
    expect(runCli([join(FIXTURES, "valid.yaml")]).code).toBe(0);
  });
});

describe("broken fixtures", () => {
  const files = readdirSync(FIXTURES).filter((f) => f.endsWith(".yaml"));

  it("include a valid one on which no check fires", async () => {
    const result = await validateStream(readFileSync(join(FIXTURES, "valid.yaml"), "utf8"), "valid.yaml");
    expect(result.problems.map(formatProblem)).toEqual([]);
  });

  it.each(files.filter((f) => f !== "valid.yaml"))("%s: every expected problem is reported", async (file) => {
    const text = readFileSync(join(FIXTURES, file), "utf8");
    const wanted = expectations(text);
    expect(wanted.length).toBeGreaterThan(0);
    const { problems } = await validateStream(text, file);
    for (const want of wanted) {
      const found = problems.find(
        (p) => p.rule === want.rule && p.message.includes(want.fragment) && (want.line === undefined || p.line === want.line),
      );
      expect(found, `expected ${want.rule}${want.line ? ` @${want.line}` : ""}: ${want.fragment}\ngot:\n${problems.map(formatProblem).join("\n")}`).toBeDefined();
    }
  });

  it("cover every rule the validator has", () => {
    const source = readdirSync("scripts/validate")
      .map((f) => readFileSync(join("scripts/validate", f), "utf8"))
      .join("\n");
    const rules = new Set([...source.matchAll(/"((?:policy|reference|argocd)\/[a-z-]+)"/g)].map((m) => m[1]!));
    rules.add("schema").add("yaml");
    const covered = new Set(
      files.flatMap((f) => expectations(readFileSync(join(FIXTURES, f), "utf8")).map((e) => e.rule)),
    );
    expect([...rules].filter((rule) => !covered.has(rule))).toEqual([]);
    expect(rules.size).toBeGreaterThan(30);
  });
});

describe("schemas/", () => {
  it("holds exactly what the pinned model packages generate (run npm run schemas after upgrading them)", () => {
    const generated = generateSchemas();
    const committed = readdirSync(SCHEMA_DIR).sort();
    expect(committed).toEqual([...generated.keys()].sort());
    for (const [name, text] of generated) {
      expect(readFileSync(join(SCHEMA_DIR, name), "utf8") === text, `${name} is stale`).toBe(true);
    }
  });
});
