/** The web image's nginx configuration, served for real by Debian's nginx against dist/web. */
import { type ChildProcess, spawn } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort, requireBuild } from "../../scripts/lib/server-process.js";
import { requireTool } from "../../scripts/lib/which.js";
import { tempDir } from "../helpers/app.js";

const findNginx = () =>
  requireTool("nginx", "install it (apt-get install nginx) to test the web image's configuration.", ["/usr/sbin"]);

let nginx: ChildProcess;
let base: string;
let dir: ReturnType<typeof tempDir>;
let asset: string;

beforeAll(async () => {
  requireBuild();
  const binary = findNginx();
  dir = tempDir("guestbook-nginx-");
  const port = await freePort();
  const site = readFileSync("nginx/default.conf", "utf8");
  // Only the image's paths and port change; every directive under test is kept.
  const local = site
    .replace("listen 8080;", `listen 127.0.0.1:${port};`)
    .replace("listen [::]:8080;", "")
    .replace("root /usr/share/nginx/html;", `root ${resolve("dist/web")};`);
  expect(local).not.toMatch(/listen\s+\S*8080/);
  expect(local).not.toMatch(/root \/usr\/share/);
  writeFileSync(join(dir.path, "site.conf"), local);
  writeFileSync(
    join(dir.path, "nginx.conf"),
    `daemon off;
pid ${dir.path}/nginx.pid;
error_log stderr warn;
events {}
http {
  include /etc/nginx/mime.types;
  default_type application/octet-stream;
  access_log off;
  client_body_temp_path ${dir.path}/client;
  proxy_temp_path ${dir.path}/proxy;
  fastcgi_temp_path ${dir.path}/fastcgi;
  uwsgi_temp_path ${dir.path}/uwsgi;
  scgi_temp_path ${dir.path}/scgi;
  include ${dir.path}/site.conf;
}
`,
  );
  nginx = spawn(binary, ["-c", join(dir.path, "nginx.conf"), "-p", dir.path], { stdio: ["ignore", "inherit", "inherit"] });
  base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 5000;
  while (!(await fetch(`${base}/healthz`).then((r) => r.ok, () => false))) {
    if (Date.now() > deadline || nginx.exitCode !== null) throw new Error("nginx did not start");
    await new Promise((r) => setTimeout(r, 50));
  }
  asset = /src="(\/assets\/[^"]+\.js)"/.exec(readFileSync("dist/web/index.html", "utf8"))![1]!;
});

afterAll(() => {
  nginx?.kill("SIGTERM");
  dir?.remove();
});

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
