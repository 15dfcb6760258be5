/**
 * The log destination (src/api/log-destination.ts) in a real child process writing to a pipe,
 * as a container's stdout is: every line arrives once, whole and in order, also when the process
 * exits straight after logging, dies of an uncaught exception, or is killed right after `fatal`.
 */
import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { tempDir } from "../helpers/app.js";

const dirs: ReturnType<typeof tempDir>[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) dir.remove();
});

const DESTINATION = resolve("src/api/log-destination.ts");
const PINO = resolve("node_modules/pino/pino.js");

/** Runs `body` after a logger on the batched destination is set up; its stdout, parsed. */
function run(body: string) {
  const dir = tempDir();
  dirs.push(dir);
  const script = join(dir.path, "child.mts");
  writeFileSync(
    script,
    `import { pino } from ${JSON.stringify(PINO)};
import { batchedDestination } from ${JSON.stringify(DESTINATION)};
const logger = pino({ base: { service: "test" } }, batchedDestination());
const burst = (from: number, count: number) => { for (let i = from; i < from + count; i++) logger.info({ n: i, path: "/a \\"quoted\\" \\u00e9 path" }, "request"); };
${body}
`,
  );
  const result = spawnSync(process.execPath, ["--import", "tsx", script], { encoding: "utf8", cwd: resolve("."), maxBuffer: 64 * 1024 * 1024 });
  const lines = result.stdout.split("\n").filter(Boolean).map((line) => JSON.parse(line) as { n: number; msg: string; path: string });
  return { status: result.status, signal: result.signal, stderr: result.stderr, lines, numbers: lines.filter((l) => l.msg === "request").map((l) => l.n) };
}

const upTo = (count: number) => Array.from({ length: count }, (_, i) => i);

describe("the batched log destination", () => {
  it("writes every line once, whole and in order, across many event-loop turns", () => {
    const { status, lines, numbers } = run(`
for (let turn = 0; turn < 50; turn++) {
  burst(turn * 400, 400);
  await new Promise((resolve) => setImmediate(resolve));
}`);
    expect(status).toBe(0);
    expect(numbers).toEqual(upTo(20_000));
    expect(lines[0]).toEqual({ level: 30, time: expect.any(Number), service: "test", n: 0, path: '/a "quoted" é path', msg: "request" });
  });

  it("loses nothing when the process exits straight after logging", () => {
    const { status, numbers } = run(`burst(0, 3000); process.exit(3);`);
    expect(status).toBe(3);
    expect(numbers).toEqual(upTo(3000));
  });

  it("loses nothing when an uncaught exception ends the process", () => {
    const { status, stderr, numbers } = run(`
burst(0, 1000);
await new Promise((resolve) => setImmediate(resolve));
burst(1000, 1000);
throw new Error("boom");`);
    expect(status).toBe(1);
    expect(stderr).toContain("boom");
    expect(numbers).toEqual(upTo(2000));
  });

  it("has written everything once fatal returns, even if the process is then killed", () => {
    const { signal, lines, numbers } = run(`
burst(0, 1000);
logger.fatal("giving up");
process.kill(process.pid, "SIGKILL");`);
    expect(signal).toBe("SIGKILL");
    expect(numbers).toEqual(upTo(1000));
    expect(lines.at(-1)).toMatchObject({ level: 60, msg: "giving up" });
  });
});
