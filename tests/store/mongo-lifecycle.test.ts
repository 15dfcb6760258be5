/**
 * The MongoDB store's connection lifecycle, deadlines, error mapping and readiness, through
 * the real driver against the wire-protocol responder (tests/helpers/mongo-responder.ts): no
 * MongoDB server can run here. What the responder cannot show (real data, real auth, a real
 * election) is the contract suite's job against the real server in CI.
 */
import dns from "node:dns";
import { type Socket as UdpSocket, createSocket } from "node:dgram";
import { MongoClient, type MongoServerError } from "mongodb";
import { afterEach, describe, expect, it } from "vitest";
import { createApp } from "../../src/api/app.js";
import { isTransient } from "../../src/api/store/mongo-errors.js";
import { openMongoStore } from "../../src/api/store/mongo.js";
import { type EntryStore, StoreUnavailableError } from "../../src/api/store/types.js";
import { postJson } from "../helpers/app.js";
import { capturedLogger } from "../helpers/log-capture.js";
import { MongoResponder, cursorReply, helloReply, serverError } from "../helpers/mongo-responder.js";

const TIMEOUT_MS = 600;
// Recovery: the connect attempt under way when the server comes up (the driver's monitor
// re-checks a server at most every 500 ms while a caller waits) plus the handshake.
const RECOVERY_BOUND_MS = TIMEOUT_MS + 1_500;

let responder: MongoResponder | undefined;
let store: EntryStore | undefined;
const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  await store?.close();
  await responder?.stop();
  for (const cleanup of cleanups.splice(0)) await cleanup();
  store = responder = undefined;
});

async function serving(configure: (r: MongoResponder) => void = () => undefined, auth = "") {
  responder = await MongoResponder.reserve();
  configure(responder);
  await responder.start();
  return open(responder.uri(auth));
}

function open(uri: string, timeoutMs = TIMEOUT_MS) {
  const log = capturedLogger();
  store = openMongoStore({ uri, dbName: "guestbook", timeoutMs, logger: log.logger });
  const app = createApp({ store, logger: log.logger, limits: { rateLimitPerMinute: 0 } });
  return { app, store, log };
}

