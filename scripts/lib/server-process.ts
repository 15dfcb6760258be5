import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { type AddressInfo, createServer } from "node:net";

export const SERVER_ENTRY = "dist/api/server.js";
/**
 * V8 flags the server runs with, here and in the api image (its ENTRYPOINT; a test keeps the two
 * equal). V8 sizes the young generation from the machine's memory, up to 64 MiB a semi-space on
 * a large host; under load that alone added 64 MiB of RSS. 8 MiB bounds it (docs/performance.md).
 */
export const SERVER_NODE_FLAGS = ["--max-semi-space-size=8"] as const;
/** What `npm run build` reads, and what it writes last of the API and of the UI. */
const BUILD_INPUTS = ["src", "vite.config.ts", "vite.api.config.ts", "tsconfig.json"];
const BUILD_OUTPUTS = [SERVER_ENTRY, "dist/web/index.html"];

/** The newest file under `path` (a file or a folder), as [path, mtimeMs]. */
function newest(path: string): [string, number] {
  const stats = statSync(path);
  if (!stats.isDirectory()) return [path, stats.mtimeMs];
  return readdirSync(path)
    .map((name) => newest(join(path, name)))
    .reduce((a, b) => (b[1] > a[1] ? b : a), [path, 0] as [string, number]);
}

/** The build is missing or stale: a one-line message for a person, never a stack trace. */
export class BuildError extends Error {
  override name = "BuildError";
}

/** Runs `main` after checking the build; a BuildError ends the process with its one line. */
export async function withBuild(command: string, main: () => Promise<void>): Promise<void> {
  try {
    requireBuild();
  } catch (error) {
    if (!(error instanceof BuildError)) throw error;
    console.error(`${command}: ${error.message}`);
    process.exit(1);
  }
  await main();
}

/**
 * Fails with the one line that says what to do when the build is missing, or older than a
 * source it was built from: a direct `vitest` run would otherwise test yesterday's server.
 */
export function requireBuild(cwd = "."): void {
  // An image's copy holds dist/api without sources or UI: only what is there is compared.
  const present = (paths: string[]) => paths.map((path) => join(cwd, path)).filter((path) => existsSync(path));
  const hasSources = present(["src"]).length > 0;
  for (const output of hasSources ? BUILD_OUTPUTS : [SERVER_ENTRY]) {
    if (!existsSync(join(cwd, output))) {
      throw new BuildError(`${output} is missing: run \`npm run build\` first (\`npm start\` and \`npm test\` build for you).`);
    }
  }
  if (!hasSources) return;
  const built = Math.min(...present(BUILD_OUTPUTS).map((output) => statSync(output).mtimeMs));
  const [source, changed] = present(BUILD_INPUTS)
    .map(newest)
    .reduce((a, b) => (b[1] > a[1] ? b : a));
  if (changed > built) {
    throw new BuildError(`The build in dist/ is older than ${source}: run \`npm run build\` first (\`npm start\` and \`npm test\` build for you).`);
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
  /** A command (and its arguments) that runs node, such as a tracer; node itself by default. */
  launcher?: string[];
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
  const [command, ...launcherArgs] = [...(options.launcher ?? []), process.execPath];
  const child = spawn(command!, [...launcherArgs, ...(options.args ?? [...SERVER_NODE_FLAGS, SERVER_ENTRY])], {
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
