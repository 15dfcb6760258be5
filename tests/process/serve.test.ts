/** `npm run serve` as a real process over real HTTP: persistence, kill -9, drain, bad config. */
import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Entry } from "../../src/shared/entry.js";
import { postJson, tempDir } from "../helpers/app.js";
import { type RunningServer, SERVER_ENTRY, requireBuild, startServer } from "../../scripts/lib/server-process.js";

let dataDir: ReturnType<typeof tempDir>;
let running: RunningServer | undefined;

beforeEach(() => {
  dataDir = tempDir();
});
afterEach(() => {
  running?.child.kill("SIGKILL");
  running = undefined;
  dataDir.remove();
});

const start = async (env: Record<string, string> = {}) =>
  (running = await startServer({ DATA_DIR: dataDir.path, ...env }));

async function sign(server: RunningServer, name: string): Promise<Entry> {
  const res = await fetch(`${server.url}/api/entries`, postJson({ name, message: `from ${name}` }));
  expect(res.status).toBe(201);
  return (await res.json()) as Entry;
}

const names = async (server: RunningServer) =>
  ((await (await fetch(`${server.url}/api/entries`)).json()) as { entries: Entry[] }).entries.map((e) => e.name);

describe("npm run serve", () => {
  it("serves the UI at / and the API under /api", async () => {
    const server = await start();
    const page = await fetch(`${server.url}/`);
    expect(page.status).toBe(200);
    expect(page.headers.get("content-type")).toMatch(/text\/html/);
    expect(page.headers.get("cache-control")).toBe("no-cache");
    const html = await page.text();
    expect(html).toContain('<div id="root">');
    const asset = /src="(\/assets\/[^"]+\.js)"/.exec(html)?.[1];
    expect(asset).toBeDefined();
    const script = await fetch(`${server.url}${asset}`);
    expect(script.status).toBe(200);
    expect(script.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
    expect((await fetch(`${server.url}/api/entries`)).status).toBe(200);
  });

  it("keeps acknowledged entries across a clean restart", async () => {
    let server = await start();
    await sign(server, "before-restart");
    server.child.kill("SIGTERM");
    expect(await server.exited).toBe(0);
    server = await start();
    expect(await names(server)).toEqual(["before-restart"]);
  });

  it("keeps every entry acknowledged with 201 through kill -9", async () => {
    let server = await start();
    for (let i = 0; i < 5; i++) await sign(server, `acked-${i}`);
    server.child.kill("SIGKILL");
    expect(await server.exited).toBe("SIGKILL");
    server = await start();
    expect(await names(server)).toEqual(["acked-4", "acked-3", "acked-2", "acked-1", "acked-0"]);
  });

  it("on SIGTERM fails readiness at once, keeps serving through the delay, then exits 0", async () => {
    const server = await start({ SHUTDOWN_DELAY_MS: "1500" });
    const signalled = performance.now();
    server.child.kill("SIGTERM");
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect((await fetch(`${server.url}/readyz`)).status).toBe(503);
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
    await sign(server, "during-drain");
    expect(await server.exited).toBe(0);
    const took = performance.now() - signalled;
    expect(took).toBeGreaterThanOrEqual(1400);
    expect(took).toBeLessThan(10_000);
  });

  it.each(["SIGTERM", "SIGINT"] as const)("ignores a second %s during the drain: keeps serving, then exits 0", async (signal) => {
    const server = await start({ SHUTDOWN_DELAY_MS: "1500" });
    server.child.kill(signal);
    await new Promise((resolve) => setTimeout(resolve, 100));
    server.child.kill(signal);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(server.child.exitCode).toBeNull();
    expect(server.child.signalCode).toBeNull();
    await sign(server, "after-second-signal");
    expect(await server.exited).toBe(0);
  });

  it("stops at start-up with one clear line when DATA_DIR cannot hold the store", () => {
    requireBuild();
    const notAFolder = join(dataDir.path, "file");
    writeFileSync(notAFolder, "");
    const result = spawnSync(process.execPath, [SERVER_ENTRY], {
      env: { PATH: process.env.PATH ?? "", DATA_DIR: notAFolder },
      encoding: "utf8",
      timeout: 10_000,
    });
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(new RegExp(`^Cannot open the embedded store in DATA_DIR=${notAFolder}: .+\n$`));
  });

  it("stops at start-up with one clear line when the configuration is invalid", () => {
    requireBuild();
    const result = spawnSync(process.execPath, [SERVER_ENTRY], {
      env: { PATH: process.env.PATH ?? "", PORT: "eighty" },
      encoding: "utf8",
      timeout: 10_000,
    });
    expect(result.status).toBe(1);
    expect(result.stdout).toBe("");
    expect(result.stderr).toBe('Invalid configuration: PORT must be a whole number from 1 to 65535 (got "eighty")\n');
  });

  it.each([
    {
      uri: "mongodb+srv://app:s3cret@cluster0.example.net:27017/",
      line: "MONGODB_URI is not a connection string the MongoDB driver accepts: mongodb+srv URI cannot have port number",
    },
    {
      // An unescaped @ in the password: the driver's reason would repeat "ssw0rd:99999".
      uri: "mongodb://app:p@ssw0rd:99999/",
      line:
        "MONGODB_URI is not a connection string the MongoDB driver accepts; " +
        "percent-encode @ : / ? # in the user name and password (@ is %40), and check the host list",
    },
  ])("stops at start-up with one line naming MONGODB_URI when the driver would refuse $uri, never echoing it", ({ uri, line }) => {
    requireBuild();
    const result = spawnSync(process.execPath, [SERVER_ENTRY], {
      env: { PATH: process.env.PATH ?? "", MONGODB_URI: uri },
      encoding: "utf8",
      timeout: 10_000,
    });
    expect(result.status).toBe(1);
    expect(result.stdout).toBe("");
    expect(result.stderr).toBe(`Invalid configuration: ${line}\n`);
  });
});
