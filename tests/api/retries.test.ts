/**
 * Signing is safe to retry: a request that timed out before its write never writes, and a
 * retry that carries the same Idempotency-Key never creates a second entry.
 */
import { afterEach, describe, expect, it } from "vitest";
import { createApp } from "../../src/api/app.js";
import type { EntryStore } from "../../src/api/store/types.js";
import type { Entry } from "../../src/shared/entry.js";
import { postJson, testApp } from "../helpers/app.js";

type ErrorBody = { error: { code: string; message: string } };

let ctx: ReturnType<typeof testApp>;
afterEach(() => ctx.cleanup());

const KEY = "3f2a9c1e8b7d4e6fa0b1c2d3e4f50617";
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const stored = async (app: { request: typeof ctx.app.request }) =>
  ((await (await app.request("/api/entries")).json()) as { entries: Entry[] }).entries;

describe("Idempotency-Key", () => {
  it("answers a retried sign with the entry it stored the first time, and stores it once", async () => {
    ctx = testApp();
    const first = await ctx.app.request("/api/entries", postJson({ name: "Ann", message: "hi" }, { "Idempotency-Key": KEY }));
    expect(first.status).toBe(201);
    const entry = (await first.json()) as Entry;
    expect(entry.id).toBe(KEY);
    expect(first.headers.get("idempotent-replayed")).toBeNull();

    const retry = await ctx.app.request("/api/entries", postJson({ name: "Ann", message: "hi" }, { "Idempotency-Key": KEY }));
    expect(retry.status).toBe(201);
    expect(retry.headers.get("idempotent-replayed")).toBe("true");
    expect(await retry.json()).toEqual(entry);
    expect(await stored(ctx.app)).toEqual([entry]);
  });

  it("refuses a key reused for a different entry with 422, and changes nothing", async () => {
    ctx = testApp();
    await ctx.app.request("/api/entries", postJson({ name: "Ann", message: "hi" }, { "Idempotency-Key": KEY }));
    const reused = await ctx.app.request("/api/entries", postJson({ name: "Ann", message: "other" }, { "Idempotency-Key": KEY }));
    expect(reused.status).toBe(422);
    expect(((await reused.json()) as ErrorBody).error.code).toBe("idempotency_key_reused");
    expect((await stored(ctx.app)).map((e) => e.message)).toEqual(["hi"]);
  });

  it.each(["short", "x".repeat(65), "has spaces in it here", "ünïcode-ünïcode-ü", "a/b/c/d/e/f/g/h/i/j"])(
    "refuses the key %j with 400",
    async (key) => {
      ctx = testApp();
      const res = await ctx.app.request("/api/entries", postJson({ name: "Ann", message: "hi" }, { "Idempotency-Key": key }));
      expect(res.status).toBe(400);
      expect(((await res.json()) as ErrorBody).error.message).toMatch(/Idempotency-Key must be 16 to 64/);
      expect(await stored(ctx.app)).toEqual([]);
    },
  );

  it("makes every sign without a key a new entry", async () => {
    ctx = testApp();
    for (let i = 0; i < 2; i++) {
      expect((await ctx.app.request("/api/entries", postJson({ name: "Ann", message: "hi" }))).status).toBe(201);
    }
    expect(await stored(ctx.app)).toHaveLength(2);
  });
});

describe("the request timeout", () => {
  it("never writes an entry whose request already answered 503", async () => {
    ctx = testApp();
    const app = createApp({ store: ctx.store, limits: { rateLimitPerMinute: 0, requestTimeoutMs: 100 } });
    // A client that sends half the body, stalls past the timeout, then sends the rest.
    const json = new TextEncoder().encode(JSON.stringify({ name: "Slow", message: "body" }));
    let pulls = 0;
    const body = new ReadableStream<Uint8Array>({
      async pull(controller) {
        if (pulls++ === 0) return controller.enqueue(json.slice(0, 10));
        await sleep(300);
        controller.enqueue(json.slice(10));
        controller.close();
      },
    });
    const res = await app.request("/api/entries", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body,
      duplex: "half",
    } as RequestInit);
    expect(res.status).toBe(503);
    expect(((await res.json()) as ErrorBody).error.code).toBe("timeout");
    await sleep(500); // the body has arrived and the handler has run to its end
    expect(await stored(app)).toEqual([]);
  });

  it("after a 503 whose write landed late, a retry with the same key stores nothing more", async () => {
    ctx = testApp();
    // The first write is slower than the request timeout, as a database under failover is.
    let slowWrites = 1;
    const slow: EntryStore = {
      ...ctx.store,
      insert: async (entry) => {
        if (slowWrites-- > 0) await sleep(300);
        return ctx.store.insert(entry);
      },
    };
    const app = createApp({ store: slow, limits: { rateLimitPerMinute: 0, requestTimeoutMs: 100 } });
    const send = () => app.request("/api/entries", postJson({ name: "Ann", message: "once" }, { "Idempotency-Key": KEY }));

    expect((await send()).status).toBe(503);
    await sleep(400);
    const retry = await send();
    expect(retry.status).toBe(201);
    const entries = await stored(app);
    expect(entries).toHaveLength(1);
    expect(await retry.json()).toEqual(entries[0]);
  });
});
