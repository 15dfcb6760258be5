/** The built server as a real process under a drain and under database faults. */
import { type AddressInfo, type Server, type Socket, createServer } from "node:net";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { freePort, type RunningServer, startServer } from "../../scripts/lib/server-process.js";
import { postJson, tempDir } from "../helpers/app.js";
import { MongoResponder, serverError } from "../helpers/mongo-responder.js";

let running: RunningServer | undefined;
const dirs: ReturnType<typeof tempDir>[] = [];
afterEach(() => {
  running?.child.kill("SIGKILL");
  running = undefined;
  for (const dir of dirs.splice(0)) dir.remove();
});

const storeUp = async (url: string) => (await (await fetch(`${url}/metrics`)).text()).match(/^guestbook_store_up (\d)$/m)?.[1];

async function until(condition: () => Promise<boolean>, withinMs: number): Promise<void> {
  const started = performance.now();
  while (!(await condition())) {
    if (performance.now() - started > withinMs) throw new Error(`condition not met within ${withinMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function timed(url: string, init?: RequestInit) {
  const started = performance.now();
  const res = await fetch(url, init);
  return { status: res.status, ms: performance.now() - started };
}

describe("draining under load", () => {
  type Outcome = { started: number; ended: number; result: number | string };

  /** One GET or POST; the HTTP status, or the connection error's code. */
  async function one(url: string, i: number): Promise<Outcome> {
    const started = performance.now();
    const send =
      i % 3 === 0
        ? fetch(`${url}/api/entries`, postJson({ name: `drain-${i}`, message: "during the drain" }))
        : fetch(`${url}/api/entries`);
    const result = await send.then(
      async (res) => (await res.arrayBuffer(), res.status),
      (error: Error & { cause?: { code?: string } }) => error.cause?.code ?? error.message,
    );
    return { started, ended: performance.now(), result };
  }

  // Load runs from SIGTERM until the process has exited, however fast this machine is: the
  // boundary is found from the outcomes, not assumed from a clock.
  it("answers every request 2xx until the listener closes, refuses only after that, keeps every 201, exits 0", async () => {
    const data = tempDir();
    dirs.push(data);
    running = await startServer({ DATA_DIR: data.path, SHUTDOWN_DELAY_MS: "1500", RATE_LIMIT_PER_MINUTE: "0" });
    const { url, child, exited } = running;
    let exitCode: number | string | undefined;
    void exited.then((code) => (exitCode = code));
    child.kill("SIGTERM");
    const outcomes: Outcome[] = [];
    for (let i = 0; exitCode === undefined; ) {
      outcomes.push(...(await Promise.all(Array.from({ length: 15 }, () => one(url, i++)))));
    }
    expect(exitCode).toBe(0);

    const answered = outcomes.filter((o) => typeof o.result === "number");
    expect(answered.length).toBeGreaterThan(30);
    expect(answered.filter((o) => o.result !== 200 && o.result !== 201)).toEqual([]);
    // Once one request has failed to connect, the listener is closed for good.
    const firstFailure = Math.min(...outcomes.filter((o) => typeof o.result === "string").map((o) => o.ended));
    expect(answered.filter((o) => o.started > firstFailure)).toEqual([]);
    // Every entry acknowledged during the drain is in the store.
    const db = new Database(join(data.path, "guestbook.sqlite"), { readonly: true });
    const stored = (db.prepare("SELECT count(*) AS n FROM entries").get() as { n: number }).n;
    db.close();
    expect(stored).toBe(answered.filter((o) => o.result === 201).length);
  });
});

describe("MongoDB faults, through the real driver", () => {
  const sockets: Socket[] = [];
  let silent: Server;
  beforeAll(async () => {
    silent = createServer((socket) => sockets.push(socket)); // accepts, never answers
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
  });
  afterAll(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => silent.close(resolve));
  });

  const cases = [
    { name: "unreachable at start-up", port: () => freePort() },
    { name: "accepting connections but never answering", port: async () => (silent.address() as AddressInfo).port },
  ];

  it.each(cases)("$name: stays alive and not ready, data routes answer 503 within the timeout, the password never logged", async ({ port }) => {
    const uri = `mongodb://guest:s3cret-pass@127.0.0.1:${await port()}/?directConnection=true`;
    running = await startServer({ MONGODB_URI: uri, MONGODB_TIMEOUT_MS: "500", LOG_LEVEL: "info" }, { waitFor: "/healthz" });
    const { url } = running;
    for (const probe of [
      await timed(`${url}/readyz`),
      await timed(`${url}/api/entries`),
      await timed(`${url}/api/entries`, postJson({ name: "Ann", message: "hi" })),
    ]) {
      expect(probe.status).toBe(503);
      expect(probe.ms).toBeLessThan(3000);
    }
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    expect(running.child.exitCode).toBeNull();
    expect(running.output()).toContain("mongodb://guest:***@127.0.0.1");
    expect(running.output()).not.toContain("s3cret-pass");
  });
});

