/** The web image's nginx, for real: Debian's nginx with nginx/default.conf serving dist/web on a loopback port. */
import { spawn } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { freePort, requireBuild } from "../../scripts/lib/server-process.js";
import { requireTool } from "../../scripts/lib/which.js";
import { tempDir } from "./app.js";

const findNginx = () =>
  requireTool("nginx", "install it (apt-get install nginx) to test the web image's configuration.", ["/usr/sbin"]);

export async function startNginx(): Promise<{ url: string; stop: () => void }> {
  requireBuild();
  const binary = findNginx();
  const dir = tempDir("guestbook-nginx-");
  const port = await freePort();
  const site = readFileSync("nginx/default.conf", "utf8");
  // Only the image's paths and port change; every other directive is kept.
  const local = site
    .replace("listen 8080;", `listen 127.0.0.1:${port};`)
    .replace("listen [::]:8080;", "")
    .replace("root /usr/share/nginx/html;", `root ${resolve("dist/web")};`);
  if (/listen\s+\S*8080/.test(local) || /root \/usr\/share/.test(local)) throw new Error("nginx/default.conf's listen or root changed: update tests/helpers/nginx.ts");
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
  const nginx = spawn(binary, ["-c", join(dir.path, "nginx.conf"), "-p", dir.path], { stdio: ["ignore", "inherit", "inherit"] });
  const url = `http://127.0.0.1:${port}`;
  const stop = () => {
    nginx.kill("SIGTERM");
    dir.remove();
  };
  const deadline = Date.now() + 5000;
  while (!(await fetch(`${url}/healthz`).then((r) => r.ok, () => false))) {
    if (Date.now() > deadline || nginx.exitCode !== null) {
      stop();
      throw new Error("nginx did not start");
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return { url, stop };
}
