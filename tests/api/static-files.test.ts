/**
 * Static files from a folder made here, through @hono/node-server as the process serves them
 * (serveStatic sets its headers after building the response, which only that adapter's
 * Response carries): which answers say Vary: Accept-Encoding. tests/process/http.test.ts
 * covers the real build.
 */
import { writeFileSync } from "node:fs";
import { type IncomingHttpHeaders, type Server, request } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { createAdaptorServer } from "@hono/node-server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { tempDir, testApp } from "../helpers/app.js";

let web: ReturnType<typeof tempDir>;
let ctx: ReturnType<typeof testApp>;
let server: Server;
beforeAll(async () => {
  web = tempDir("guestbook-web-");
  const script = "console.log('a script long enough to be worth compressing');\n".repeat(20);
  writeFileSync(join(web.path, "with-copy.js"), script);
  writeFileSync(join(web.path, "with-copy.js.gz"), gzipSync(script));
  writeFileSync(join(web.path, "without-copy.js"), script);
  ctx = testApp({ webRoot: web.path });
  server = createAdaptorServer({ fetch: ctx.app.fetch }) as Server;
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
});
afterAll(async () => {
  await new Promise((resolve) => server?.close(resolve));
  await ctx?.cleanup();
  web?.remove();
});

/** A GET with exactly these headers (fetch would add an Accept-Encoding of its own). */
function get(path: string, headers: Record<string, string> = {}) {
  const { port } = server.address() as AddressInfo;
  return new Promise<{ status: number; headers: IncomingHttpHeaders }>((resolve, reject) => {
    request({ host: "127.0.0.1", port, path, headers }, (res) => {
      res.resume().on("end", () => resolve({ status: res.statusCode!, headers: res.headers }));
    })
      .on("error", reject)
      .end();
  });
}

describe("Vary: Accept-Encoding on static files", () => {
  it("is on every answer for a file with a compressed copy: the copy, and the file itself", async () => {
    const copy = await get("/with-copy.js", { "Accept-Encoding": "gzip" });
    expect(copy.headers["content-encoding"]).toBe("gzip");
    expect(copy.headers.vary).toBe("Accept-Encoding");
    for (const acceptEncoding of [undefined, "identity", "br"]) {
      const plain = await get("/with-copy.js", acceptEncoding ? { "Accept-Encoding": acceptEncoding } : {});
      expect(plain.status).toBe(200);
      expect(plain.headers["content-encoding"], acceptEncoding).toBeUndefined();
      expect(plain.headers.vary, acceptEncoding).toBe("Accept-Encoding");
    }
  });

  it("is not on a file that has no compressed copy: its answer never varies", async () => {
    const plain = await get("/without-copy.js", { "Accept-Encoding": "gzip, br" });
    expect(plain.status).toBe(200);
    expect(plain.headers.vary).toBeUndefined();
  });
});
