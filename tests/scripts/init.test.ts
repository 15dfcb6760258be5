/**
 * `npm run init` in a scratch clone: every placeholder rewritten, nothing left behind, the
 * whole validation and the manifest tests still green, and idempotent; bad values refused.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { cpSync, mkdirSync, readFileSync, readdirSync, statSync, symlinkSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RepoSettings, hostsFor, readSettings } from "../../scripts/init/settings.js";
import { tempDir } from "../helpers/app.js";

const theirs: RepoSettings = {
  registry: "registry.acme.test:5000/platform/guestbook",
  domain: "apps.acme.test",
  repo: "git@git.acme.test:platform/guestbook.git",
  issuer: "acme-dns01",
};

let clone: ReturnType<typeof tempDir>;
let ours: RepoSettings;

const tsx = resolve("node_modules/.bin/tsx");
const run = (script: string, args: string[]) => spawnSync(tsx, [resolve(script), ...args], { cwd: clone.path, encoding: "utf8" });
const init = (...args: string[]) => run("scripts/init.ts", args);
const args = (s: RepoSettings) => ["--registry", s.registry, "--domain", s.domain, "--repo", s.repo, "--issuer", s.issuer];

function managedText(): string {
  const files = ["base", "components", "overlays", "argocd", ".github/workflows"].flatMap((folder) =>
    readdirSync(join(clone.path, folder), { recursive: true, encoding: "utf8" }).map((name) => join(clone.path, folder, name)),
  );
  return files.filter((file) => statSync(file).isFile()).map((file) => readFileSync(file, "utf8")).join("\n");
}

beforeAll(async () => {
  ours = await readSettings();
  clone = tempDir("guestbook-init-");
  const tracked = execFileSync("git", ["ls-files", "-z", "--cached", "--others", "--exclude-standard"], { encoding: "utf8" }).split("\0").filter(Boolean);
  for (const file of tracked) {
    mkdirSync(dirname(join(clone.path, file)), { recursive: true });
    cpSync(file, join(clone.path, file));
  }
  symlinkSync(resolve("node_modules"), join(clone.path, "node_modules"));
});
afterAll(() => clone.remove());

describe("npm run init", () => {
  it("rewrites every placeholder and prints what changed", async () => {
    const result = init(...args(theirs));
    expect(result.stderr).toBe("");
    expect(result.status).toBe(0);
    expect(result.stdout).toContain(`+    newName: ${theirs.registry}/guestbook-api`);
    expect(result.stdout).toContain(`+    repoURL: ${theirs.repo}`);
    expect(await readSettings(clone.path)).toEqual(theirs);
    const text = managedText();
    for (const old of [`${ours.registry}/`, ours.repo, hostsFor(ours.domain).dev, hostsFor(ours.domain).prod, `cluster-issuer: ${ours.issuer}`]) {
      expect(text).not.toContain(old);
    }
    expect(text).toContain(`IMAGE_PREFIX: ${theirs.registry}\n`);
    expect(text).toContain("REGISTRY: registry.acme.test:5000\n");
  });

  it("changes nothing when run again with the same values", () => {
    const result = init(...args(theirs));
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/^nothing to change: /);
  });

  it("leaves a repository that passes the whole validation", () => {
    const result = run("scripts/validate.ts", []);
    expect(result.stdout).toMatch(/ 0 problems /);
    expect(result.status).toBe(0);
  });

  it("leaves a repository whose manifest and workflow tests pass", () => {
    const result = spawnSync(resolve("node_modules/.bin/vitest"), ["run", "--project", "node", "tests/manifests", "tests/scripts/workflows.test.ts", "tests/scripts/diff.test.ts"], {
      cwd: clone.path,
      encoding: "utf8",
      env: { ...process.env, CI: "true", NO_COLOR: "1", FORCE_COLOR: "0" },
    });
    // On failure, the nested run's own report is the message.
    expect(result.status, (result.stdout + result.stderr).slice(-4000)).toBe(0);
    expect(result.stdout + result.stderr).toMatch(/Test Files\s+\d+ passed \(\d+\)\n/);
  }, 120_000);

  it.each([
    [["--registry", "ghcr.io/Acme"], '--registry must be a lowercase registry host and namespace such as ghcr.io/acme (got "ghcr.io/Acme")'],
    [["--domain", "localhost"], '--domain must be a lowercase DNS domain such as apps.acme.dev (got "localhost")'],
    [["--repo", "github.com/acme/x"], "--repo must be a Git URL Argo CD can clone"],
    [["--issuer", "Lets Encrypt"], '--issuer must be a ClusterIssuer name'],
    [["--registry"], "argument missing"],
    [["--owner", "acme"], "Unknown option '--owner'"],
  ])("refuses %j with one line and changes nothing", (bad, message) => {
    const before = managedText();
    const result = init(...bad);
    expect(result.status).toBe(1);
    expect(result.stderr.split("\n")[0]).toContain(message);
    expect(result.stderr.trimEnd().split("\n").length).toBeLessThanOrEqual(2);
    expect(managedText()).toBe(before);
  });
});
