/**
 * The checks the kind end-to-end run makes through the Gateway, run here against the real API
 * process and the web image's nginx behind the HTTPRoute's own rules; and against setups that
 * must fail them.
 */
import { spawn } from "node:child_process";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningServer, freePort, startServer } from "../../scripts/lib/server-process.js";
import { tempDir } from "../helpers/app.js";
import { startNginx } from "../helpers/nginx.js";
import { startRouteProxy } from "../helpers/route-proxy.js";

let data: ReturnType<typeof tempDir>;
let api: RunningServer;
let nginx: Awaited<ReturnType<typeof startNginx>>;
let gateway: Awaited<ReturnType<typeof startRouteProxy>>;

beforeAll(async () => {
  data = tempDir();
  api = await startServer({ DATA_DIR: data.path });
  nginx = await startNginx();
  gateway = await startRouteProxy({ "guestbook-backend": api.url, "guestbook-frontend": nginx.url });
}, 30_000);

afterAll(async () => {
  await gateway?.close();
  nginx?.stop();
  api?.child.kill("SIGKILL");
  data?.remove();
});

/** The CLI as a child process; asynchronous, since the servers it talks to run in this process. */
function check(url: string, ...args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(resolve("node_modules/.bin/tsx"), ["scripts/e2e/check.ts", url, ...args], { stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
  child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
  return new Promise((done) => child.on("close", (code) => done({ code, stdout, stderr })));
}

describe("npm run e2e:check", () => {
  it("routes like the HTTPRoute: /api to the backend, everything else to the frontend", () => {
    expect(gateway.services).toEqual(["guestbook-backend", "guestbook-frontend"]);
  });

  it("passes every check through the Gateway in miniature, and says what answered the internal paths", async () => {
    const { code, stdout, stderr } = await check(gateway.url, "--wait-seconds", "5");
    expect(stderr).toBe("");
    expect(stdout).not.toMatch(/^failed:/m);
    expect(stdout).toMatch(/^ok: a signature is stored and read back: entry \S+$/m);
    expect(stdout).toMatch(/^ok: an unknown \/api path answers a JSON 404: 404 not_found$/m);
    expect(stdout).toMatch(/^ok: an invalid signature answers a JSON 400: 400 invalid_input$/m);
    expect(stdout).toMatch(/^ok: the API's \/metrics, \/healthz, \/readyz are not reachable: not the API's: \/metrics → 200 text\/html, \/healthz → 200 text\/plain, \/readyz → 200 text\/html$/m);
    expect(stdout).toMatch(new RegExp(`^e2e:check: 7 of 7 checks passed through ${gateway.url}$`, "m"));
    expect(code).toBe(0);
  });

  it("fails when the API itself answers at the root, as it would if the route sent everything to the backend", async () => {
    const { code, stdout } = await check(api.url, "--wait-seconds", "5");
    expect(stdout).toMatch(/^failed: the API's \/metrics, \/healthz, \/readyz are not reachable: \/metrics answered by the API: HTTP 200 # HELP/m);
    expect(stdout).toMatch(/^e2e:check: 6 of 7 checks passed/m);
    expect(code).toBe(1);
  });

  it("fails, naming each header, when the page comes without the security headers", async () => {
    const bare = createServer((_req, res) => res.writeHead(200, { "Content-Type": "text/html" }).end('<div id="root"></div>'));
    await new Promise<void>((done) => bare.listen(0, "127.0.0.1", done));
    const plain = await startRouteProxy({ "guestbook-backend": api.url, "guestbook-frontend": `http://127.0.0.1:${(bare.address() as AddressInfo).port}` });
    try {
      const { code, stdout } = await check(plain.url, "--wait-seconds", "5");
      expect(stdout).toMatch(/^failed: the page carries the security headers: x-content-type-options: \(missing\); x-frame-options: \(missing\); referrer-policy: \(missing\); content-security-policy: \(missing\)$/m);
      expect(stdout).toMatch(/^ok: the API carries the security headers/m);
      expect(code).toBe(1);
    } finally {
      await plain.close();
      bare.close();
    }
  });

  it("waits for the page, then fails in one line when nothing answers", async () => {
    const closed = `http://127.0.0.1:${await freePort()}`;
    const { code, stdout } = await check(closed, "--wait-seconds", "1");
    expect(stdout).toBe(`failed: the page loads at /: ${closed}/ did not answer 200 within 1 s (last: ECONNREFUSED)\n`);
    expect(code).toBe(1);
  });

  it("refuses a missing URL with the usage line", async () => {
    const { code, stderr } = await check("");
    expect(code).toBe(2);
    expect(stderr).toMatch(/^e2e:check: expected one base URL such as http:\/\/localhost:8080\nusage: npm run e2e:check -- URL/);
  });
});
