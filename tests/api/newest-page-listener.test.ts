/**
 * The newest page answered in front of Hono (src/api/newest-page-listener.ts), over real
 * node:http servers on one assembled app: the listener the server runs, and Hono's own listener
 * on the same app and the same kept page. Both must send the same answer; only the first may
 * skip Hono. The same against the built server process: tests/process/newest-page.test.ts.
 */
import { type IncomingHttpHeaders, type RequestListener, type Server, createServer, request } from "node:http";
import type { AddressInfo } from "node:net";
import { getRequestListener } from "@hono/node-server";
import { afterEach, describe, expect, it } from "vitest";
import { assembleApp } from "../../src/api/app.js";
import { newestPageListener } from "../../src/api/newest-page-listener.js";
import { openSqliteStore } from "../../src/api/store/sqlite.js";
import { captureLogs, postJson, tempDir } from "../helpers/app.js";

interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function listen(listener: RequestListener): Promise<string> {
  const server: Server = createServer(listener);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  cleanups.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** One app over a real store, served twice: with the listener in front, and by Hono alone. */
async function servedBothWays(options: { draining?: boolean } = {}) {
  const dir = tempDir();
  const store = openSqliteStore(dir.path);
  cleanups.push(() => dir.remove(), () => store.close());
  const logs = captureLogs("info");
  const { app, newestPage, record, isDraining } = assembleApp({
    store,
    logger: logs.logger,
    limits: { rateLimitPerMinute: 0, cacheTtlMs: 60_000 },
    isDraining: () => options.draining ?? false,
  });
  const hono = getRequestListener(app.fetch);
  let honoCalls = 0;
  const countedHono: RequestListener = (req, res) => {
    honoCalls++;
    void hono(req, res);
  };
  const fast = await listen(newestPageListener({ newestPage, record, isDraining, fallback: countedHono }));
  const viaHono = await listen(hono);
  return { app, fast, viaHono, logs, honoCalls: () => honoCalls };
}

function get(base: string, path = "/api/entries", headers: Record<string, string> = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(`${base}${path}`, { headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("end", () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on("error", reject);
    req.end();
  });
}

/** Everything but what differs by request (the id) or by the second (the date). */
const fixedPart = ({ headers }: Answer) => {
  const { "x-request-id": _id, date: _date, ...rest } = headers;
  return rest;
};

describe("the newest page in front of Hono", () => {
  it("sends the same status, headers and bytes as the Hono route, for 200 and for 304, without reaching Hono", async () => {
    const { app, fast, viaHono, honoCalls } = await servedBothWays();
    await app.request("/api/entries", postJson({ name: "Ann", message: "hi" }));
    const fromHono = await get(viaHono); // reads the store; the page is kept from now on
    const before = honoCalls();
    const fromMemory = await get(fast);
    expect(honoCalls()).toBe(before);

    expect(fromMemory.status).toBe(200);
    expect(fixedPart(fromMemory)).toEqual(fixedPart(fromHono));
    expect(fromMemory.body.equals(fromHono.body)).toBe(true);
    expect(JSON.parse(fromMemory.body.toString()).entries).toHaveLength(1);
    expect(Object.keys(fromMemory.headers)).toEqual(Object.keys(fromHono.headers));

    const etag = fromMemory.headers.etag!;
    const notModifiedByHono = await get(viaHono, "/api/entries", { "If-None-Match": etag });
    const notModified = await get(fast, "/api/entries", { "If-None-Match": `W/"other", ${etag}` });
    expect(honoCalls()).toBe(before);
    expect(notModified.status).toBe(304);
    expect(notModifiedByHono.status).toBe(304);
    expect(notModified.body.byteLength).toBe(0);
    expect(fixedPart(notModified)).toEqual(fixedPart(notModifiedByHono));
  });

  it("echoes a usable X-Request-Id, and gives a fresh UUID for an unusable one", async () => {
    const { app, fast } = await servedBothWays();
    await app.request("/api/entries");
    expect((await get(fast, "/api/entries", { "X-Request-Id": "ingress-abc-123" })).headers["x-request-id"]).toBe("ingress-abc-123");
    const replaced = (await get(fast, "/api/entries", { "X-Request-Id": "no spaces allowed" })).headers["x-request-id"];
    expect(replaced).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it("records the same metric and log line as Hono's path", async () => {
    const { app, fast, viaHono, logs, honoCalls } = await servedBothWays();
    await get(viaHono);
    const before = honoCalls();
    await get(fast, "/api/entries", { "X-Request-Id": "from-memory" });
    const etag = (await get(viaHono, "/api/entries", { "X-Request-Id": "from-hono" })).headers.etag!;
    await get(fast, "/api/entries", { "X-Request-Id": "memory-304", "If-None-Match": etag });
    expect(honoCalls()).toBe(before);

    const line = (reqId: string) => logs.lines.find((l) => l.reqId === reqId);
    const shape = { level: 30, time: expect.any(Number), pid: process.pid, hostname: expect.any(String), method: "GET", path: "/api/entries", ms: expect.any(Number), msg: "request" };
    expect(line("from-memory")).toEqual({ ...shape, reqId: "from-memory", status: 200 });
    expect(line("from-hono")).toEqual({ ...shape, reqId: "from-hono", status: 200 });
    expect(line("memory-304")).toEqual({ ...shape, reqId: "memory-304", status: 304 });

    const metrics = await (await app.request("/metrics")).text();
    // Two 200s from memory (one per path) and the first read: one series, as before.
    expect(metrics).toMatch(/^guestbook_http_requests_total\{method="GET",route="\/api\/entries",status="200",ok="true"\} 3$/m);
    expect(metrics).toMatch(/^guestbook_http_requests_total\{method="GET",route="\/api\/entries",status="304",ok="false"\} 1$/m);
    expect(metrics).toMatch(/^guestbook_http_request_duration_seconds_count\{method="GET",route="\/api\/entries",status="304",ok="false"\} 1$/m);
  });

  it("leaves to Hono a page not in memory, other requests, and everything while draining", async () => {
    const { fast, honoCalls } = await servedBothWays();
    const first = await get(fast); // nothing kept yet: Hono reads the store
    expect(first.status).toBe(200);
    expect(honoCalls()).toBe(1);
    await get(fast, "/api/entries?limit=20");
    await get(fast, "/api/entries/");
    await new Promise<void>((resolve, reject) =>
      request(`${fast}/api/entries`, { method: "HEAD", agent: false }, (res) => res.resume().on("end", resolve)).on("error", reject).end(),
    );
    expect(honoCalls()).toBe(4);

    const draining = await servedBothWays({ draining: true });
    await get(draining.viaHono);
    const answer = await get(draining.fast);
    expect(draining.honoCalls()).toBe(1);
    expect(answer.headers.connection).toBe("close");
    expect(answer.headers.etag).toBeDefined();
  });
});
