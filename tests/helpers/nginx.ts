/**
 * The web image's nginx, for real: Debian's nginx running nginx/nginx.conf with
 * nginx/default.conf, serving dist/web on a loopback port. Only the image's paths and port
 * change; every other directive is the image's own.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { freePort, requireBuild } from "../../scripts/lib/server-process.js";
import { requireTool } from "../../scripts/lib/which.js";
import { tempDir } from "./app.js";

const findNginx = () =>
  requireTool("nginx", "install it (apt-get install nginx) to test the web image's configuration.", ["/usr/sbin"]);

export interface RunningNginx {
  url: string;
  /** The master process, as the image's CMD starts it (in the foreground). */
  child: ChildProcess;
  /** The folder that stands in for /tmp and /etc/nginx/conf.d. */
  dir: string;
  stop: () => Promise<void>;
}

/** Rewrites the image's paths and port; throws when a config no longer has the lines it rewrites. */
function localConfigs(dir: string, port: number): { main: string; site: string } {
  const main = readFileSync("nginx/nginx.conf", "utf8")
    .replaceAll("/tmp/", `${dir}/`)
    .replace("include /etc/nginx/conf.d/*.conf;", `include ${dir}/conf.d/*.conf;`)
    .replace("access_log /dev/stdout main;", `access_log ${dir}/access.log main;`);
  const site = readFileSync("nginx/default.conf", "utf8")
    .replace("listen 8080;", `listen 127.0.0.1:${port};`)
    .replace("root /usr/share/nginx/html;", `root ${resolve("dist/web")};`);
  const code = (conf: string) => conf.replace(/#.*$/gm, "");
  if (/\/tmp\/|\/etc\/nginx\/conf\.d|\/dev\/stdout/.test(code(main).replaceAll(dir, "DIR")) || /listen\s+\S*8080|root \/usr\/share/.test(code(site))) {
    throw new Error("nginx/*.conf changed the lines tests/helpers/nginx.ts rewrites: update it");
  }
  return { main, site };
}

export async function startNginx(): Promise<RunningNginx> {
  requireBuild();
  const binary = findNginx();
  const dir = tempDir("guestbook-nginx-");
  const port = await freePort();
  const { main, site } = localConfigs(dir.path, port);
  mkdirSync(join(dir.path, "conf.d"));
  writeFileSync(join(dir.path, "nginx.conf"), main);
  writeFileSync(join(dir.path, "conf.d", "default.conf"), site);
  const child = spawn(binary, ["-c", join(dir.path, "nginx.conf"), "-p", dir.path, "-g", "daemon off;"], {
    stdio: ["ignore", "ignore", "pipe"],
  });
  let log = "";
  child.stderr!.on("data", (chunk: Buffer) => (log += chunk.toString()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((r) => child.once("exit", r));
      child.kill("SIGTERM");
      await exited;
    }
    dir.remove();
  };
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 5000;
  while (!(await fetch(`${url}/healthz`).then((r) => r.ok, () => false))) {
    if (Date.now() > deadline || child.exitCode !== null) {
      await stop();
      throw new Error(`nginx did not start: ${log.trim()}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return { url, child, dir: dir.path, stop };
}