async function timed<T>(run: () => Promise<T> | T): Promise<{ value: T; ms: number }> {
  const started = performance.now();
  const value = await run();
  return { value, ms: performance.now() - started };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const count = (r: MongoResponder, command: string) => r.received.filter((name) => name === command).length;

async function pollUntilReady(app: ReturnType<typeof open>["app"], withinMs: number): Promise<number> {
  const started = performance.now();
  while (performance.now() - started < withinMs) {
    if ((await app.request("/readyz")).status === 200) return performance.now() - started;
    await sleep(50);
  }
  throw new Error(`not ready within ${withinMs} ms`);
}

describe("a database that starts after the app", () => {
  it("leaves the store not ready, then ready and serving within a bounded time once it is up", async () => {
    responder = await MongoResponder.reserve();
    const { app, log } = open(responder.uri());
    expect((await app.request("/readyz")).status).toBe(503);
    expect((await app.request("/api/entries")).status).toBe(503);

    await responder.start();
    const recoveredIn = await pollUntilReady(app, RECOVERY_BOUND_MS);
    expect(recoveredIn).toBeLessThan(RECOVERY_BOUND_MS);
    expect((await app.request("/api/entries")).status).toBe(200);
    expect((await app.request("/api/entries", postJson({ name: "Ann", message: "hi" }))).status).toBe(201);
    expect(responder.received).toContain("insert");
    expect(log.text()).not.toContain("MongoTopologyClosedError");
    expect(log.lines).toContainEqual(expect.objectContaining({ level: 40, msg: expect.stringMatching(/^MongoDB unavailable/) }));
    expect(log.lines).toContainEqual(expect.objectContaining({ level: 30, msg: "MongoDB reachable again" }));
  });

  it("stays ready while a database it has reached goes away, answers 503 meanwhile, and serves again once it is back", async () => {
    const { app, log } = await serving();
    await pollUntilReady(app, RECOVERY_BOUND_MS);
    await responder!.stop();
    expect((await app.request("/api/entries")).status).toBe(503);
    expect((await app.request("/readyz")).status).toBe(200);
    await responder!.start();
    const started = performance.now();
    while ((await app.request("/api/entries")).status !== 200) {
      expect(performance.now() - started).toBeLessThan(RECOVERY_BOUND_MS);
      await sleep(50);
    }
    expect((await app.request("/readyz")).status).toBe(200);
    expect(log.lines.map((line) => line.msg)).toEqual(
      expect.arrayContaining([expect.stringMatching(/^The store is unavailable/), expect.stringMatching(/^The store is available again after/)]),
    );
  });
});

describe("deadlines: every call ends within MONGODB_TIMEOUT_MS, and nothing is sent after it", () => {
  it("gives up on an insert whose reply never comes, and never sends it again", async () => {
    const { app } = await serving((r) => r.on("insert", () => "hang"));
    const { value: res, ms } = await timed(() => app.request("/api/entries", postJson({ name: "Ann", message: "hi" })));
    expect(res.status).toBe(503);
    expect(ms).toBeGreaterThanOrEqual(TIMEOUT_MS - 50);
    expect(ms).toBeLessThan(TIMEOUT_MS + 500);
    await sleep(TIMEOUT_MS * 2);
    expect(count(responder!, "insert")).toBe(1);
  });

  it("sends no write once the request's own deadline has passed, even when the database answers later", async () => {
    responder = await MongoResponder.reserve();
    // The store's own deadline is long (3 s); the request's is what runs out.
    const { store: opened } = open(responder.uri(), 3_000);
    // The request was answered 503 at 300 ms (a slow body, say) while the store still waited to connect.
    const deadline = AbortSignal.timeout(300);
    const attempt = opened.insert({ id: "late-write-0001", name: "Ann", message: "hi", createdAt: new Date().toISOString() }, deadline);
    const outcome = attempt.then(() => "stored", () => "refused");
    await sleep(600);
    await responder.start();
    expect(await outcome).toBe("refused");
    await sleep(1_000);
    expect(count(responder, "insert")).toBe(0);
  });

  it("gives up on a read whose reply never comes", async () => {
    const { app } = await serving((r) => r.on("find", () => "hang"));
    const { value: res, ms } = await timed(() => app.request("/api/entries"));
    expect(res.status).toBe(503);
    expect(ms).toBeLessThan(TIMEOUT_MS + 500);
  });

  it("lets a sign that meets a short election succeed through the driver's one retry", async () => {
    let primary = true;
    const timeoutMs = 3_000;
    responder = await MongoResponder.reserve();
    responder
      .on("insert", (command) => {
        if (count(responder!, "insert") === 1) {
          primary = false; // the primary steps down as the first attempt arrives ...
          setTimeout(() => (primary = true), 800); // ... and a new one is elected 0.8 s later
        }
        return primary ? { ok: 1, n: (command.documents as unknown[]).length } : notWritablePrimary();
      })
      .on("ismaster", (command) => helloReply(command, primary))
      .on("hello", (command) => helloReply(command, primary));
    await responder.start();
    const { app } = open(responder.uri(), timeoutMs);
    await pollUntilReady(app, RECOVERY_BOUND_MS);
    const { value: res, ms } = await timed(() => app.request("/api/entries", postJson({ name: "Ann", message: "hi" })));
    expect(res.status).toBe(201);
    expect(ms).toBeGreaterThanOrEqual(700);
    expect(ms).toBeLessThan(timeoutMs);
    expect(count(responder, "insert")).toBe(2);
  });

  it("answers 503 once, before the deadline, when the election outlasts it, and writes nothing later", async () => {
    let primary = true;
    responder = await MongoResponder.reserve();
    responder
      .on("insert", () => {
        primary = false; // no new primary within this test
        return notWritablePrimary();
      })
      .on("ismaster", (command) => helloReply(command, primary))
      .on("hello", (command) => helloReply(command, primary));
    await responder.start();
    const { app } = open(responder.uri());
    await pollUntilReady(app, RECOVERY_BOUND_MS);
    const { value: res, ms } = await timed(() => app.request("/api/entries", postJson({ name: "Ann", message: "hi" })));
    expect(res.status).toBe(503);
    expect(res.headers.get("retry-after")).not.toBeNull();
    expect(ms).toBeLessThan(TIMEOUT_MS + 500);
    primary = true;
    await sleep(TIMEOUT_MS * 2);
    expect(count(responder, "insert")).toBe(1);
  });

  it("cannot lean on the driver's timeoutMS: driver 7.9 ignores it", async () => {
    await serving((r) => r.on("insert", async () => (await sleep(600), { ok: 1, n: 1 })));
    const client = new MongoClient(responder!.uri(), { timeoutMS: 150 });
    cleanups.push(() => client.close());
    const { ms } = await timed(() => client.db("guestbook").collection("entries").insertOne({ _id: "csot" } as never));
    expect(ms).toBeGreaterThanOrEqual(550); // had CSOT applied, this insert would have failed at 150 ms
  });
});

describe("durability, stated on every command", () => {
  it("writes with majority and journal, reads majority-committed data preferring the primary, whatever MONGODB_URI says", async () => {
    responder = await MongoResponder.reserve();
    await responder.start();
    const { app } = open(`${responder.uri()}&w=1&journal=false&readPreference=secondary&readConcernLevel=local`);
    expect((await app.request("/api/entries", postJson({ name: "Ann", message: "hi" }))).status).toBe(201);
    expect((await app.request("/api/entries")).status).toBe(200);
    const sent = (name: string) => responder!.commands.find((command) => Object.keys(command)[0] === name)!;
    expect(sent("insert").writeConcern).toEqual({ w: "majority", j: true });
    expect(sent("find").readConcern).toEqual({ level: "majority" });
    expect(sent("find").$readPreference).toEqual({ mode: "primaryPreferred" });
  });
});

describe("errors: 503 only for what passes by itself", () => {
  it("answers a wrong password with a 500 and one clear log line, never a 503", async () => {
    const { app, log } = await serving(
      (r) => r.on("saslStart", () => serverError(18, "AuthenticationFailed", "Authentication failed.")),
      "guest:wrong-s3cret",
    );
    const res = await app.request("/api/entries");
    expect(res.status).toBe(500);
    expect(await res.json()).toEqual({ error: { code: "internal_error", message: expect.any(String) } });
    for (let i = 0; i < 3; i++) expect((await app.request("/readyz")).status).toBe(503);
    const explained = log.lines.filter((line) => String(line.msg).includes("rejected the user name or password in MONGODB_URI"));
    expect(explained).toHaveLength(1); // rate-limited: probes repeat every few seconds
    expect(explained[0]).toMatchObject({ level: 50, code: 18 });
    expect(log.text()).not.toContain("wrong-s3cret");
  });

  it("answers a refused write (no insert permission) with a 500 logged with its code", async () => {
    const { app, log } = await serving((r) => r.on("insert", () => serverError(13, "Unauthorized", "not authorized on guestbook to execute command { insert: ... }")));
    const res = await app.request("/api/entries", postJson({ name: "Ann", message: "hi" }));
    expect(res.status).toBe(500);
    expect(log.lines).toContainEqual(expect.objectContaining({ level: 50, err: expect.objectContaining({ code: 13 }) }));
  });

  it("treats a duplicate key from the driver as permanent", async () => {
    await serving((r) =>
      r.on("insert", () => ({
        ok: 1,
        n: 0,
        writeErrors: [{ index: 0, code: 11000, errmsg: "E11000 duplicate key error collection: guestbook.entries index: _id_", keyPattern: { _id: 1 }, keyValue: { _id: "dup" } }],
      })),
    );
    const client = new MongoClient(responder!.uri());
    cleanups.push(() => client.close());
    const error = await client.db("guestbook").collection("entries").insertOne({ _id: "dup" } as never).catch((e: unknown) => e);
    expect((error as MongoServerError).code).toBe(11000);
    expect(isTransient(error)).toBe(false);
  });

  it("answers 503 when the connection drops mid-flight", async () => {
    const { app } = await serving((r) => r.on("find", async () => (await responder!.stop(), "hang")));
    await pollUntilReady(app, RECOVERY_BOUND_MS);
    expect((await app.request("/api/entries")).status).toBe(503);
  });

  it("answers 503 when the SRV lookup fails, a plain Node error", async () => {
    const servfail = await dnsServerAnsweringServfail();
    const servers = dns.getServers();
    dns.setServers([`127.0.0.1:${(servfail.address() as { port: number }).port}`]);
    cleanups.push(() => dns.setServers(servers), () => servfail.close());
    const { app, log } = open("mongodb+srv://guest:pw@cluster0.example.net/");
    const res = await app.request("/api/entries");
    expect(res.status).toBe(503);
    expect((await app.request("/readyz")).status).toBe(503);
    expect(log.text()).toContain("querySrv ESERVFAIL");
  });
});

describe("readiness says why", () => {
  const indexes = (...extra: object[]) => () => cursorReply("guestbook.entries", [{ v: 2, key: { _id: 1 }, name: "_id_" }, ...extra]);
  const sameKeysOtherName = { v: 2, key: { createdAt: -1, _id: -1 }, name: "createdAt_-1__id_-1" };

  it("is ready when an equivalent index exists under another name (IndexOptionsConflict, code 85)", async () => {
    const { app, log } = await serving((r) =>
      r
        .on("createIndexes", () => serverError(85, "IndexOptionsConflict", "Index already exists with a different name: createdAt_-1__id_-1"))
        .on("listIndexes", indexes(sameKeysOtherName)),
    );
    await pollUntilReady(app, RECOVERY_BOUND_MS);
    expect(log.lines.filter((line) => (line.level as number) >= 50)).toEqual([]);
  });

  it("is ready when the user may not create indexes but the index is already there", async () => {
    const { app } = await serving((r) =>
      r.on("createIndexes", () => serverError(13, "Unauthorized", "not authorized to execute command createIndexes")).on("listIndexes", indexes(sameKeysOtherName)),
    );
    await pollUntilReady(app, RECOVERY_BOUND_MS);
  });

  it("stays not ready without the permission or the index, saying so in one line, once", async () => {
    const { app, log } = await serving((r) =>
      r.on("createIndexes", () => serverError(13, "Unauthorized", "not authorized to execute command createIndexes")).on("listIndexes", indexes()),
    );
    for (let i = 0; i < 4; i++) expect((await app.request("/readyz")).status).toBe(503);
    const errors = log.lines.filter((line) => line.level === 50);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ code: 13, msg: expect.stringContaining("may not create indexes on guestbook.entries") });
    expect(errors[0]!.msg).toContain("createIndex");
  });

  it("stays not ready when an index of the same name has other keys, and says which", async () => {
    const { app, log } = await serving((r) =>
      r
        .on("createIndexes", () => serverError(86, "IndexKeySpecsConflict", "An existing index has the same name as the requested index"))
        .on("listIndexes", indexes({ v: 2, key: { createdAt: 1 }, name: "newest_first" })),
    );
    for (let i = 0; i < 3; i++) expect((await app.request("/readyz")).status).toBe(503);
    const errors = log.lines.filter((line) => line.level === 50);
    expect(errors).toHaveLength(1);
    expect(errors[0]!.msg).toMatch(/newest_first index .* IndexKeySpecsConflict/);
  });

  it("rejects ping with StoreUnavailableError whatever the cause, so /readyz is a plain 503", async () => {
    const { store } = await serving((r) => r.on("saslStart", () => serverError(18, "AuthenticationFailed")), "guest:pw");
    await expect(store.ping()).rejects.toBeInstanceOf(StoreUnavailableError);
  });
});

