/**
 * Start-up as the built server does it: what it loads for each store (how a connection string
 * the driver refuses stops it is in serve.test.ts). Loading is most of the time to ready:
 * the server is one bundle (vite.api.config.ts), and only a store's own package comes from
 * node_modules, the MongoDB driver only when MongoDB is configured.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { SERVER_ENTRY, SERVER_NODE_FLAGS, requireBuild, startServer } from "../../scripts/lib/server-process.js";
import { tempDir } from "../helpers/app.js";

const dirs: ReturnType<typeof tempDir>[] = [];
afterEach(() => dirs.splice(0).forEach((dir) => dir.remove()));

/** The packages (folder names under node_modules) a server loaded from start until it was stopped. */
async function packagesLoaded(env: Record<string, string>, waitFor: string): Promise<Set<string>> {
  const dir = tempDir();
  dirs.push(dir);
  const list = join(dir.path, "modules.txt");
  const server = await startServer(
    { DATA_DIR: dir.path, LOADED_MODULES_FILE: list, ...env },
    { waitFor, args: ["--import", "./tests/helpers/loaded-modules.mjs", ...SERVER_NODE_FLAGS, SERVER_ENTRY] },
  );
  server.child.kill("SIGTERM");
  expect(await server.exited).toBe(0);
  const names = readFileSync(list, "utf8")
    .split("\n")
    .map((url) => /\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url)?.[1])
    .filter((name) => name !== undefined);
  return new Set(names);
}

describe("start-up", () => {
  it("with the embedded store, loads SQLite's package and nothing else from node_modules", async () => {
    requireBuild();
    expect([...(await packagesLoaded({}, "/readyz"))]).toEqual(["better-sqlite3"]);
  });

  it("with MONGODB_URI, loads the MongoDB driver and never SQLite", async () => {
    requireBuild();
    // Nothing listens there: the server is alive (/healthz) but never ready.
    const packages = await packagesLoaded({ MONGODB_URI: "mongodb://127.0.0.1:1/?directConnection=true", MONGODB_TIMEOUT_MS: "500" }, "/healthz");
    expect(packages).toContain("mongodb");
    expect(packages).not.toContain("better-sqlite3");
  });
});
