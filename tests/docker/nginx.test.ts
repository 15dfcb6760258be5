/** The web image's nginx configuration, served for real by Debian's nginx against dist/web. */
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startNginx } from "../helpers/nginx.js";

let nginx: Awaited<ReturnType<typeof startNginx>>;
let base: string;
let asset: string;

beforeAll(async () => {
  nginx = await startNginx();
  base = nginx.url;
  asset = /src="(\/assets\/[^"]+\.js)"/.exec(readFileSync("dist/web/index.html", "utf8"))![1]!;
});

afterAll(() => nginx?.stop());

const get = (path: string, headers: Record<string, string> = {}) => fetch(`${base}${path}`, { headers });

describe("nginx/default.conf", () => {
  it("serves the app shell at / and revalidates it on every load", async () => {
    const res = await get("/");
    expect(res.status).toBe(200);
    expect(res.headers.get("cache-control")).toBe("no-cache");
    expect(await res.text()).toContain('<div id="root">');
  });

  it("falls back to the app shell for any route of the single-page app", async () => {
    const res = await get("/some/client/route");
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('<div id="root">');
  });

  it("caches hashed assets for a year and compresses them", async () => {
    const res = await get(asset, { "Accept-Encoding": "gzip" });
    expect(res.status).toBe(200);
    expect(res.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
    expect(res.headers.get("content-encoding")).toBe("gzip");
    expect(res.headers.get("content-type")).toMatch(/javascript/);
  });

  it("answers a missing asset with 404, not the app shell", async () => {
    expect((await get("/assets/missing-0123456789.js")).status).toBe(404);
  });

  it.each(["/", "/assets/missing-0123456789.js", "/healthz"])("sends the security headers on %s", async (path) => {
    const res = await get(path);
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    expect(res.headers.get("x-frame-options")).toBe("DENY");
    expect(res.headers.get("referrer-policy")).toBe("no-referrer");
    expect(res.headers.get("content-security-policy")).toContain("default-src 'self'");
    expect(res.headers.get("server")).toBe("nginx");
  });

  it("answers the probes' /healthz", async () => {
    const res = await get("/healthz");
    expect(res.status).toBe(200);
    expect(await res.text()).toBe("ok\n");
  });
});
