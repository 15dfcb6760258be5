import { afterEach, describe, expect, it } from "vitest";
import type { EntryStore } from "../../src/api/store/types.js";
import { captureLogs as capturedLogger, postJson, testApp } from "../helpers/app.js";

let ctx: ReturnType<typeof testApp>;
afterEach(() => ctx?.cleanup());

describe("GET /metrics", () => {
  it("exposes request counts and durations by route and status, store timings and process metrics", async () => {
    ctx = testApp();
    await ctx.app.request("/api/entries");
    await ctx.app.request("/api/entries", postJson({ name: "Ann", message: "hi" }));
    await ctx.app.request("/api/entries?limit=0");
    const res = await ctx.app.request("/metrics");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/plain/);
    const text = await res.text();
    // Whole lines: a count of 12 must not pass for 1.
    expect(text).toMatch(/^guestbook_http_requests_total\{method="GET",route="\/api\/entries",status="200",ok="true"\} 1$/m);
    expect(text).toMatch(/^guestbook_http_requests_total\{method="POST",route="\/api\/entries",status="201",ok="true"\} 1$/m);
    expect(text).toMatch(/^guestbook_http_requests_total\{method="GET",route="\/api\/entries",status="400",ok="false"\} 1$/m);
    expect(text).toMatch(/^guestbook_http_request_duration_seconds_bucket\{le="0.005",method="GET",route="\/api\/entries",status="200",ok="true"\} [01]$/m);
    expect(text).toMatch(/^guestbook_http_request_duration_seconds_bucket\{le="\+Inf",method="GET",route="\/api\/entries",status="200",ok="true"\} 1$/m);
    expect(text).toMatch(/^guestbook_store_operation_duration_seconds_count\{operation="list",outcome="ok"\} 1$/m);
    expect(text).toMatch(/^guestbook_store_operation_duration_seconds_count\{operation="insert",outcome="ok"\} 1$/m);
    expect(text).toMatch(/^guestbook_process_resident_memory_bytes \d+$/m);
  });

  it("lives outside /api, so the Ingress never exposes it", async () => {
    ctx = testApp();
    expect((await ctx.app.request("/api/metrics")).status).toBe(404);
  });
});

describe("logs", () => {
  it("write one JSON object per request, with the request id the response carries", async () => {
    const { logger, lines } = capturedLogger("info");
    ctx = testApp({ logger });
    const res = await ctx.app.request("/api/entries", { headers: { "X-Request-Id": "ingress-abc-123" } });
    expect(res.headers.get("x-request-id")).toBe("ingress-abc-123");
    expect(lines).toContainEqual(
      expect.objectContaining({ reqId: "ingress-abc-123", method: "GET", path: "/api/entries", status: 200, msg: "request" }),
    );
  });

  it("keep their fields and the logger's bindings on request lines, and the redaction on every other line", async () => {
    const { Writable } = await import("node:stream");
    const { pino } = await import("pino");
    const lines: Record<string, unknown>[] = [];
    const sink = new Writable({
      write(chunk, _encoding, done) {
        for (const line of String(chunk).split("\n").filter(Boolean)) lines.push(JSON.parse(line));
        done();
      },
    });
    // As server.ts builds it.
    const logger = pino({ base: { service: "guestbook-api" }, redact: { paths: ["uri", "*.uri", "password"], censor: "[redacted]" } }, sink);
    ctx = testApp({ logger });
    await ctx.app.request("/api/entries", { headers: { "X-Request-Id": "line-1" } });
    expect(lines).toContainEqual({
      level: 30,
      time: expect.any(Number),
      service: "guestbook-api",
      reqId: "line-1",
      method: "GET",
      path: "/api/entries",
      status: 200,
      ms: expect.any(Number),
      msg: "request",
    });
    logger.warn({ uri: "mongodb://u:secret@h/", nested: { password: "x", uri: "mongodb://u:secret@h/" } }, "connecting");
    expect(JSON.stringify(lines.at(-1))).not.toContain("secret");
  });

  it("keep probes and scrapes at debug, and respect the level", async () => {
    const { logger, lines } = capturedLogger("info");
    ctx = testApp({ logger });
    await ctx.app.request("/healthz");
    await ctx.app.request("/readyz");
    await ctx.app.request("/metrics");
    expect(lines).toEqual([]);
    const quiet = capturedLogger("warn");
    await ctx.cleanup();
    ctx = testApp({ logger: quiet.logger });
    await ctx.app.request("/api/entries");
    expect(quiet.lines).toEqual([]);
  });
});

