/**
 * The newest page and MongoDB change streams, through the real driver against the wire-protocol
 * responder: a change event drops the kept page at once; a deployment without change streams
 * (a standalone server) leaves the TTL in charge and says so once. The same against a real
 * replica set, with two server processes, is tests/process/change-stream.test.ts (MONGODB_URI_TEST).
 */
import { BSON, type Document } from "mongodb";
import { afterEach, describe, expect, it } from "vitest";
import { createApp } from "../../src/api/app.js";
import { openMongoStore } from "../../src/api/store/mongo.js";
import type { EntryStore } from "../../src/api/store/types.js";
import { capturedLogger } from "../helpers/log-capture.js";
import { MongoResponder, cursorReply, serverError } from "../helpers/mongo-responder.js";

let responder: MongoResponder | undefined;
let store: EntryStore | undefined;
afterEach(async () => {
  await store?.close();
  await responder?.stop();
  store = responder = undefined;
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const finds = () => responder!.received.filter((name) => name === "find").length;

async function appOn(configure: (r: MongoResponder) => void, cacheTtlMs: number) {
  responder = await MongoResponder.reserve();
  configure(responder);
  await responder.start();
  const log = capturedLogger();
  store = openMongoStore({ uri: responder.uri(), dbName: "guestbook", timeoutMs: 2_000, logger: log.logger });
  const app = createApp({ store, logger: log.logger, limits: { rateLimitPerMinute: 0, cacheTtlMs } });
  return { app, log };
}

/** A change stream as a replica set serves it: events pushed with `emit` reach the next getMore. */
function changeStream(r: MongoResponder) {
  const queued: Document[] = [];
  let wake: (() => void) | undefined;
  let token = 0;
  const nextToken = () => ({ _data: `8200000000${(token++).toString(16).padStart(8, "0")}` });
  const cursor = (command: Document, batch: "firstBatch" | "nextBatch", events: Document[]) => ({
    ok: 1,
    cursor: { id: BSON.Long.fromNumber(7), ns: `${command.$db}.entries`, [batch]: events, postBatchResumeToken: nextToken() },
  });
  r.on("aggregate", (command) => cursor(command, "firstBatch", []));
  r.on("getMore", async (command) => {
    if (queued.length === 0) await Promise.race([new Promise<void>((resolve) => (wake = resolve)), sleep(300)]);
    return cursor(command, "nextBatch", queued.splice(0));
  });
  r.on("killCursors", () => ({ ok: 1, cursorsKilled: [BSON.Long.fromNumber(7)] }));
  return {
    emit() {
      queued.push({ _id: nextToken(), operationType: "insert" });
      wake?.();
    },
    opened: () => r.received.includes("getMore"),
  };
}

describe("a MongoDB change stream", () => {
  it("drops the kept page the moment another replica writes, long before the TTL", async () => {
    let stream!: ReturnType<typeof changeStream>;
    const { app } = await appOn((r) => {
      stream = changeStream(r);
      r.on("find", (command) => cursorReply(`${command.$db}.entries`, []));
    }, 60_000);
    await expect.poll(() => stream.opened(), { timeout: 5_000 }).toBe(true);
    expect((await app.request("/api/entries")).status).toBe(200);
    const afterFirstRead = finds();
    expect((await app.request("/api/entries")).status).toBe(200);
    expect(finds()).toBe(afterFirstRead); // kept in memory

    stream.emit(); // another replica signed
    await expect
      .poll(async () => {
        await app.request("/api/entries");
        return finds();
      }, { timeout: 2_000, interval: 50 })
      .toBeGreaterThan(afterFirstRead);
  });

  it("waits quietly while the database is down (the store says why), and opens once it is up", async () => {
    responder = await MongoResponder.reserve();
    const stream = changeStream(responder);
    const log = capturedLogger();
    store = openMongoStore({ uri: responder.uri(), dbName: "guestbook", timeoutMs: 500, logger: log.logger });
    const app = createApp({ store, logger: log.logger, limits: { rateLimitPerMinute: 0 } });
    expect((await app.request("/api/entries")).status).toBe(503);
    await sleep(1_500);
    expect(log.lines.filter((line) => String(line.msg).startsWith("MongoDB change stream"))).toEqual([]);
    await responder.start();
    await expect.poll(() => stream.opened(), { timeout: 10_000 }).toBe(true);
  }, 15_000);

  it("where change streams are refused (a standalone server), says so once and lets the TTL bound the page", async () => {
    const { app, log } = await appOn((r) => {
      r.on("aggregate", () =>
        serverError(40573, "Location40573", "The $changeStream stage is only supported on replica sets"),
      );
    }, 300);
    expect((await app.request("/api/entries")).status).toBe(200);
    await expect.poll(() => responder!.received.filter((n) => n === "aggregate").length, { timeout: 5_000 }).toBeGreaterThanOrEqual(2);
    const warnings = log.lines.filter((line) => String(line.msg).startsWith("MongoDB change stream unavailable"));
    expect(warnings).toHaveLength(1);
    expect(String(warnings[0]!.msg)).toContain("40573");
    expect(String(warnings[0]!.msg)).toContain("CACHE_TTL_MS");
    // Without a stream the kept page still ends with its TTL.
    const before = finds();
    await app.request("/api/entries");
    await sleep(350);
    await app.request("/api/entries");
    expect(finds()).toBeGreaterThan(before);
  });
});