describe("MongoDB lifecycle, through the real driver, against the wire-protocol responder", { timeout: 20_000 }, () => {
  const TIMEOUT_MS = 1_000;
  // One connect attempt under way when the database comes up, plus the driver's monitor
  // re-check (at most every 500 ms while a caller waits) and the handshake.
  const RECOVERY_BOUND_MS = TIMEOUT_MS + 1_500;
  let responder: MongoResponder | undefined;
  afterEach(async () => {
    await responder?.stop();
    responder = undefined;
  });

  it("a database that starts after the server: /readyz turns 200 and data routes answer within a bounded time", async () => {
    responder = await MongoResponder.reserve();
    running = await startServer(
      { MONGODB_URI: responder.uri(), MONGODB_TIMEOUT_MS: String(TIMEOUT_MS), LOG_LEVEL: "info" },
      { waitFor: "/healthz" },
    );
    const { url } = running;
    expect((await fetch(`${url}/readyz`)).status).toBe(503);
    expect((await fetch(`${url}/api/entries`)).status).toBe(503);

    await responder.start();
    const up = performance.now();
    let readyAfter = Number.POSITIVE_INFINITY;
    while (performance.now() - up < RECOVERY_BOUND_MS * 2) {
      if ((await fetch(`${url}/readyz`)).status === 200) {
        readyAfter = performance.now() - up;
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(readyAfter).toBeLessThan(RECOVERY_BOUND_MS);
    expect((await fetch(`${url}/api/entries`)).status).toBe(200);
    expect((await fetch(`${url}/api/entries`, postJson({ name: "Ann", message: "hi" }))).status).toBe(201);
    expect(running.output()).toContain("MongoDB reachable again");
    expect(running.output()).not.toContain("MongoTopologyClosedError");
  });

  it("after the first contact, an outage keeps /readyz 200 while data routes answer JSON 503 with Retry-After, and shows in metrics and logs", async () => {
    responder = await MongoResponder.reserve();
    await responder.start();
    running = await startServer({ MONGODB_URI: responder.uri(), MONGODB_TIMEOUT_MS: String(TIMEOUT_MS), LOG_LEVEL: "info" });
    const { url } = running;
    expect(await storeUp(url)).toBe("1");

    await responder.stop(); // Atlas failing over, or in maintenance, for longer than a request
    for (let i = 0; i < 3; i++) {
      const { status, ms } = await timed(`${url}/readyz`);
      expect(status).toBe(200); // the pod stays in the endpoints ...
      expect(ms).toBeLessThan(3000); // ... and answers within the probe's timeoutSeconds
    }
    for (const res of [await fetch(`${url}/api/entries`), await fetch(`${url}/api/entries`, postJson({ name: "Ann", message: "hi" }))]) {
      expect(res.status).toBe(503); // ... so the API, not the ingress, answers
      expect(res.headers.get("retry-after")).toBe("5");
      expect(await res.json()).toMatchObject({ error: { code: "store_unavailable" } });
    }
    expect(await storeUp(url)).toBe("0");

    await responder.start();
    await until(async () => (await fetch(`${url}/api/entries`)).status === 200, RECOVERY_BOUND_MS);
    expect((await fetch(`${url}/readyz`)).status).toBe(200);
    expect(await storeUp(url)).toBe("1");
    // The child's log reaches us through a pipe, possibly after the response that caused it.
    await until(async () => /"msg":"The store is available again after [\d.]+ s"/.test(running!.output()), 2_000);
    const outage = running.output().split("\n").filter((line) => line.includes("The store is unavailable"));
    expect(outage).toHaveLength(1);
    expect(JSON.parse(outage[0]!)).toMatchObject({ level: 40, msg: expect.stringContaining("staying ready") });
  });

  it("a wrong password: data routes answer 500, readiness 503, and one error line says why", async () => {
    responder = await MongoResponder.reserve();
    responder.on("saslStart", () => serverError(18, "AuthenticationFailed", "Authentication failed."));
    await responder.start();
    running = await startServer(
      { MONGODB_URI: responder.uri("guest:wrong-pass"), MONGODB_TIMEOUT_MS: String(TIMEOUT_MS), LOG_LEVEL: "info" },
      { waitFor: "/healthz" },
    );
    const { url } = running;
    const { status, ms } = await timed(`${url}/api/entries`);
    expect(status).toBe(500);
    expect(ms).toBeLessThan(TIMEOUT_MS);
    for (let i = 0; i < 3; i++) expect((await fetch(`${url}/readyz`)).status).toBe(503);
    const lines = running.output().split("\n").filter((line) => line.includes("rejected the user name or password in MONGODB_URI"));
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!)).toMatchObject({ level: 50, code: 18 });
    expect(running.output()).not.toContain("wrong-pass");
  });
});
