import { execFileSync, spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { afterEach, beforeEach, expect, it } from "vitest";
import { copyManifests } from "../helpers/repo-copy.js";
import { readImages } from "../../scripts/lib/overlay-images.js";

let repo: ReturnType<typeof copyManifests>;
beforeEach(() => {
  repo = copyManifests({ git: true });
});
afterEach(() => repo.remove());

const diff = (...args: string[]) =>
  spawnSync(resolve("node_modules/.bin/tsx"), [resolve("scripts/diff.ts"), ...args], { cwd: repo.path, encoding: "utf8" });

it("shows, per environment, the rendered change between REF and the working tree", () => {
  const prod = join(repo.path, "overlays/prod/kustomization.yaml");
  writeFileSync(prod, readFileSync(prod, "utf8").replace("newTag: 0.1.0", "newTag: 0.2.0"));
  const { status, stdout } = diff("HEAD");
  expect(status).toBe(0);
  expect(stdout).toContain("# overlays/dev: no changes");
  expect(stdout).toContain("--- overlays/prod@HEAD");
  const api = readImages("prod", repo.path).find((image) => image.name === "guestbook-api")!;
  expect(stdout).toContain(`-        image: ${api.newName}:0.1.0`);
  expect(stdout).toContain(`+        image: ${api.newName}:0.2.0`);
});

it("compares with HEAD~1 when there is no origin/main", () => {
  const dev = join(repo.path, "overlays/dev/kustomization.yaml");
  writeFileSync(dev, readFileSync(dev, "utf8").replace("count: 1", "count: 2"));
  execFileSync("git", ["-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-qam", "scale"], { cwd: repo.path });
  const { stdout } = diff();
  expect(stdout).toContain("--- overlays/dev@HEAD~1");
  expect(stdout).toContain("-  replicas: 1");
  expect(stdout).toContain("+  replicas: 2");
});

it("refuses an unknown ref in one line", () => {
  const { status, stderr } = diff("no-such-ref");
  expect(status).toBe(1);
  expect(stderr).toBe('diff: unknown git ref "no-such-ref"\n');
});
