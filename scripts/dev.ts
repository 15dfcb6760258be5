/**
 * `npm run dev`: the API under tsx's watcher on API_PORT (default 8080) and Vite's dev server
 * for the UI, which proxies /api to it. Ctrl-C stops both.
 */
import { type ChildProcess, spawn } from "node:child_process";

const apiPort = process.env.API_PORT ?? "8080";
const children: ChildProcess[] = [
  spawn("npx", ["tsx", "watch", "--clear-screen=false", "src/api/server.ts"], {
    stdio: "inherit",
    env: { ...process.env, PORT: apiPort, HOST: "127.0.0.1" },
  }),
  spawn("npx", ["vite"], { stdio: "inherit", env: { ...process.env, API_PORT: apiPort } }),
];

const stopAll = (code: number) => {
  for (const child of children) if (child.exitCode === null) child.kill("SIGTERM");
  process.exitCode = code;
};
for (const child of children) child.on("exit", (code) => stopAll(code ?? 0));
process.on("SIGINT", () => stopAll(0));
process.on("SIGTERM", () => stopAll(0));
