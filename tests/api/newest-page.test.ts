/**
 * The newest page kept in memory: its TTL, invalidation and shared reads on a controllable
 * store and clock, then the HTTP answers (ETag, 304) through app.request(). The same promises
 * against the real server process, and across two processes, are in tests/process/newest-page.test.ts.
 */
import { afterEach, describe, expect, it } from "vitest";
import { newestPageCache, noneMatchHits } from "../../src/api/newest-page.js";
import type { EntryStore, ListOptions } from "../../src/api/store/types.js";
import { StoreUnavailableError } from "../../src/api/store/types.js";
import type { Entry } from "../../src/shared/entry.js";
import { fakeClock, postJson, testApp } from "../helpers/app.js";

const entry = (n: number): Entry => ({
  id: `id-${n}`,
  name: `Visitor ${n}`,
  message: `Note ${n}`,
  createdAt: new Date(Date.UTC(2026, 0, 1, 0, 0, n)).toISOString(),
});

/** A store whose list answers from `rows` (newest first), or waits for `release` when `held`. */
function controllableStore() {
  const state = {
    rows: [] as Entry[],
    lists: 0,
    down: false,
    held: false,
    waiting: [] as (() => void)[],
  };
  const store: EntryStore = {
    kind: "controllable",
    insert: async (e) => ({ entry: e, replayed: false }),
    list: async ({ limit }: ListOptions) => {
      state.lists++;
      const snapshot = state.rows.slice(0, limit);
      if (state.held) await new Promise<void>((resolve) => state.waiting.push(resolve));
      if (state.down) throw new StoreUnavailableError("down");
      return snapshot;
    },
    ping: async () => undefined,
    close: async () => undefined,
  };
  const release = () => {
    state.held = false;
    for (const resolve of state.waiting.splice(0)) resolve();
  };
  return { store, state, release };
}

const names = (page: { body: Uint8Array }) =>
  (JSON.parse(Buffer.from(page.body).toString()) as { entries: Entry[] }).entries.map((e) => e.name);

describe("the newest page in memory", () => {
  let now = 0;
  const clock = () => now;

  /** A cache over a store holding `rows`, at time 0; with `held`, store reads wait for release(). */
  function cacheOver(rows: Entry[], { held = false, ttlMs = 1000, limit = 20 } = {}) {
    const { store, state, release } = controllableStore();
    state.rows = rows;
    state.held = held;
    now = 0;
    return { state, release, cache: newestPageCache({ store, limit, ttlMs, clock }) };
  }

  it("reads the store once within the TTL, and again once the TTL has passed", async () => {
    const { state, cache } = cacheOver([entry(1)]);
    const first = await cache.read();
    state.rows = [entry(2), entry(1)]; // written by another process
    now = 999;
    expect(names(await cache.read())).toEqual(["Visitor 1"]);
    expect(cache.peek()).toBe(first);
    expect(state.lists).toBe(1);
    now = 1000;
    expect(cache.peek()).toBeUndefined();
    expect(names(await cache.read())).toEqual(["Visitor 2", "Visitor 1"]);
    expect(state.lists).toBe(2);
  });

  it("counts the TTL from when the read began, not when it ended", async () => {
    const { release, cache } = cacheOver([entry(1)], { held: true });
    const reading = cache.read();
    now = 600;
    release();
    await reading;
    now = 1000;
    expect(cache.peek()).toBeUndefined();
  });

  it("shares one store read among the requests that arrive while it runs", async () => {
    const { state, release, cache } = cacheOver([entry(1)], { held: true });
    const reads = [cache.read(), cache.read(), cache.read()];
    release();
    const pages = await Promise.all(reads);
    expect(state.lists).toBe(1);
    expect(new Set(pages).size).toBe(1);
  });

  it("never keeps a read that began before an invalidation", async () => {
    const { state, release, cache } = cacheOver([entry(1)], { held: true });
    const before = cache.read(); // reads [1] and is slow to answer ...
    state.rows = [entry(2), entry(1)];
    cache.invalidate(); // ... while this process signs 2
    state.held = false;
    const after = cache.read(); // must not join the read that began before the sign
    expect(names(await after)).toEqual(["Visitor 2", "Visitor 1"]);
    release(); // the older read answers last
    expect(names(await before)).toEqual(["Visitor 1"]);
    expect(names(cache.peek()!)).toEqual(["Visitor 2", "Visitor 1"]);
    expect(state.lists).toBe(2);
  });

  it("answers the store's error once the TTL has passed: an outage is not hidden", async () => {
    const { state, cache } = cacheOver([entry(1)]);
    await cache.read();
    state.down = true;
    now = 500;
    expect(names(await cache.read())).toEqual(["Visitor 1"]);
    now = 1000;
    await expect(cache.read()).rejects.toBeInstanceOf(StoreUnavailableError);
    await expect(cache.read()).rejects.toBeInstanceOf(StoreUnavailableError);
  });

  it("reads the store for every request at TTL 0", async () => {
    const { state, cache } = cacheOver([entry(1)], { ttlMs: 0 });
    await cache.read();
    await cache.read();
    expect(cache.peek()).toBeUndefined();
    expect(state.lists).toBe(2);
  });

  it("holds one more row than it shows, for the cursor", async () => {
    const { cache } = cacheOver([entry(3), entry(2), entry(1)], { limit: 2 });
    const page = JSON.parse(Buffer.from((await cache.read()).body).toString()) as { entries: Entry[]; nextCursor: string | null };
    expect(page.entries.map((e) => e.id)).toEqual(["id-3", "id-2"]);
    expect(page.nextCursor).not.toBeNull();
  });
});

