/**
 * Who counts as one client behind a trusted proxy, and what the limiter remembers. Each
 * case sends one entry from a first address, then more that must land in the same count.
 */
import fc from "fast-check";
import { afterEach, describe, expect, it } from "vitest";
import { createApp } from "../../src/api/app.js";
import { clientKey } from "../../src/api/client-address.js";
import { BoundedMemoryStore } from "../../src/api/rate-limit-store.js";
import { type EntryStore, StoreUnavailableError } from "../../src/api/store/index.js";
import { postJson, testApp } from "../helpers/app.js";

let ctx: ReturnType<typeof testApp>;
afterEach(() => ctx?.cleanup());

const signFrom = (forwardedFor: string) =>
  ctx.app.request("/api/entries", postJson({ name: "Ann", message: "hi" }, { "X-Forwarded-For": forwardedFor }));

describe("rate limiting behind a trusted proxy", () => {
  it.each([
    ["one IPv6 address however it is spelled", "2001:db8::1", ["2001:DB8::1", "2001:db8:0:0::1", "2001:0db8:0000:0000:0000:0000:0000:0001"]],
    ["every address of one IPv6 /64", "2001:db8:1:2::1", ["2001:db8:1:2::2", "2001:db8:1:2:ffff:ffff:ffff:ffff"]],
    ["an IPv4 address and its IPv4-mapped IPv6 forms", "203.0.113.7", ["::ffff:203.0.113.7", "::FFFF:cb00:7107"]],
    ["any entry that is not an IP address, as the socket's address", "garbage-1", ["garbage-26400", "203.0.113.7:1111", "[2001:db8::1]", "x".repeat(8192)]],
  ])("counts %s as one client", async (_, first, same) => {
    ctx = testApp({ limits: { rateLimitPerMinute: 1, trustedProxies: 1 } });
    expect((await signFrom(first)).status).toBe(201);
    for (const address of same) expect({ address, status: (await signFrom(address)).status }).toEqual({ address, status: 429 });
  });

  it("tells neighbouring /64 networks and IPv4 addresses apart", async () => {
    ctx = testApp({ limits: { rateLimitPerMinute: 1, trustedProxies: 1 } });
    for (const address of ["2001:db8:0:1::1", "2001:db8:0:2::1", "203.0.113.7", "203.0.113.8"]) {
      expect({ address, status: (await signFrom(address)).status }).toEqual({ address, status: 201 });
    }
  });
});

describe("what counts against the limit", () => {
  const sign = (app: { request: typeof ctx.app.request }, body: unknown = { name: "Ann", message: "hi" }) =>
    app.request("/api/entries", postJson(body));

  it("gives a request the store failed with 503 back, so the client's retry is not refused", async () => {
    ctx = testApp();
    let outage = true;
    const flaky: EntryStore = {
      ...ctx.store,
      insert: (entry, deadline) => (outage ? Promise.reject(new StoreUnavailableError("the store is down")) : ctx.store.insert(entry, deadline)),
    };
    const app = createApp({ store: flaky, limits: { rateLimitPerMinute: 1 } });
    expect((await sign(app)).status).toBe(503);
    outage = false;
    expect((await sign(app)).status).toBe(201);
    expect((await sign(app)).status).toBe(429);
  });

  it("counts a request the client got wrong: a 400 uses the quota like a 201", async () => {
    ctx = testApp({ limits: { rateLimitPerMinute: 1 } });
    expect((await sign(ctx.app, { name: "Ann" })).status).toBe(400);
    expect((await sign(ctx.app)).status).toBe(429);
  });
});

describe("the limiter's memory", () => {
  it("keys a client by at most 24 characters, whatever the header held", () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 9000 }), fc.ipV4(), fc.ipV6(), fc.ipV4Extended()), (header) => {
        const key = clientKey(header);
        if (key !== null) expect(key.length).toBeLessThanOrEqual(24);
      }),
      { numRuns: 2000 },
    );
  });

  it("remembers at most its capacity of clients, forgetting the least recently seen", () => {
    const store = new BoundedMemoryStore(1000);
    store.init({ windowMs: 60_000 });
    for (let i = 0; i < 20_000; i++) store.increment(`client-${i}`);
    expect(store.size).toBe(1000);
    expect(store.get("client-19999")?.totalHits).toBe(1);
    expect(store.get("client-0")).toBeUndefined();
  });

  it("counts hits per client within the window and starts again after it", () => {
    const store = new BoundedMemoryStore(10);
    store.init({ windowMs: 50 });
    store.increment("a");
    expect(store.increment("a").totalHits).toBe(2);
    const expired = Date.now() + 60;
    while (Date.now() < expired) {
      // wait out the window
    }
    expect(store.increment("a").totalHits).toBe(1);
  });
});