describe("what counts as transient", () => {
  it.each([
    ["an SRV lookup failure", Object.assign(new Error("querySrv ENOTFOUND _mongodb._tcp.x.example.net"), { code: "ENOTFOUND", syscall: "querySrv" }), true],
    ["our own deadline", new DOMException("The operation was aborted due to timeout", "TimeoutError"), true],
    ["a programming error", new TypeError("cannot read properties of undefined"), false],
  ])("%s: %s", (_name, error, expected) => {
    expect(isTransient(error)).toBe(expected);
  });
});

function notWritablePrimary() {
  // Servers since 4.4 label it themselves; the driver retries a write once on this label.
  return serverError(10107, "NotWritablePrimary", "not primary", ["RetryableWriteError"]);
}

// A DNS server that answers every query with SERVFAIL: what a broken resolver looks like.
async function dnsServerAnsweringServfail(): Promise<UdpSocket> {
  const server = createSocket("udp4");
  server.on("message", (query, peer) => {
    const reply = Buffer.from(query);
    reply[2] = 0x81; // a response, recursion desired
    reply[3] = 0x82; // recursion available, RCODE 2 (SERVFAIL)
    server.send(reply, peer.port, peer.address);
  });
  await new Promise<void>((resolve) => server.bind(0, "127.0.0.1", resolve));
  return server;
}