describe("rate limiting of signing", () => {
  const sign = (headers: Record<string, string> = {}) =>
    ctx.app.request("/api/entries", postJson({ name: "Ann", message: "hi" }, headers));

  it("answers 429 with Retry-After past the limit, and stores nothing more", async () => {
    ctx = testApp({ limits: { rateLimitPerMinute: 3 } });
    for (let i = 0; i < 3; i++) expect((await sign()).status).toBe(201);
    const refused = await sign();
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(Number(refused.headers.get("retry-after"))).toBeLessThanOrEqual(60);
    const body = (await refused.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe("rate_limited");
    expect(body.error.message).toMatch(/at most 3 a minute/);
    const stored = (await (await ctx.app.request("/api/entries")).json()) as { entries: unknown[] };
    expect(stored.entries).toHaveLength(3);
  });

  it("tells a client its allowance with every 201, a replayed one too, beside the security headers", async () => {
    ctx = testApp({ limits: { rateLimitPerMinute: 3 } });
    const key = { "Idempotency-Key": "rate-limit-headers-0001" };
    const first = await sign(key);
    const replay = await sign(key);
    expect(replay.headers.get("idempotent-replayed")).toBe("true");
    for (const [res, remaining] of [[first, "2"], [replay, "1"]] as const) {
      expect(res.status).toBe(201);
      expect(res.headers.get("ratelimit-limit")).toBe("3");
      expect(res.headers.get("ratelimit-remaining")).toBe(remaining);
      expect(res.headers.get("ratelimit-policy")).toBe("3;w=60");
      expect(res.headers.get("x-content-type-options")).toBe("nosniff");
      expect(res.headers.get("content-type")).toMatch(/^application\/json/);
    }
  });

  it("never limits reads", async () => {
    ctx = testApp({ limits: { rateLimitPerMinute: 1 } });
    for (let i = 0; i < 20; i++) expect((await ctx.app.request("/api/entries")).status).toBe(200);
  });

  it("is off at 0", async () => {
    ctx = testApp({ limits: { rateLimitPerMinute: 0 } });
    for (let i = 0; i < 40; i++) expect((await sign()).status).toBe(201);
  });

  it("behind a trusted proxy, tells clients apart by the address the proxy appended", async () => {
    ctx = testApp({ limits: { rateLimitPerMinute: 1, trustedProxies: 1 } });
    expect((await sign({ "X-Forwarded-For": "203.0.113.7" })).status).toBe(201);
    expect((await sign({ "X-Forwarded-For": "203.0.113.8" })).status).toBe(201);
    // A client cannot escape its limit by prepending addresses of its own.
    expect((await sign({ "X-Forwarded-For": "198.51.100.1, 203.0.113.7" })).status).toBe(429);
  });

  it("ignores X-Forwarded-For unless told to trust a proxy", async () => {
    ctx = testApp({ limits: { rateLimitPerMinute: 1, trustedProxies: 0 } });
    expect((await sign({ "X-Forwarded-For": "203.0.113.7" })).status).toBe(201);
    expect((await sign({ "X-Forwarded-For": "203.0.113.8" })).status).toBe(429);
  });
});

describe("bounded waiting", () => {
  it("answers 503 when a request outlives REQUEST_TIMEOUT_MS", async () => {
    ctx = testApp();
    // A store that never answers: what a hung database looks like from here.
    const hung: EntryStore = { ...ctx.store, kind: "hung", list: () => new Promise(() => undefined) };
    const { createApp } = await import("../../src/api/app.js");
    const app = createApp({ store: hung, limits: { requestTimeoutMs: 200 } });
    const started = performance.now();
    const res = await app.request("/api/entries");
    expect(performance.now() - started).toBeLessThan(2000);
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({ error: { code: "timeout", message: expect.any(String) } });
  });

  it("asks keep-alive clients to reconnect elsewhere while draining, the newest page from memory included", async () => {
    ctx = testApp({ isDraining: () => true });
    expect((await ctx.app.request("/api/entries")).headers.get("connection")).toBe("close");
    const kept = await ctx.app.request("/api/entries");
    expect(kept.headers.get("connection")).toBe("close");
    expect(kept.headers.get("etag")).not.toBeNull();
  });
});
