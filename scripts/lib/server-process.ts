import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { type AddressInfo, createServer } from "node:net";

export const SERVER_ENTRY = "dist/api/server.js";

/** Fails with the one line that says what to do when the build is missing. */
export function requireBuild(cwd = "."): void {
  if (!existsSync(join(cwd, SERVER_ENTRY))) {
    throw new Error(`${SERVER_ENTRY} is missing: run \`npm run build\` first (npm test does).`);
  }
}

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

export interface RunningServer {
  url: string;
  child: ChildProcess;
  /** What the process printed so far ("" when started with output: "ignore"). */
  output: () => string;
  /** Resolves with the exit code (or the signal's name). */
  exited: Promise<number | string>;
  /** Milliseconds from spawn until `waitFor` first answered 200. */
  readyMs: number;
}

export interface StartOptions {
  cwd?: string;
  /** Path polled until it answers 200; /readyz by default. */
  waitFor?: string;
  /** Node arguments; `npm run serve`'s entry by default. */
  args?: string[];
  /** "ignore" sends the server's output to /dev/null, as load tests need. */
  output?: "capture" | "ignore";
}

/**
 * Starts `npm run serve`'s command (or `args`) as a real process on a free loopback port and
 * waits until `waitFor` answers 200.
 */
export async function startServer(env: Record<string, string>, options: StartOptions = {}): Promise<RunningServer> {
  const cwd = options.cwd ?? ".";
  if (!options.args) requireBuild(cwd);
  const port = await freePort();
  const started = performance.now();
  const capture = options.output !== "ignore";
  const child = spawn(process.execPath, options.args ?? [SERVER_ENTRY], {
    env: { PATH: process.env.PATH ?? "", LOG_LEVEL: "warn", HOST: "127.0.0.1", PORT: String(port), ...env },
    stdio: ["ignore", capture ? "pipe" : "ignore", capture ? "pipe" : "inherit"],
    cwd,
  });
  let output = "";
  child.stdout?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | string>((resolve) =>
    child.on("exit", (code, signal) => resolve(code ?? signal ?? "unknown")),
  );
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`server exited early (${child.exitCode}): ${output}`);
    const ready = await fetch(`${url}${options.waitFor ?? "/readyz"}`).then((r) => r.ok, () => false);
    if (ready) return { url, child, output: () => output, exited, readyMs: performance.now() - started };
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
  child.kill("SIGKILL");
  throw new Error(`server not ready within 10 s: ${output}`);
}
