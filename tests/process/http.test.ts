/**
 * The built server over real HTTP, where app.request() cannot reach: a declared
 * Content-Length, conditional requests and precompressed files.
 */
import { type IncomingHttpHeaders, request } from "node:http";
import { brotliDecompressSync, gunzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningServer, startServer } from "../../scripts/lib/server-process.js";
import { tempDir } from "../helpers/app.js";

let server: RunningServer;
let dataDir: ReturnType<typeof tempDir>;
beforeAll(async () => {
  dataDir = tempDir();
  server = await startServer({ DATA_DIR: dataDir.path, RATE_LIMIT_PER_MINUTE: "0" });
});
afterAll(() => {
  server?.child.kill("SIGKILL");
  dataDir?.remove();
});

interface RawResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** One request with exactly these headers; `body` is written but the request is only ended when `end`. */
function send(path: string, options: { method?: string; headers?: Record<string, string>; body?: string; end?: boolean } = {}) {
  return new Promise<RawResponse>((resolve, reject) => {
    const req = request(`${server.url}${path}`, { method: options.method ?? "GET", headers: options.headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("end", () => {
        resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) });
        req.destroy();
      });
    });
    req.on("error", reject);
    if (options.body) req.write(options.body);
    if (options.end !== false) req.end();
  });
}

async function firstScript(): Promise<string> {
  const html = (await send("/")).body.toString();
  const path = /src="(\/assets\/[^"]+\.js)"/.exec(html)?.[1];
  expect(path).toBeDefined();
  return path!;
}

describe("a declared Content-Length", () => {
  it("over 16 KiB is refused with 413 before the body is read", async () => {
    // Declares 100 kB and sends 20 bytes: only a check of the header itself can answer.
    const res = await send("/api/entries", {
      method: "POST",
      headers: { "Content-Type": "application/json", "Content-Length": "100000" },
      body: '{"name":"Ann","messa',
      end: false,
    });
    expect(res.status).toBe(413);
    expect(JSON.parse(res.body.toString()).error.code).toBe("payload_too_large");
  });

  it("within 16 KiB is read and stored", async () => {
    const body = JSON.stringify({ name: "Ann", message: "declared" });
    const res = await send("/api/entries", {
      method: "POST",
      headers: { "Content-Type": "application/json", "Content-Length": String(Buffer.byteLength(body)) },
      body,
    });
    expect(res.status).toBe(201);
  });
});

describe("static files", () => {
  it.each(["/", "/index.html"])("answers a revalidation of %s by ETag with 304 and no body", async (path) => {
    const first = await send(path);
    expect(first.status).toBe(200);
    const etag = first.headers.etag;
    expect(etag).toMatch(/^(W\/)?"[^"]+"$/);
    const again = await send(path, { headers: { "If-None-Match": etag! } });
    expect(again.status).toBe(304);
    expect(again.body.byteLength).toBe(0);
    expect(again.headers.etag).toBe(etag);
    expect(again.headers["cache-control"]).toBe("no-cache");
    expect((await send(path, { headers: { "If-None-Match": '"something-else"' } })).status).toBe(200);
  });

  it("answers a revalidation by date with 304 until the file changes", async () => {
    const script = await firstScript();
    const first = await send(script);
    const lastModified = first.headers["last-modified"]!;
    expect(Date.parse(lastModified)).not.toBeNaN();
    expect((await send(script, { headers: { "If-Modified-Since": lastModified } })).status).toBe(304);
    const before = new Date(Date.parse(lastModified) - 1000).toUTCString();
    expect((await send(script, { headers: { "If-Modified-Since": before } })).status).toBe(200);
  });

  it.each([
    ["br", brotliDecompressSync],
    ["gzip", gunzipSync],
  ] as const)("serves the %s-compressed copy of a script to a client that accepts it", async (encoding, decompress) => {
    const script = await firstScript();
    const plain = await send(script);
    expect(plain.headers["content-encoding"]).toBeUndefined();
    const compressed = await send(script, { headers: { "Accept-Encoding": encoding } });
    expect(compressed.status).toBe(200);
    expect(compressed.headers["content-encoding"]).toBe(encoding);
    expect(compressed.headers.vary).toMatch(/Accept-Encoding/i);
    expect(compressed.headers["content-type"]).toMatch(/javascript/);
    expect(compressed.body.byteLength).toBeLessThan(plain.body.byteLength / 2);
    expect(decompress(compressed.body).equals(plain.body)).toBe(true);
    // Each encoding is its own representation, with its own validator.
    expect(compressed.headers.etag).not.toBe(plain.headers.etag);
  });

  it.each([
    ["no Accept-Encoding", {}],
    ["Accept-Encoding: identity", { "Accept-Encoding": "identity" }],
  ])("marks the uncompressed answer for a file with compressed copies Vary: Accept-Encoding too (%s)", async (_, headers) => {
    for (const path of [await firstScript(), "/"]) {
      const plain = await send(path, { headers });
      expect(plain.status).toBe(200);
      expect(plain.headers["content-encoding"]).toBeUndefined();
      expect(plain.headers.vary, path).toMatch(/Accept-Encoding/i);
      const head = await send(path, { method: "HEAD", headers });
      expect(head.headers.vary, `HEAD ${path}`).toMatch(/Accept-Encoding/i);
      const revalidated = await send(path, { headers: { ...headers, "If-None-Match": plain.headers.etag! } });
      expect(revalidated.status).toBe(304);
      expect(revalidated.headers.vary, `304 ${path}`).toMatch(/Accept-Encoding/i);
    }
  });
});
