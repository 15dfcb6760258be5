/**
 * `npm run bench`: load on loopback with autocannon against the built guestbook server (embedded
 * store holding 100 entries, production log level) and baselines over the same data: bare
 * node:http sending the same first-page bytes from memory (the ceiling for any Node server), the
 * same with the guestbook's whole header set (not a target), bare node:http doing the same store
 * work (one commit per sign, and, for POST only, the same group commit as the guestbook's store),
 * an Express 5 version of the seed tutorial's backend (the peer), and Hono with no middleware.
 * Prints req/s, p50/p99 latency, peak RSS, start-up to ready, the CPU each GET cost the server and
 * autocannon, the ratios the targets are stated in, and the load average the run saw.
 * Run `npm run build` first.
 *
 *   BENCH_SECONDS   length of each run (default 5)
 *   BENCH_ROUNDS    runs of each kind per target, taken in turns; the median counts (default 3)
 *   BENCH_TARGETS   comma-separated subset of: guestbook, memory, headers, store, store-batched,
 *                   express, bare (default all)
 *   BENCH_SERVER    the guestbook entry to run (default dist/api/server.js)
 *   BENCH_NODE_FLAGS  Node flags for it instead of SERVER_NODE_FLAGS ("" for none)
 *   BENCH_VARIANT   another build's server entry, measured in the same turns as the guestbook,
 *                   to see whether a change pays (BENCH_VARIANT_FLAGS: its Node flags)
 *   BENCH_PROFILE   a folder: the guestbook's measured runs write a V8 CPU profile there
 */
import { loadavg } from "node:os";
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import autocannon from "autocannon";
import { type RunningServer, SERVER_ENTRY, SERVER_NODE_FLAGS, startServer, withBuild } from "./lib/server-process.js";
import { seed } from "./bench/seed.js";
import { tempDir } from "./lib/temp-dir.js";

const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const CONNECTIONS = 50;
const TSX = resolve("node_modules/tsx/dist/esm/index.mjs");
const PROFILE_DIR = process.env.BENCH_PROFILE;

interface Target {
  key: string;
  name: string;
  args: string[];
  env?: Record<string, string>;
  /** Also load POST /api/entries (the memory baseline cannot store). */
  posts: boolean;
  /** Load GET /api/entries (default true; false where it would repeat another target's). */
  gets?: boolean;
  /** Also load GET with a matching If-None-Match (only the guestbook answers 304). */
  revalidates?: boolean;
}

const TARGETS: Target[] = [
  {
    key: "guestbook",
    name: "guestbook (Hono)",
    args: [
      ...(process.env.BENCH_NODE_FLAGS?.split(" ").filter(Boolean) ?? SERVER_NODE_FLAGS),
      process.env.BENCH_SERVER ?? SERVER_ENTRY,
    ],
    env: { RATE_LIMIT_PER_MINUTE: "0" },
    posts: true,
    revalidates: true,
  },
  ...(process.env.BENCH_VARIANT
    ? [
        {
          key: "variant",
          name: `variant: ${process.env.BENCH_VARIANT}`,
          args: [...(process.env.BENCH_VARIANT_FLAGS?.split(" ").filter(Boolean) ?? SERVER_NODE_FLAGS), process.env.BENCH_VARIANT],
          env: { RATE_LIMIT_PER_MINUTE: "0" },
          posts: true,
          revalidates: true,
        },
      ]
    : []),
  { key: "memory", name: "node:http, same bytes from memory (ceiling)", args: ["--import", TSX, "scripts/bench/memory-server.ts"], posts: false },
  // Not a target: the ceiling with the header set every guestbook response must carry.
  { key: "headers", name: "node:http, same bytes and headers from memory", args: ["--import", TSX, "scripts/bench/memory-headers-server.ts"], posts: false },
  { key: "store", name: "node:http, same store work", args: ["--import", TSX, "scripts/bench/raw-server.ts"], posts: true },
  // The same server committing the signs of one event-loop turn together, as the guestbook's store does.
  {
    key: "store-batched",
    name: "node:http, same store write, batched",
    args: ["--import", TSX, "scripts/bench/raw-server.ts"],
    env: { GROUP_COMMIT: "1" },
    posts: true,
    gets: false,
  },
  { key: "express", name: "Express 5 (seed)", args: ["--import", TSX, "scripts/bench/express-server.ts"], posts: true },
  // Not a target: shows how much of the gap is the framework and how much the middleware.
  { key: "bare", name: "Hono, no middleware", args: ["--import", TSX, "scripts/bench/hono-bare-server.ts"], posts: true },
];

