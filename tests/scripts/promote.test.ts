import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { readImages, writeImages } from "../../scripts/lib/overlay-images.js";
import { promote } from "../../scripts/promote.js";
import { parseAssignment } from "../../scripts/set-images.js";
import { copyManifests } from "../helpers/repo-copy.js";

const DIGEST = `sha256:${"ab".repeat(32)}`;
let repo: ReturnType<typeof copyManifests>;
const file = (env: string) => join(repo.path, "overlays", env, "kustomization.yaml");

beforeEach(() => {
  repo = copyManifests();
});
afterEach(() => repo.remove());

describe("promote", () => {
  it("copies the source's images into the target's images: and changes nothing else", () => {
    writeImages("dev", [{ name: "guestbook-api", newName: "ghcr.io/o/guestbook-api", newTag: "abc123", digest: DIGEST }], repo.path);
    const devBefore = readFileSync(file("dev"), "utf8");
    const prodBefore = readFileSync(file("prod"), "utf8");

    const diff = promote("dev", "prod", repo.path);

    expect(readImages("prod", repo.path)).toEqual(readImages("dev", repo.path));
    expect(readFileSync(file("dev"), "utf8")).toBe(devBefore);
    const changed = diffLines(prodBefore, readFileSync(file("prod"), "utf8"));
    expect(changed.every((line) => /^\s+(newName|newTag|digest): /.test(line))).toBe(true);
    expect(diff).toContain("+    newTag: abc123");
    expect(diff).toContain(`+    digest: ${DIGEST}`);
    expect(diff).toContain("--- a/overlays/prod/kustomization.yaml");
  });

  it("reports nothing to change the second time", () => {
    promote("dev", "prod", repo.path);
    expect(promote("dev", "prod", repo.path)).toBe("");
  });

  it.each([
    ["dev", "staging", 'unknown environment "staging": expected one of dev, local, prod'],
    ["../../etc", "prod", 'unknown environment "../../etc"'],
    ["dev", "dev", "cannot promote dev to itself"],
  ])("refuses %s → %s", (from, to, message) => {
    expect(() => promote(from, to, repo.path)).toThrow(message);
  });

  it("refuses a source whose images are not pinned", () => {
    writeFileSync(file("dev"), readFileSync(file("dev"), "utf8").replace("newTag: 0.1.0", "newTag: latest"));
    const prodBefore = readFileSync(file("prod"), "utf8");
    expect(() => promote("dev", "prod", repo.path)).toThrow('overlays/dev has unpinned images: guestbook-api: "latest" is not a pinned tag');
    expect(readFileSync(file("prod"), "utf8")).toBe(prodBefore);
  });

  it("as a command, prints the diff, or one line and exit 1 on bad input", () => {
    const run = (...args: string[]) =>
      spawnSync(resolve("node_modules/.bin/tsx"), [resolve("scripts/promote.ts"), ...args], { cwd: repo.path, encoding: "utf8" });
    writeImages("dev", [{ name: "guestbook-web", newName: "ghcr.io/o/guestbook-web", newTag: "def456" }], repo.path);
    const ok = run("dev", "prod");
    expect(ok.status).toBe(0);
    expect(ok.stdout).toContain("+    newTag: def456");
    const bad = run("dev");
    expect(bad.status).toBe(1);
    expect(bad.stderr).toBe("promote: usage: npm run promote -- FROM TO   (e.g. dev prod)\n");
  });
});

describe("set-images", () => {
  it("parses NAME=IMAGE:TAG@DIGEST", () => {
    expect(parseAssignment(`guestbook-api=ghcr.io/o/guestbook-api:3f2a@${DIGEST}`)).toEqual({
      name: "guestbook-api",
      newName: "ghcr.io/o/guestbook-api",
      newTag: "3f2a",
      digest: DIGEST,
    });
  });

  it.each(["guestbook-api", "=ghcr.io/x", "guestbook-api=ghcr.io/x@sha256:short", "Guestbook=x:1"])("refuses %s", (text) => {
    expect(() => parseAssignment(text)).toThrow("is not NAME=IMAGE[:TAG][@sha256:DIGEST]");
  });

  it("writes only the named entry", () => {
    writeImages("dev", [parseAssignment(`guestbook-api=ghcr.io/o/guestbook-api:3f2a@${DIGEST}`)], repo.path);
    const images = readImages("dev", repo.path);
    expect(images.find((i) => i.name === "guestbook-api")).toMatchObject({ newTag: "3f2a", digest: DIGEST });
    expect(images.find((i) => i.name === "guestbook-web")).toMatchObject({ newTag: "0.1.0" });
  });
});

/** Lines of `after` that differ from `before` at the same position (the files keep their length or grow). */
function diffLines(before: string, after: string): string[] {
  const old = before.split("\n");
  return after.split("\n").filter((line, i) => line !== old[i] && !old.includes(line));
}
