/**
 * MONGODB_URI_FILE rotation, in-process, through the real driver against two wire-protocol
 * responders (A: the connection string the pod started with; B: the one a rotation puts in
 * the file), the file swapped the way the kubelet swaps a Secret volume.
 */
import { afterEach, describe, expect, it } from "vitest";
import { createApp } from "../../src/api/app.js";
import { openRotatingMongoStore } from "../../src/api/mongodb-rotation.js";
import type { EntryStore } from "../../src/api/store/types.js";
import { postJson, tempDir } from "../helpers/app.js";
import { capturedLogger } from "../helpers/log-capture.js";
import { MongoResponder, cannedReply, serverError } from "../helpers/mongo-responder.js";
import { ProjectedSecret } from "../helpers/projected-secret.js";

const TIMEOUT_MS = 1_000;
const RETRY_MS = 100;
// The watch settles for 50 ms; the new client's connect and readiness check take a few more.
const SWITCH_BOUND_MS = 3_000;

const responders: MongoResponder[] = [];
const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  for (const responder of responders.splice(0)) await responder.stop();
});

async function responder(start = true): Promise<MongoResponder> {
  const r = await MongoResponder.reserve();
  responders.push(r);
  if (start) await r.start();
  return r;
}

/** The store and app as the server builds them, over a kubelet-style Secret volume. */
async function rotating(initialUri: string) {
  const dir = tempDir();
  const secret = new ProjectedSecret(`${dir.path}/mongodb`);
  secret.write({ uri: `${initialUri}\n` });
  const log = capturedLogger();
  const store: EntryStore = openRotatingMongoStore({
    uri: initialUri,
    uriFile: secret.path("uri"),
    dbName: "guestbook",
    timeoutMs: TIMEOUT_MS,
    logger: log.logger,
    retryMs: RETRY_MS,
    // No polling within a test: the folder watch alone must notice the swap.
    watch: { settleMs: 50, pollMs: 600_000 },
  });
  cleanups.push(() => dir.remove(), () => store.close());
  // No kept newest page: every read must reach whichever client is current.
  const app = createApp({ store, logger: log.logger, limits: { rateLimitPerMinute: 0, cacheTtlMs: 0 } });
  await until(async () => (await app.request("/readyz")).status === 200, SWITCH_BOUND_MS);
  return { app, secret, log };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function until(condition: () => boolean | Promise<boolean>, withinMs: number): Promise<number> {
  const started = performance.now();
  while (performance.now() - started < withinMs) {
    if (await condition()) return performance.now() - started;
    await sleep(20);
  }
  throw new Error(`condition not met within ${withinMs} ms`);
}

/** Reads, signs and readiness checks, back to back, until stopped: every status seen. */
function steadyTraffic(app: Awaited<ReturnType<typeof rotating>>["app"]) {
  const statuses: number[] = [];
  let running = true;
  const loop = (async () => {
    for (let i = 0; running; i++) {
      const batch = await Promise.all([
        app.request("/api/entries"),
        app.request("/api/entries", postJson({ name: `rotation-${i}`, message: "during the switch" })),
        app.request("/readyz"),
      ]);
      statuses.push(...batch.map((res) => res.status));
    }
  })();
  return {
    statuses,
    stop: async () => {
      running = false;
      await loop;
      return statuses;
    },
  };
}

describe("a new connection string in MONGODB_URI_FILE", { timeout: 15_000 }, () => {
  it("moves new requests to it once it answers, fails none, and closes the old client after its calls finish", async () => {
    const a = await responder();
    // Slow reads on A: some are still in flight when the switch happens, and must finish there.
    a.on("find", async (command) => (await sleep(150), cannedReply(command)));
    const b = await responder();
    const { app, secret, log } = await rotating(a.uri());
    const traffic = steadyTraffic(app);
    await until(() => a.count("find") > 3, SWITCH_BOUND_MS);

    secret.write({ uri: `${b.uri()}\n` });
    await until(() => b.count("find") > 3 && b.count("insert") > 3, SWITCH_BOUND_MS);
    await until(() => a.openConnections === 0, SWITCH_BOUND_MS);
    const aFinds = a.count("find");
    const aInserts = a.count("insert");
    await sleep(200);
    const statuses = await traffic.stop();

    expect(statuses.length).toBeGreaterThan(30);
    expect(statuses.filter((status) => status < 200 || status >= 400)).toEqual([]);
    expect([a.count("find"), a.count("insert")]).toEqual([aFinds, aInserts]); // nothing more for A
    expect(log.lines.map((line) => line.msg)).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^The new connection string in MONGODB_URI_FILE \(mongodb:\/\/127\.0\.0\.1:\d+\/.*\) works: new requests use it/),
        "Closed the store that was replaced",
      ]),
    );
    expect(log.lines.filter((line) => (line.level as number) >= 40)).toEqual([]);
  });

  it("follows every rotation, not only the first (the watch outlives the folder it first saw)", async () => {
    const [a, b, c] = [await responder(), await responder(), await responder()];
    const { app, secret } = await rotating(a.uri());
    for (const [previous, next] of [[a, b], [b, c]] as const) {
      secret.write({ uri: next.uri() });
      await until(() => previous.openConnections === 0, SWITCH_BOUND_MS);
      expect((await app.request("/api/entries")).status).toBe(200);
      expect(next.count("find")).toBe(1);
    }
  });

  it("keeps the current client when the file holds something the driver refuses, in one line that never repeats it", async () => {
    const a = await responder();
    const { app, secret, log } = await rotating(a.uri());
    secret.write({ uri: "http://guest:n3w-s3cret@cluster0.example.net/\n" });
    await until(() => log.lines.some((line) => line.level === 40), SWITCH_BOUND_MS);
    const warnings = log.lines.filter((line) => line.level === 40);
    expect(warnings).toEqual([
      expect.objectContaining({
        msg: `MONGODB_URI_FILE (${secret.path("uri")}) is not a connection string the MongoDB driver accepts: Invalid scheme, expected connection string to start with "mongodb://" or "mongodb+srv://"; still using the previous connection string`,
      }),
    ]);
    const finds = a.count("find");
    expect((await app.request("/api/entries")).status).toBe(200);
    expect(a.count("find")).toBe(finds + 1);
    expect(log.text()).not.toContain("n3w-s3cret");
  });

  it("keeps the current client while the new password is refused, saying so once", async () => {
    const a = await responder();
    const b = await responder();
    b.on("saslStart", () => serverError(18, "AuthenticationFailed", "Authentication failed."));
    const { app, secret, log } = await rotating(a.uri());
    secret.write({ uri: b.uri("guest:n3w-s3cret") });
    await until(() => b.count("saslStart") >= 3, SWITCH_BOUND_MS); // tried again and again
    for (let i = 0; i < 3; i++) expect((await app.request("/api/entries")).status).toBe(200);
    expect((await app.request("/readyz")).status).toBe(200);
    expect(b.count("find")).toBe(0);
    const warnings = log.lines.filter((line) => (line.level as number) >= 40);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]!.msg).toMatch(
      /^The new connection string in MONGODB_URI_FILE \(mongodb:\/\/guest:\*\*\*@127\.0\.0\.1:\d+\/\?replicaSet=rs0\) does not work \(MongoDB is not usable: .*AuthenticationFailed.*\); still using the previous one, trying again every 0\.1 s$/,
    );
    expect(log.text()).not.toContain("n3w-s3cret");
  });

  it("switches once a new database that did not answer at first does", async () => {
    const a = await responder();
    const b = await responder(false);
    const { app, secret, log } = await rotating(a.uri());
    secret.write({ uri: b.uri() });
    await until(() => log.lines.some((line) => String(line.msg).includes("does not work")), SWITCH_BOUND_MS * 2);
    expect((await app.request("/api/entries")).status).toBe(200);
    await b.start();
    await until(async () => (await app.request("/api/entries")).status === 200 && b.count("find") > 0, SWITCH_BOUND_MS);
    await until(() => a.openConnections === 0, SWITCH_BOUND_MS);
  });

  it("withdraws a new string that has not answered when the file goes back to the one in use, and opens no client for that", async () => {
    const a = await responder();
    const never = await responder(false);
    const { app, secret, log } = await rotating(a.uri());
    secret.write({ uri: never.uri() });
    await until(() => log.lines.some((line) => String(line.msg).includes("does not work")), SWITCH_BOUND_MS * 2);
    secret.write({ uri: a.uri() });
    await sleep(300);
    await never.start();
    await sleep(RETRY_MS * 5);
    expect(never.received).toEqual([]);
    expect((await app.request("/api/entries")).status).toBe(200);
    expect(log.lines.filter((line) => String(line.msg).includes("is being tried"))).toHaveLength(1); // only the withdrawn one
  });

  it("follows the latest string when the file changes again before the previous one answered", async () => {
    const a = await responder();
    const never = await responder(false);
    const c = await responder();
    const { app, secret } = await rotating(a.uri());
    secret.write({ uri: never.uri() });
    await sleep(300);
    secret.write({ uri: c.uri() });
    await until(() => a.openConnections === 0, SWITCH_BOUND_MS);
    expect((await app.request("/api/entries")).status).toBe(200);
    expect(c.count("find")).toBeGreaterThan(0);
    await never.start();
    await sleep(RETRY_MS * 5);
    expect(never.received).toEqual([]); // its client was closed, not left retrying
  });
});