describe("If-None-Match", () => {
  const etag = '"abc"';
  it.each([
    ['"abc"', true],
    ['W/"abc"', true],
    ['"x", "abc"', true],
    ['"x",W/"abc"', true],
    ["*", true],
    ['"abd"', false],
    ["abc", false],
    ["", false],
  ])("%s matches: %s", (header, matches) => {
    expect(noneMatchHits(header, etag)).toBe(matches);
  });
  it("absent never matches", () => expect(noneMatchHits(undefined, etag)).toBe(false));
});

describe("GET /api/entries, the newest page", () => {
  let ctx: ReturnType<typeof testApp>;
  afterEach(() => ctx.cleanup());
  const sign = (name: string, headers: Record<string, string> = {}) =>
    ctx.app.request("/api/entries", postJson({ name, message: "hi" }, headers));

  it("carries a strong ETag and asks caches to revalidate", async () => {
    ctx = testApp();
    const res = await ctx.app.request("/api/entries");
    expect(res.headers.get("etag")).toMatch(/^"[A-Za-z0-9_-]{32}"$/);
    expect(res.headers.get("cache-control")).toBe("no-cache");
    expect(res.headers.get("content-type")).toBe("application/json");
  });

  it("answers a matching If-None-Match with 304, no body and the same ETag, from memory or not", async () => {
    ctx = testApp();
    await sign("Ann");
    const first = await ctx.app.request("/api/entries"); // read from the store
    const etag = first.headers.get("etag")!;
    for (const path of ["/api/entries", "/api/entries?limit=20"]) {
      const res = await ctx.app.request(path, { headers: { "If-None-Match": etag } });
      expect(res.status).toBe(304);
      expect(await res.text()).toBe("");
      expect(res.headers.get("etag")).toBe(etag);
      expect(res.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
    }
  });

  it("changes its ETag exactly when the page changes", async () => {
    ctx = testApp();
    const etagOf = async () => (await ctx.app.request("/api/entries")).headers.get("etag");
    const empty = await etagOf();
    expect(await etagOf()).toBe(empty);
    const key = "same-draft-key-000001";
    await sign("Ann", { "Idempotency-Key": key });
    const one = await etagOf();
    expect(one).not.toBe(empty);
    // A retry of the same sign stores nothing new: the page, and so its ETag, stay.
    expect((await sign("Ann", { "Idempotency-Key": key })).headers.get("idempotent-replayed")).toBe("true");
    expect(await etagOf()).toBe(one);
    await sign("Bob");
    expect(await etagOf()).not.toBe(one);
  });

  it("shows a sign on the very next read, though the page was just kept", async () => {
    ctx = testApp({ limits: { cacheTtlMs: 60_000 } });
    await ctx.app.request("/api/entries");
    await sign("Ann");
    const page = (await (await ctx.app.request("/api/entries")).json()) as { entries: Entry[] };
    expect(page.entries.map((e) => e.name)).toEqual(["Ann"]);
  });

  it("sends the same headers from memory as any other response, plus its validators", async () => {
    ctx = testApp();
    await ctx.app.request("/api/entries");
    const kept = await ctx.app.request("/api/entries", { headers: { "X-Request-Id": "from-ingress-1" } });
    const other = await ctx.app.request("/healthz");
    const names = (res: Response) => [...res.headers.keys()].filter((name) => !["content-length", "etag", "cache-control"].includes(name));
    expect(names(kept).sort()).toEqual(names(other).sort());
    for (const name of names(other)) if (name !== "x-request-id") expect(kept.headers.get(name)).toBe(other.headers.get(name));
    expect(kept.headers.get("x-request-id")).toBe("from-ingress-1");
  });

  it("never serves an older page (before=...) from memory, nor with an ETag", async () => {
    const clock = fakeClock();
    ctx = testApp({ now: clock.now, limits: { cacheTtlMs: 60_000 } });
    for (const name of ["C", "B", "A"]) {
      await sign(name);
      clock.advance(1000);
    }
    const first = (await (await ctx.app.request("/api/entries?limit=1")).json()) as { nextCursor: string };
    const older = await ctx.app.request(`/api/entries?limit=1&before=${first.nextCursor}`);
    expect(older.headers.get("etag")).toBeNull();
    expect(((await older.json()) as { entries: Entry[] }).entries.map((e) => e.name)).toEqual(["B"]);
  });
});
