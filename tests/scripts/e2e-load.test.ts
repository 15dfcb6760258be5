/**
 * The rollout load script of the kind end-to-end run, against real server processes behind a
 * readiness-following proxy: a SIGTERM rollout must cost nothing, a kill -9 must be reported.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { resolve } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type RunningServer, startServer } from "../../scripts/lib/server-process.js";
import { tempDir } from "../helpers/app.js";
import { startReadyProxy } from "../helpers/ready-proxy.js";

let data: ReturnType<typeof tempDir>;
let proxy: Awaited<ReturnType<typeof startReadyProxy>>;
const servers: RunningServer[] = [];

beforeEach(async () => {
  data = tempDir();
  proxy = await startReadyProxy();
});
afterEach(async () => {
  for (const server of servers.splice(0)) server.child.kill("SIGKILL");
  await proxy.close();
  data.remove();
});

/** A pod of the backend: the real server on the shared data, with the manifests' drain. */
async function startPod(rateLimitPerMinute = "0"): Promise<RunningServer> {
  const server = await startServer({ DATA_DIR: data.path, SHUTDOWN_DELAY_MS: "1000", RATE_LIMIT_PER_MINUTE: rateLimitPerMinute });
  servers.push(server);
  proxy.add(server.url);
  await proxy.waitReady(server.url);
  return server;
}

/** The load as a process; `started` resolves once it says a signal would stop it gracefully. */
function startLoad(...args: string[]): { child: ChildProcess; started: Promise<void>; result: Promise<{ code: number | null; stdout: string }> } {
  const child = spawn(resolve("node_modules/.bin/tsx"), ["scripts/e2e/load.ts", proxy.url, "--readers", "3", "--signs-per-minute", "600", ...args], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  let stdout = "";
  let markStarted: () => void;
  const started = new Promise<void>((done) => (markStarted = done));
  child.stdout!.on("data", (chunk: Buffer) => {
    stdout += chunk.toString();
    if (/^started: /m.test(stdout)) markStarted();
  });
  return { child, started, result: new Promise((done) => child.on("close", (code) => done({ code, stdout }))) };
}

const summary = (stdout: string) => /^load: .*$/m.exec(stdout)?.[0] ?? stdout;

describe("npm run e2e:load", () => {
  it("reports zero failures and no lost signature through a rolling restart with SIGTERM", async () => {
    const old = await startPod();
    const load = startLoad("--max-seconds", "60");
    await load.started;
    await new Promise((r) => setTimeout(r, 1000));
    // The rollout: the new pod is ready before the old one is told to stop (maxUnavailable: 0).
    await startPod();
    old.child.kill("SIGTERM");
    expect(await old.exited).toBe(0);
    await new Promise((r) => setTimeout(r, 500));
    load.child.kill("SIGINT");
    const { code, stdout } = await load.result;
    expect(stdout).toMatch(/^started: 3 readers and 600 signs a minute against http:\/\/127\.0\.0\.1:\d+, until SIGINT, SIGTERM or 60 s$/m);
    expect(summary(stdout)).toMatch(/ 0 failed, 0 rate limited \(429\), 0 lost, slowest \d+ ms$/);
    const counts = /load: (\d+) requests .*\((\d+) reads, (\d+) signs, (\d+) acknowledged\)/.exec(stdout)!;
    expect(Number(counts[1])).toBeGreaterThan(100);
    expect(Number(counts[4])).toBeGreaterThan(5);
    expect(code).toBe(0);
  }, 90_000);

  it("reports the failures it saw, and exits 1, when the only pod is killed with -9", async () => {
    const pod = await startPod();
    const load = startLoad("--max-seconds", "60");
    await load.started;
    await new Promise((r) => setTimeout(r, 1000));
    pod.child.kill("SIGKILL");
    await pod.exited;
    // The proxy notices, as endpoints would; requests in between fail, and then there is no backend.
    await new Promise((r) => setTimeout(r, 500));
    load.child.kill("SIGINT");
    const { code, stdout } = await load.result;
    expect(stdout).toMatch(/^failed: \S+ (GET|POST) \/(api\/entries)? → (HTTP 50[23]|\w+)$/m);
    expect(summary(stdout)).toMatch(/ [1-9]\d* failed, /);
    expect(code).toBe(1);
  }, 90_000);

  it("loads the page as well as the entries, so a frontend that fails is seen", async () => {
    // The API answers; what plays the frontend does not: only the page's reads can fail.
    const pod = await startPod();
    const site = createServer((req, res) => {
      if (req.url === "/") res.writeHead(503).end("frontend down");
      else fetch(`${pod.url}${req.url}`, { method: req.method, headers: { "content-type": "application/json" }, body: req.method === "POST" ? req : undefined, duplex: "half" } as RequestInit)
        .then(async (answer) => res.writeHead(answer.status, { "content-type": answer.headers.get("content-type") ?? "" }).end(Buffer.from(await answer.arrayBuffer())));
    });
    await new Promise<void>((done) => site.listen(0, "127.0.0.1", done));
    try {
      const child = spawn(resolve("node_modules/.bin/tsx"), ["scripts/e2e/load.ts", `http://127.0.0.1:${(site.address() as AddressInfo).port}`, "--readers", "1", "--max-seconds", "1"], {
        stdio: ["ignore", "pipe", "inherit"],
      });
      let stdout = "";
      child.stdout!.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
      const code = await new Promise((done) => child.on("close", done));
      expect(stdout).toMatch(/^failed: \S+ GET \/ → HTTP 503$/m);
      expect(stdout).not.toMatch(/^failed: \S+ (GET|POST) \/api\/entries/m);
      expect(code).toBe(1);
    } finally {
      site.closeAllConnections();
      site.close();
    }
  }, 30_000);

  it("counts 429s apart and passes, unless --fail-on-429 says the sign rate was meant to stay below the limit", async () => {
    await startPod("3");
    const counted = startLoad("--max-seconds", "2");
    const tolerant = await counted.result;
    expect(summary(tolerant.stdout)).toMatch(/ 0 failed, [1-9]\d* rate limited \(429\), 0 lost, /);
    expect(tolerant.code).toBe(0);

    const strict = await startLoad("--max-seconds", "2", "--fail-on-429").result;
    expect(strict.stdout).toMatch(/^failed: [1-9]\d* signs were rate limited although the sign rate was meant to stay below the limit \(--fail-on-429\)$/m);
    expect(strict.code).toBe(1);
  }, 30_000);

  it("refuses a missing URL with the usage line", async () => {
    const child = spawn(resolve("node_modules/.bin/tsx"), ["scripts/e2e/load.ts"], { stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr!.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise((done) => child.on("close", done));
    expect(code).toBe(2);
    expect(stderr).toMatch(/^e2e:load: expected one base URL such as http:\/\/localhost:8080\nusage: npm run e2e:load -- URL/);
  });
});