const selected = (process.env.BENCH_TARGETS ?? "").split(",").filter(Boolean);
const targets = selected.length ? TARGETS.filter((t) => selected.includes(t.key) || t.key === "variant") : TARGETS;

const start = (target: Target, dataDir: string, profile = false): Promise<RunningServer> =>
  startServer(
    { DATA_DIR: dataDir, LOG_LEVEL: "info", ...target.env },
    {
      args: profile && PROFILE_DIR ? ["--cpu-prof", `--cpu-prof-dir=${PROFILE_DIR}`, ...target.args] : target.args,
      output: "ignore",
    },
  );

async function stop(running: RunningServer): Promise<void> {
  running.child.kill("SIGTERM");
  await running.exited;
}

/** Peak resident set size of a process so far (VmHWM), in MiB. */
const peakRssMiB = (pid: number): number =>
  Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))![1]) / 1024;

interface Load {
  rps: number;
  p50: number;
  p99: number;
  errors: number;
  /** CPU time per request: the server's (all its threads), and autocannon's, which shares the cores. */
  serverCpuUs: number;
  clientCpuUs: number;
  /** autocannon's CPU time over the run's length: near 100% it, not the server, sets the pace. */
  clientCpuPercent: number;
}

const NO_LOAD: Load = { rps: Number.NaN, p50: Number.NaN, p99: Number.NaN, errors: 0, serverCpuUs: Number.NaN, clientCpuUs: Number.NaN, clientCpuPercent: Number.NaN };

/** CPU time a process has used so far (user and system, every thread), in µs. */
function cpuUs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
  // utime and stime, in clock ticks of 10 ms (USER_HZ is 100 on Linux).
  return (Number(fields[11]) + Number(fields[12])) * 10_000;
}

