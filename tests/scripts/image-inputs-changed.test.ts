/** Whether the images workflow builds a commit, decided against a scratch git repository. */
import { execFileSync, spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { decide, imageInputs } from "../../scripts/image-inputs-changed.js";
import { writeImages } from "../../scripts/lib/overlay-images.js";
import { copyManifests } from "../helpers/repo-copy.js";

let repo: ReturnType<typeof copyManifests>;
const git = (...args: string[]) =>
  execFileSync("git", ["-c", "user.name=test", "-c", "user.email=test@example.com", ...args], { cwd: repo.path, encoding: "utf8" }).trim();

/** Writes the files and commits them; returns the new commit's SHA. */
function commit(files: Record<string, string>, message = "change"): string {
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(repo.path, path)), { recursive: true });
    writeFileSync(join(repo.path, path), text);
  }
  git("add", "-A");
  git("commit", "-qm", message);
  return git("rev-parse", "HEAD");
}

/** Points overlays/dev at images tagged `tag`, as the dev bump does, and commits that. */
function deployToDev(tag: string): string {
  const entry = (name: string) => ({ name, newName: `ghcr.io/test/${name}`, newTag: tag, digest: `sha256:${"ab".repeat(32)}` });
  writeImages("dev", [entry("guestbook-api"), entry("guestbook-web")], repo.path);
  return commit({}, `Deploy ${tag} to dev`);
}

let built: string;
beforeEach(() => {
  repo = copyManifests({ git: true });
  copyFileSync(".dockerignore", join(repo.path, ".dockerignore"));
  built = commit({
    Dockerfile: "FROM scratch\n",
    "package.json": "{}\n",
    "src/api/app.ts": "export {};\n",
    "nginx/default.conf": "server {}\n",
    "README.md": "# guestbook\n",
    ".github/workflows/ci.yaml": "name: ci\n",
  });
  deployToDev(built);
});
afterEach(() => repo.remove());

describe("image-inputs-changed", () => {
  it("skips a commit that changes only what no image contains", () => {
    const sha = commit({ "README.md": "# more docs\n", ".github/workflows/ci.yaml": "name: ci2\n", "base/extra.yaml": "x: 1\n" });
    expect(decide(sha, repo.path)).toEqual({ build: false, reason: `nothing that goes into an image changed between ${built} (dev) and ${sha}` });
  });

  it.each([["src/api/app.ts"], ["src/web/new-file.tsx"], ["package.json"], ["nginx/default.conf"], ["Dockerfile"], ["tsconfig.json"]])(
    "builds when %s changed",
    (path) => {
      const sha = commit({ [path]: "changed\n" });
      const decision = decide(sha, repo.path);
      expect(decision.build).toBe(true);
      expect(decision.reason).toBe(`image inputs changed between ${built} (dev) and ${sha}: ${path}`);
    },
  );

  it("builds when the .dockerignore itself changed", () => {
    const ignore = readFileSync(join(repo.path, ".dockerignore"), "utf8");
    const sha = commit({ ".dockerignore": `${ignore}!docs/\n` });
    expect(decide(sha, repo.path)).toMatchObject({ build: true, reason: expect.stringContaining(": .dockerignore") });
  });

  it("counts changes in every commit since the one dev runs, not only the last", () => {
    commit({ "src/api/app.ts": "export const a = 1;\n" });
    const sha = commit({ "README.md": "docs only\n" });
    expect(decide(sha, repo.path)).toMatchObject({ build: true, reason: expect.stringContaining(": src/api/app.ts") });
  });

  it("builds when dev runs a tag that is not a commit (the template's 0.1.0)", () => {
    deployToDev("0.1.0");
    const sha = git("rev-parse", "HEAD");
    expect(decide(sha, repo.path)).toEqual({
      build: true,
      reason: `overlays/dev runs tag "0.1.0", which is not a commit of this repository: building ${sha}`,
    });
  });

  it("skips the commit dev already runs, and one older than it", () => {
    const older = built;
    const newer = commit({ "src/api/app.ts": "export const b = 2;\n" });
    deployToDev(newer);
    expect(decide(newer, repo.path)).toEqual({ build: false, reason: `overlays/dev already runs ${newer}` });
    // A slower ci run for an older commit must not move dev backwards.
    expect(decide(older, repo.path)).toEqual({ build: false, reason: `overlays/dev already runs ${newer}, which is newer than ${older}` });
  });

  it("builds when dev's commit is not an ancestor (history rewritten)", () => {
    const side = commit({ "src/api/app.ts": "side\n" });
    git("reset", "-q", "--hard", "HEAD~1");
    deployToDev(side);
    const sha = commit({ "README.md": "main moved on\n" });
    expect(decide(sha, repo.path)).toEqual({ build: true, reason: `overlays/dev runs ${side}, which is not an ancestor of ${sha}: building` });
  });

  it("treats every path as an input when the .dockerignore is not an allow-list", () => {
    commit({ ".dockerignore": "node_modules\n" });
    deployToDev(git("rev-parse", "HEAD~1"));
    const sha = commit({ "README.md": "now in the context\n" });
    expect(imageInputs(repo.path, sha)).toEqual(["."]);
    expect(decide(sha, repo.path).build).toBe(true);
  });

  it("takes the allow-list from the .dockerignore", () => {
    expect(imageInputs(repo.path, built)).toEqual(expect.arrayContaining([":(glob)Dockerfile", ":(glob)src/**", ":(glob)package-lock.json"]));
  });

  describe("as a command", () => {
    const run = (args: string[], env: NodeJS.ProcessEnv = {}) =>
      spawnSync(resolve("node_modules/.bin/tsx"), [resolve("scripts/image-inputs-changed.ts"), ...args], {
        cwd: repo.path,
        encoding: "utf8",
        env: { ...process.env, GITHUB_OUTPUT: "", ...env },
      });

    it("prints the decision and writes build= to $GITHUB_OUTPUT", () => {
      const sha = commit({ "src/api/app.ts": "export const c = 3;\n" });
      const output = join(repo.path, "github-output");
      writeFileSync(output, "earlier=1\n");
      const result = run([sha], { GITHUB_OUTPUT: output });
      expect(result.stderr).toBe("");
      expect(result.status).toBe(0);
      expect(result.stdout).toBe(`build: image inputs changed between ${built} (dev) and ${sha}: src/api/app.ts\n`);
      expect(readFileSync(output, "utf8")).toBe("earlier=1\nbuild=true\n");
    });

    it("refuses an unknown SHA or a missing argument in one line", () => {
      const unknown = run(["f".repeat(40)]);
      expect(unknown.status).toBe(1);
      expect(unknown.stderr).toBe(`image-inputs-changed: "${"f".repeat(40)}" is not the full SHA of a commit in this repository\n`);
      const missing = run([]);
      expect(missing.status).toBe(1);
      expect(missing.stderr).toBe("image-inputs-changed: usage: npm run image-inputs-changed -- SHA\n");
    });
  });
});
