/**
 * `npm run e2e:git-server -- --root DIR [--host ADDRESS] [--port N]`: serves every NAME.git
 * repository under DIR read-only over smart HTTP until SIGINT or SIGTERM. The kind end-to-end
 * run binds it to the address its cluster reaches this machine at, and points Argo CD here.
 */
import { existsSync, statSync } from "node:fs";
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { gitHttpServer } from "./git-http.js";

const USAGE = "usage: npm run e2e:git-server -- --root DIR [--host ADDRESS] [--port N]";

function options(argv: string[]) {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { root: { type: "string" }, host: { type: "string", default: "127.0.0.1" }, port: { type: "string", default: "8419" } },
  });
  if (!values.root || positionals.length > 0) throw new Error(`expected --root DIR\n${USAGE}`);
  const root = resolve(values.root);
  if (!existsSync(root) || !statSync(root).isDirectory()) throw new Error(`--root ${values.root} is not a folder`);
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port must be a port number (got "${values.port}")`);
  return { root, host: values.host, port };
}

function main(argv: string[]): void {
  const { root, host, port } = options(argv);
  const server = gitHttpServer(root);
  server.on("error", (error: NodeJS.ErrnoException) => {
    const reason = error.code === "EADDRINUSE" ? `port ${port} on ${host} is taken (set another with --port)` : error.message;
    console.error(`e2e:git-server: ${reason}`);
    process.exit(2);
  });
  server.listen(port, host, () => {
    const address = server.address();
    const bound = typeof address === "object" && address ? address.port : port;
    console.log(`e2e:git-server: serving ${root} on http://${host.includes(":") ? `[${host}]` : host}:${bound}/`);
  });
  const stop = () => {
    server.close(() => process.exit(0));
    server.closeAllConnections();
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}

try {
  main(process.argv.slice(2));
} catch (error) {
  console.error(`e2e:git-server: ${(error as Error).message}`);
  process.exitCode = 2;
}
