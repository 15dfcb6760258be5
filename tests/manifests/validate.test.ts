/** The offline validator: the real overlays pass, and every rule fires on its broken fixture. */
import { spawnSync } from "node:child_process";
import { cpSync, readFileSync, readdirSync, rmSync, symlinkSync } from "node:fs";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { tempDir } from "../../scripts/lib/temp-dir.js";
import { findRenderer, formatProblem, kubernetesVersions, renderTargets, validateStream } from "../../scripts/validate/index.js";

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
  // Rendering and loading the validators take seconds on a busy machine.
  it.each(renderTargets("."))("finds no problem in %s", { timeout: 30_000 }, async (target) => {
    const rendered = await findRenderer().render(target);
    const result = await validateStream(rendered, target);
    expect(result.problems.map(formatProblem)).toEqual([]);
    expect(result.manifests.length).toBeGreaterThan(2);
  });

  it("renders and validates everything against every targeted version, exits 0 and prints the summary and timing", () => {
    const { code, stdout } = runCli(["--timing"]);
    expect(stdout).toMatch(/^validate: 4 sources \(overlays\/dev, overlays\/local, overlays\/prod, argocd\), \d+ resources, 0 problems/m);
    expect(stdout).toContain(`[schemas: Kubernetes ${kubernetesVersions().join(" and ")}; input: kubectl (Kustomize)]`);
    expect(stdout).toMatch(/^timing: input \d+ ms, checks \d+ ms \(CPU \d+ ms\), total \d+ ms$/m);
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
      'stdin: Deployment/typo spec.template.spec.containers[0].imagePullPolcy (line 30): unknown field "imagePullPolcy" [schema]',
    );
    expect(stdout).toMatch(/^validate: 1 sources \(stdin\), 10 resources, \d+ problems/m);
  });

  it("exits 0 for a valid file", () => {
    expect(runCli([join(FIXTURES, "valid.yaml")]).code).toBe(0);
  });

  it("with --schema-only checks YAML and schemas but not this repository's rules", () => {
    const file = join(FIXTURES, "policy-workload.yaml");
    expect(runCli([file]).stdout).toContain("[policy/probes]");
    const { code, stdout } = runCli(["--schema-only", file]);
    expect(stdout).toMatch(/^validate: 1 sources \(.*\), 1 resources, 0 problems \[schemas: Kubernetes .*, schema only; input: files\]$/m);
    expect(code).toBe(0);
    expect(runCli(["--schema-only", join(FIXTURES, "schema.yaml")]).stdout).toContain('unknown field "imagePullPolcy" [schema]');
  });

  it.each([["--strict"], ["-x"], ["--timing", "--verbose", "file.yaml"]])("refuses the unknown option in %s with the usage line", (...args) => {
    const { code, stdout, stderr } = runCli(args);
    expect(code).toBe(1);
    expect(stdout).toBe("");
    expect(stderr).toMatch(/^unknown option -\S+\nusage: npm run validate \[-- \[--timing\] \[--schema-only\] \[FILE\.\.\. \| -\]\]\n$/);
  });

  it("reports a malformed workload in one line per problem instead of crashing", () => {
    const malformed = [
      "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: odd, namespace: demo}",
      "spec:\n  selector: {matchLabels: {app: odd}}\n  template:\n    metadata: {labels: {app: odd}}",
      "    spec:\n      containers: not-a-list\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: bare}\n",
    ].join("\n");
    const { code, stdout, stderr } = runCli(["-"], { input: malformed });
    expect(stderr).toBe("");
    expect(code).toBe(1);
    expect(stdout).toContain("stdin: Deployment/odd spec.template.spec.containers (line 9): must be array, not string [schema]");
    expect(stdout).toMatch(/^stdin: policy checks stopped on malformed input \(.+\): fix the schema problems first \[policy\]$/m);
    expect(stdout).toMatch(/^validate: 1 sources \(stdin\), 2 resources, \d+ problems/m);
  });

  it("says in one line to run npm run schemas when a precompiled module is missing", () => {
    const copy = tempDir("validator-copy-");
    try {
      for (const entry of ["scripts", "schemas", "package.json", "tsconfig.json"]) cpSync(entry, join(copy.path, entry), { recursive: true });
      symlinkSync(resolve("node_modules"), join(copy.path, "node_modules"));
      const newest = kubernetesVersions().at(-1)!;
      rmSync(join(copy.path, "schemas", "compiled", `kubernetes-v${newest}.js`));
      const result = spawnSync(process.execPath, ["--import", "tsx", "scripts/validate.ts", "--schema-only", "-"], {
        cwd: copy.path,
        input: "apiVersion: v1\nkind: Namespace\nmetadata: {name: a}\n",
        encoding: "utf8",
        timeout: 60_000,
      });
      expect(result.stderr).toBe(`schemas/compiled/kubernetes-v${newest}.js is missing: run npm run schemas\n`);
      expect(result.status).toBe(1);
    } finally {
      copy.remove();
    }
  });

  it("names a file it cannot read in one line", () => {
    const { code, stdout, stderr } = runCli(["no/such/file.yaml"]);
    expect(code).toBe(1);
    expect(stdout).toBe("");
    expect(stderr).toBe("cannot read no/such/file.yaml: ENOENT\n");
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
    expect(problems.filter((p) => p.message.includes("checks stopped")).map(formatProblem)).toEqual([]);
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
