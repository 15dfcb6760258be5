/**
 * The newest page kept in memory, against the built server as real processes over HTTP: exact
 * inside one process, bounded by CACHE_TTL_MS across processes sharing the same data (as
 * replicas share a database), off at 0, and never used for older pages.
 */
import { join } from "node:path";
import { type IncomingHttpHeaders, request } from "node:http";
import Database from "better-sqlite3";
import { afterEach, describe, expect, it } from "vitest";
import { type RunningServer, startServer } from "../../scripts/lib/server-process.js";
import type { Entry } from "../../src/shared/entry.js";
import { tempDir } from "../helpers/app.js";

interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  etag: string | undefined;
  body: Buffer;
  sentAt: number;
  receivedAt: number;
}

const started: RunningServer[] = [];
const dirs: ReturnType<typeof tempDir>[] = [];
afterEach(() => {
  for (const server of started.splice(0)) server.child.kill("SIGKILL");
  for (const dir of dirs.splice(0)) dir.remove();
});

/** One server process per TTL, all on one fresh DATA_DIR. */
async function servers<T extends number[]>(ttls: [...T], env: Record<string, string> = {}): Promise<{ dir: string; servers: { [K in keyof T]: RunningServer } }> {
  const dir = tempDir();
  dirs.push(dir);
  const running: RunningServer[] = [];
  for (const ttl of ttls) {
    const server = await startServer({ DATA_DIR: dir.path, RATE_LIMIT_PER_MINUTE: "0", CACHE_TTL_MS: String(ttl), ...env });
    started.push(server);
    running.push(server);
  }
  return { dir: dir.path, servers: running as { [K in keyof T]: RunningServer } };
}

/** One GET with exactly these headers, its body as the bytes that came over the socket. */
function get(server: RunningServer, path = "/api/entries", headers: Record<string, string> = {}): Promise<Answer> {
  const sentAt = performance.now();
  return new Promise((resolve, reject) => {
    const req = request(`${server.url}${path}`, { headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("end", () => resolve({ status: res.statusCode!, headers: res.headers, etag: res.headers.etag, body: Buffer.concat(chunks), sentAt, receivedAt: performance.now() }));
    });
    req.on("error", reject);
    req.end();
  });
}

const namesIn = (answer: Answer) => (JSON.parse(answer.body.toString()) as { entries: Entry[] }).entries.map((e) => e.name);

async function sign(server: RunningServer, name: string): Promise<void> {
  const res = await fetch(`${server.url}/api/entries`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ name, message: `from ${name}` }),
  });
  expect(res.status).toBe(201);
}

const sleepUntil = (at: number) => new Promise((resolve) => setTimeout(resolve, Math.max(0, at - performance.now())));

describe("inside one process", { timeout: 15_000 }, () => {
  it("shows a sign on the next read at once, although the page was kept for a minute", async () => {
    const [server] = (await servers([60_000])).servers;
    await sign(server, "Ann");
    expect(namesIn(await get(server))).toEqual(["Ann"]);
    await sign(server, "Bob");
    expect(namesIn(await get(server))).toEqual(["Bob", "Ann"]);
  });

  it("changes the ETag exactly when the page changes; a match answers 304 with no body and the same ETag", async () => {
    const [server] = (await servers([60_000])).servers;
    const empty = await get(server);
    expect(empty.etag).toMatch(/^"[\w-]+"$/);
    expect((await get(server)).etag).toBe(empty.etag);

    const notModified = await get(server, "/api/entries", { "If-None-Match": empty.etag! });
    expect(notModified.status).toBe(304);
    expect(notModified.body.byteLength).toBe(0);
    expect(notModified.etag).toBe(empty.etag);

    await sign(server, "Ann");
    const changed = await get(server, "/api/entries", { "If-None-Match": empty.etag! });
    expect(changed.status).toBe(200);
    expect(changed.etag).not.toBe(empty.etag);
    expect(namesIn(changed)).toEqual(["Ann"]);
    expect((await get(server, "/api/entries", { "If-None-Match": changed.etag! })).status).toBe(304);
  });
});

/** Everything but what differs by request (the id) or by the second (the date). */
const fixedPart = ({ headers }: Answer) => {
  const { "x-request-id": _id, date: _date, ...rest } = headers;
  return rest;
};

