/**
 * `npm run dev`: the API under tsx's watcher on API_PORT (default 8080) and Vite's dev server
 * for the UI on DEV_PORT (default 5173), which proxies the API's paths to it. Ctrl-C stops
 * both; if either cannot start or stops, both stop.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { createServer } from "node:net";

const apiPort = Number(process.env.API_PORT ?? 8080);
const devPort = Number(process.env.DEV_PORT ?? 5173);

/** Resolves when nothing listens on the port (so no other server answers the proxy). */
function portIsFree(port: number): Promise<boolean> {
  const probe = createServer();
  return new Promise((resolve) => {
    probe.once("error", () => resolve(false));
    probe.listen(port, "127.0.0.1", () => probe.close(() => resolve(true)));
  });
}

async function main(): Promise<void> {
  for (const [variable, port] of [["API_PORT", apiPort], ["DEV_PORT", devPort]] as const) {
    if (!Number.isInteger(port) || port < 1 || port > 65_535) {
      console.error(`npm run dev: ${variable} must be a port number, got "${process.env[variable]}"`);
      process.exit(1);
    }
    if (!(await portIsFree(port))) {
      console.error(`npm run dev: port ${port} is in use (is \`npm start\` still running?); stop it or set ${variable}=<free port>`);
      process.exit(1);
    }
  }
  const children: ChildProcess[] = [
    spawn("npx", ["tsx", "watch", "--clear-screen=false", "src/api/server.ts"], {
      stdio: "inherit",
      env: { ...process.env, PORT: String(apiPort), HOST: "127.0.0.1" },
    }),
    spawn("npx", ["vite"], { stdio: "inherit", env: { ...process.env, API_PORT: String(apiPort), DEV_PORT: String(devPort) } }),
  ];
  const stopAll = (code: number) => {
    for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
    process.exitCode = code;
  };
  for (const child of children) child.on("exit", (code) => stopAll(code ?? 0));
  process.on("SIGINT", () => stopAll(0));
  process.on("SIGTERM", () => stopAll(0));
  // The watcher outlives a crashed API (it waits for an edit), so a start-up failure such as
  // an invalid setting would leave Vite proxying to nothing: stop both instead.
  if (!(await answers(`http://127.0.0.1:${apiPort}/healthz`, API_START_TIMEOUT_MS))) {
    console.error(`npm run dev: the API did not answer on port ${apiPort} within ${API_START_TIMEOUT_MS / 1000} s (see its output above)`);
    stopAll(1);
  }
}

const API_START_TIMEOUT_MS = 20_000;

async function answers(url: string, withinMs: number): Promise<boolean> {
  const deadline = Date.now() + withinMs;
  while (Date.now() < deadline) {
    if (await fetch(url).then((r) => r.ok, () => false)) return true;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return false;
}

await main();