async function load(
  server: RunningServer,
  method: "GET" | "POST",
  headers: Record<string, string> = {},
  expected = method === "POST" ? 201 : 200,
): Promise<Load> {
  const { url } = server;
  const serverBefore = cpuUs(server.child.pid!);
  const clientBefore = process.cpuUsage();
  const startedAt = performance.now();
  const result = await autocannon({
    url: `${url}/api/entries`,
    method,
    connections: CONNECTIONS,
    duration: SECONDS,
    headers: method === "POST" ? { "content-type": "application/json", ...headers } : headers,
    body: method === "POST" ? JSON.stringify({ name: "Bench", message: "A message from the benchmark." }) : undefined,
  });
  const client = process.cpuUsage(clientBefore);
  const elapsedUs = (performance.now() - startedAt) * 1000;
  const serverUs = cpuUs(server.child.pid!) - serverBefore;
  const wrong = Object.entries(result.statusCodeStats ?? {})
    .filter(([code]) => Number(code) !== expected)
    .reduce((n, [, s]) => n + (s as { count: number }).count, 0);
  return {
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    // autocannon counts 3xx as non-2xx: a 304 expected is not an error.
    errors: result.errors + result.timeouts + (expected === 304 ? 0 : result.non2xx) + wrong,
    serverCpuUs: serverUs / result.requests.total,
    clientCpuUs: (client.user + client.system) / result.requests.total,
    clientCpuPercent: (100 * (client.user + client.system)) / elapsedUs,
  };
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

interface Row {
  target: Target;
  get: Load;
  revalidate: Load;
  post: Load;
  rss: number;
  readyMs: number;
}

/** Start-up to ready: the median of five cold starts on the target's own data. */
async function startUpMs(target: Target, dataDir: string): Promise<number> {
  const starts: number[] = [];
  for (let i = 0; i < 5; i++) {
    const probe = await start(target, dataDir);
    starts.push(probe.readyMs);
    await stop(probe);
  }
  return median(starts);
}

/** The run of each round with the median req/s (its latencies with it); errors summed over all. */
function medianLoad(runs: Load[]): Load {
  if (runs.length === 0) return NO_LOAD;
  const middle = [...runs].sort((a, b) => a.rps - b.rps)[Math.floor(runs.length / 2)]!;
  return { ...middle, errors: runs.reduce((n, run) => n + run.errors, 0) };
}

/**
 * Every target is running at once, idle but for the one under load, and each kind of load is
 * given to the targets in turn, ROUNDS times: whatever else the machine does then falls on all
 * of them alike, so the ratios hold even when the absolute numbers move.
 */
async function measureAll(): Promise<Row[]> {
  const dirs = targets.map(() => tempDir("guestbook-bench-"));
  const running: RunningServer[] = [];
  try {
    const readyMs: number[] = [];
    for (const [i, target] of targets.entries()) {
      await seed(dirs[i]!.path, 100);
      readyMs.push(await startUpMs(target, dirs[i]!.path));
    }
    for (const [i, target] of targets.entries()) running.push(await start(target, dirs[i]!.path, target.key === "guestbook"));
    for (const server of running) await load(server, "GET"); // warm-up, not counted
    const runs = targets.map(() => ({ get: [] as Load[], revalidate: [] as Load[], post: [] as Load[] }));
    for (let round = 0; round < ROUNDS; round++) {
      for (const [i, target] of targets.entries()) if (target.gets !== false) runs[i]!.get.push(await load(running[i]!, "GET"));
    }
    for (let round = 0; round < ROUNDS; round++) {
      for (const [i, target] of targets.entries()) {
        if (!target.revalidates) continue;
        const etag = (await fetch(`${running[i]!.url}/api/entries`)).headers.get("etag") ?? "";
        runs[i]!.revalidate.push(await load(running[i]!, "GET", { "if-none-match": etag }, 304));
      }
    }
    for (let round = 0; round < ROUNDS; round++) {
      for (const [i, target] of targets.entries()) if (target.posts) runs[i]!.post.push(await load(running[i]!, "POST"));
    }
    return targets.map((target, i) => ({
      target,
      get: medianLoad(runs[i]!.get),
      revalidate: medianLoad(runs[i]!.revalidate),
      post: medianLoad(runs[i]!.post),
      rss: peakRssMiB(running[i]!.child.pid!),
      readyMs: readyMs[i]!,
    }));
  } finally {
    for (const server of running) await stop(server);
    for (const dir of dirs) dir.remove();
  }
}

const fixed = (n: number, digits = 0) => (Number.isNaN(n) ? "—" : n.toFixed(digits));
const latency = (l: Load) => (Number.isNaN(l.p50) ? "—" : `${l.p50} / ${l.p99}`);

function printRows(rows: Row[]) {
  console.log("| server | GET req/s | GET p50 / p99 ms | POST req/s | POST p50 / p99 ms | errors | peak RSS MiB | start-up to ready ms |");
  console.log("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
  for (const r of rows) {
    const errors = r.get.errors + r.post.errors + r.revalidate.errors;
    console.log(
      `| ${r.target.name} | ${fixed(r.get.rps)} | ${latency(r.get)} | ${fixed(r.post.rps)} | ${latency(r.post)} | ${errors} | ${r.rss.toFixed(0)} | ${r.readyMs.toFixed(0)} |`,
    );
    if (r.target.revalidates) {
      console.log(`| ${r.target.name}, GET with matching If-None-Match (304) | ${fixed(r.revalidate.rps)} | ${latency(r.revalidate)} | — | — | — | — | — |`);
    }
  }
}

/** Where each GET's CPU went: steadier than req/s when the machine is busy, and shows when autocannon is the limit. */
function printCpu(rows: Row[]) {
  console.log("\n| server | GET CPU µs/request: server | autocannon | autocannon CPU % |\n| --- | ---: | ---: | ---: |");
  for (const r of rows) {
    for (const [name, l] of [[r.target.name, r.get], [`${r.target.name}, 304`, r.revalidate]] as const) {
      if (!Number.isNaN(l.rps)) console.log(`| ${name} | ${l.serverCpuUs.toFixed(1)} | ${l.clientCpuUs.toFixed(1)} | ${l.clientCpuPercent.toFixed(0)} |`);
    }
  }
}

function printTargets(rows: Row[]) {
  const row = (key: string) => rows.find((r) => r.target.key === key);
  const [ours, memory, headers, store, batched, express, bare, variant] = ["guestbook", "memory", "headers", "store", "store-batched", "express", "bare", "variant"].map(row);
  if (!ours) return;
  if (variant) {
    console.log("\n| variant vs guestbook | GET | GET 304 | POST |\n| --- | ---: | ---: | ---: |");
    console.log(
      `| ${variant.target.name} | ${(variant.get.rps / ours.get.rps).toFixed(2)}× | ${(variant.revalidate.rps / ours.revalidate.rps).toFixed(2)}× | ${(variant.post.rps / ours.post.rps).toFixed(2)}× |`,
    );
  }
  const checks: [string, number | undefined, string, (value: number) => boolean][] = [];
  const ratio = (name: string, a: number, b: Row | undefined, goal?: number) =>
    checks.push([name, b ? a / b.get.rps : undefined, goal ? `≥ ${goal}×` : "(reported)", (v) => !goal || v >= goal]);
  ratio("GET vs node:http from memory", ours.get.rps, memory, 0.75);
  ratio("GET vs node:http from memory with the same headers", ours.get.rps, headers);
  ratio("GET vs Express 5", ours.get.rps, express, 3);
  ratio("GET vs node:http, same store work", ours.get.rps, store);
  ratio("GET vs Hono, no middleware", ours.get.rps, bare);
  ratio("GET 304 vs node:http from memory", ours.revalidate.rps, memory);
  if (headers && memory) checks.push(["headers-only server vs node:http from memory", headers.get.rps / memory.get.rps, "(reported)", () => true]);
  // The target compares like with like: the baseline committing signs together, as the guestbook does.
  if (batched) checks.push(["POST vs node:http, same store write (batched)", ours.post.rps / batched.post.rps, "≥ 0.8×", (v) => v >= 0.8]);
  if (store) checks.push(["POST vs node:http, one commit per sign", ours.post.rps / store.post.rps, "(reported)", () => true]);
  if (express) checks.push(["POST vs Express 5", ours.post.rps / express.post.rps, "(reported)", () => true]);
  checks.push(["GET p99 at 50 connections", ours.get.p99, "≤ 10 ms", (v) => v <= 10]);
  checks.push(["start-up to ready", ours.readyMs, "≤ 300 ms", (v) => v <= 300]);
  checks.push(["errors", ours.get.errors + ours.post.errors + ours.revalidate.errors, "0", (v) => v === 0]);
  console.log("\n| measure | guestbook | target | met |\n| --- | ---: | --- | --- |");
  for (const [name, value, goal, met] of checks) {
    if (value === undefined) continue;
    const shown = name.includes(" vs ") ? `${value.toFixed(2)}×` : name.startsWith("GET p99") || name.startsWith("start-up") ? `${value.toFixed(0)} ms` : String(value);
    console.log(`| ${name} | ${shown} | ${goal} | ${goal === "(reported)" ? "-" : met(value) ? "yes" : "NO"} |`);
  }
}

async function main() {
  const [oneMinute] = loadavg();
  console.log(
    `# npm run bench: ${CONNECTIONS} connections, ${SECONDS} s a run, median of ${ROUNDS} rounds taken in turns, 100 entries, loopback, ${process.version}, load average ${oneMinute!.toFixed(2)} at start\n`,
  );
  const rows = await measureAll();
  printRows(rows);
  printCpu(rows);
  printTargets(rows);
  console.log(`\nload average at the end: ${loadavg().map((n) => n.toFixed(2)).join(", ")} (1, 5, 15 min)`);
  if (PROFILE_DIR) console.log(`CPU profile of the guestbook's measured runs: ${PROFILE_DIR}`);
}

await withBuild("npm run bench", main);
