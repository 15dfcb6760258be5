/**
 * The web image's nginx configuration (nginx/nginx.conf including nginx/default.conf), served
 * for real by Debian's nginx against dist/web.
 */
import { readFileSync, readdirSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { instructionArgs, readDockerfile } from "../../scripts/lib/dockerfile.js";
import { type RunningNginx, startNginx } from "../helpers/nginx.js";

const MAIN = readFileSync("nginx/nginx.conf", "utf8");
const SITE = readFileSync("nginx/default.conf", "utf8");
/** Where the web stage puts each file, from the Dockerfile's COPY lines. */
const webCopies = () => {
  const stage = readDockerfile().stages.find((s) => s.name === "web");
  if (!stage) throw new Error("Dockerfile has no web stage");
  return new Map(instructionArgs(stage, "COPY").map((copy) => copy.split(/\s+/) as [string, string]));
};
/** Every value of a directive, e.g. all `listen` arguments. */
const directives = (conf: string, name: string) =>
  [...conf.matchAll(new RegExp(`^\\s*${name}\\s+([^;]+);`, "gm"))].map((m) => m[1]!.trim());

let nginx: RunningNginx;
let base: string;
let asset: string;

beforeAll(async () => {
  nginx = await startNginx();
  base = nginx.url;
  asset = /src="(\/assets\/[^"]+\.js)"/.exec(readFileSync("dist/web/index.html", "utf8"))![1]!;
});

afterAll(() => nginx?.stop());

/** The nginx master (the process we started) and its workers, with their resident memory. */
function nginxProcesses() {
  const status = (pid: string) => {
    try {
      return readFileSync(`/proc/${pid}/status`, "utf8");
    } catch {
      return ""; // exited meanwhile
    }
  };
  const field = (text: string, name: string) => Number(new RegExp(`^${name}:\\s+(\\d+)`, "m").exec(text)?.[1] ?? NaN);
  const workers = readdirSync("/proc")
    .filter((pid) => /^\d+$/.test(pid))
    .map(status)
    .filter((text) => field(text, "PPid") === nginx.child.pid);
  return { workers, rssKiB: [status(String(nginx.child.pid)), ...workers].reduce((sum, text) => sum + field(text, "VmRSS"), 0) };
}

const get = (path: string, headers: Record<string, string> = {}) => fetch(`${base}${path}`, { headers });

describe("nginx/nginx.conf with nginx/default.conf", () => {
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

describe("the web image's nginx under a read-only root filesystem and a 64 MiB limit", () => {
  const frontend = parseAllDocuments(readFileSync("base/frontend-deployment.yaml", "utf8"))[0]!.toJS().spec.template
    .spec as { containers: { resources: { limits: { memory: string } }; volumeMounts: { mountPath: string }[] }[] };

  it("is what the web image installs: our main configuration, which includes the site", () => {
    const copies = webCopies();
    expect(copies.get("nginx/nginx.conf")).toBe("/etc/nginx/nginx.conf");
    expect(copies.get("nginx/default.conf")).toBe("/etc/nginx/conf.d/default.conf");
    expect(directives(MAIN, "include")).toContain("/etc/nginx/conf.d/*.conf");
  });

  it("starts a fixed, small number of workers, whatever the node's CPU count", () => {
    const [count] = directives(MAIN, "worker_processes");
    expect(count).toMatch(/^[1-4]$/); // never `auto`
    expect(nginxProcesses().workers).toHaveLength(Number(count));
  });

  it("stays far below the container's memory limit after serving traffic", async () => {
    await Promise.all(Array.from({ length: 50 }, () => get(asset, { "Accept-Encoding": "gzip" }).then((r) => r.arrayBuffer())));
    const limit = frontend.containers[0]!.resources.limits.memory;
    expect(limit).toBe("64Mi");
    const { rssKiB } = nginxProcesses();
    expect(rssKiB).toBeGreaterThan(0);
    expect(rssKiB).toBeLessThan((64 * 1024) / 2);
  });

  it("writes its pid and temporary files only under /tmp, the pod's one writable mount", () => {
    expect(frontend.containers[0]!.volumeMounts.map((m) => m.mountPath)).toEqual(["/tmp"]);
    const paths = ["pid", "client_body_temp_path", "proxy_temp_path", "fastcgi_temp_path", "uwsgi_temp_path", "scgi_temp_path"].map(
      (name) => [name, directives(MAIN, name)[0]],
    );
    for (const [name, path] of paths) expect(path, name).toMatch(/^\/tmp\/\w+/);
  });

  it("logs to the container's streams, never to files under the read-only root", () => {
    expect(directives(MAIN, "error_log")).toEqual(["stderr notice"]);
    expect(directives(MAIN, "access_log")).toEqual(["/dev/stdout main"]);
  });

  it("listens on IPv4 only, so a node with IPv6 disabled cannot stop it from starting", () => {
    expect(directives(SITE, "listen")).toEqual(["8080"]);
  });
});