describe("in front of Hono (src/api/newest-page-listener.ts)", { timeout: 15_000 }, () => {
  it("answers /api/entries as the Hono route answers ?limit=20: same headers and bytes, 200 and 304", async () => {
    const [server] = (await servers([60_000], { LOG_LEVEL: "info" })).servers;
    await sign(server, "Ann");
    const viaHono = await get(server, "/api/entries?limit=20", { "X-Request-Id": "via-hono" });
    const fromMemory = await get(server, "/api/entries", { "X-Request-Id": "from-memory" });
    expect(fromMemory.status).toBe(200);
    expect(fixedPart(fromMemory)).toEqual(fixedPart(viaHono));
    expect(Object.keys(fromMemory.headers)).toEqual(Object.keys(viaHono.headers));
    expect(fromMemory.body.equals(viaHono.body)).toBe(true);
    expect(namesIn(fromMemory)).toEqual(["Ann"]);
    expect(fromMemory.headers["x-request-id"]).toBe("from-memory");

    const revalidate = { "If-None-Match": fromMemory.etag! };
    const notModifiedByHono = await get(server, "/api/entries?limit=20", revalidate);
    const notModified = await get(server, "/api/entries", { ...revalidate, "X-Request-Id": "memory-304" });
    expect([notModified.status, notModifiedByHono.status]).toEqual([304, 304]);
    expect(notModified.body.byteLength).toBe(0);
    expect(fixedPart(notModified)).toEqual(fixedPart(notModifiedByHono));

    // One request line each, with the same fields, as JSON lines on stdout.
    await expect.poll(() => server.output()).toContain('"reqId":"memory-304"');
    const lines = server.output().split("\n").filter((line) => line.includes('"msg":"request"')).map((line) => JSON.parse(line));
    const line = (reqId: string) => lines.filter((l) => l.reqId === reqId);
    const shape = { level: 30, time: expect.any(Number), service: "guestbook-api", method: "GET", ms: expect.any(Number), msg: "request" };
    expect(line("via-hono")).toEqual([{ ...shape, reqId: "via-hono", path: "/api/entries", status: 200 }]);
    expect(line("from-memory")).toEqual([{ ...shape, reqId: "from-memory", path: "/api/entries", status: 200 }]);
    expect(line("memory-304")).toEqual([{ ...shape, reqId: "memory-304", path: "/api/entries", status: 304 }]);

    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    expect(metrics).toMatch(/^guestbook_http_requests_total\{method="GET",route="\/api\/entries",status="200",ok="true"\} 2$/m);
    expect(metrics).toMatch(/^guestbook_http_requests_total\{method="GET",route="\/api\/entries",status="304",ok="false"\} 2$/m);
  });
});

describe("across processes on the same data", { timeout: 20_000 }, () => {
  it("shows another process's write within CACHE_TTL_MS, and never after it", async () => {
    const ttl = 3000;
    const { servers: [writer, reader] } = await servers([ttl, ttl]);
    const kept = await get(reader); // the reader reads the store now and keeps the page
    await sign(writer, "Ann");
    const soon = await get(reader);
    // Still inside the TTL of the kept page: it is what the reader serves, so the cache is on.
    expect(soon.sentAt - kept.sentAt).toBeLessThan(ttl);
    expect(namesIn(soon)).toEqual([]);
    expect(soon.etag).toBe(kept.etag);
    // The kept page was read before its answer arrived, and so before the write: a request sent
    // a TTL after that answer, which is within a TTL of the write, must read again and show it.
    await sleepUntil(kept.receivedAt + ttl + 1);
    const after = await get(reader);
    expect(namesIn(after)).toEqual(["Ann"]);
    expect(after.etag).not.toBe(kept.etag);
    // Both processes now hold the same page, and so name it by the same ETag.
    expect((await get(writer)).etag).toBe(after.etag);
  });

  it("is off at CACHE_TTL_MS=0: another process's write shows on the next read", async () => {
    const { servers: [writer, reader] } = await servers([1000, 0]);
    const before = await get(reader);
    await sign(writer, "Ann");
    const after = await get(reader);
    expect(namesIn(after)).toEqual(["Ann"]);
    expect(after.etag).not.toBe(before.etag);
    expect((await get(reader, "/api/entries", { "If-None-Match": after.etag! })).status).toBe(304);
  });

  it("never keeps older pages (before=...): a write into one shows on the next read", async () => {
    const { dir, servers: [server] } = await servers([60_000]);
    for (let i = 0; i < 21; i++) await sign(server, `Visitor ${i}`);
    const first = JSON.parse((await get(server)).body.toString()) as { nextCursor: string };
    const olderPath = `/api/entries?before=${first.nextCursor}`;
    const olderNames = namesIn(await get(server, olderPath));
    expect(olderNames).toHaveLength(1);
    // Another writer adds an entry older than all of them: it belongs on the older page.
    const db = new Database(join(dir, "guestbook.sqlite"));
    db.prepare("INSERT INTO entries (id, name, message, created_at_ms) VALUES (?, ?, ?, ?)").run("old", "Oldest", "hi", 0);
    db.close();
    const older = await get(server, olderPath);
    expect(namesIn(older)).toEqual([...olderNames, "Oldest"]);
    expect(older.etag).toBeUndefined();
  });
});
