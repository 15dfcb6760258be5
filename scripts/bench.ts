/**
 * `npm run bench`: load on loopback with autocannon against the built guestbook server (embedded
 * store holding 100 entries, production log level) and two baselines serving the same data from
 * the same store: bare node:http (the ceiling) and an Express 5 version of the seed tutorial's
 * backend (the peer). Prints req/s, p50/p99 latency, peak RSS and ratios, and start-up to ready.
 * Run `npm run build` first. BENCH_SECONDS (default 8) sets each run's length.
 */
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import autocannon from "autocannon";
import { type RunningServer, startServer, withBuild } from "./lib/server-process.js";
import { seed } from "./bench/seed.js";
import { tempDir } from "./lib/temp-dir.js";

const SECONDS = Number(process.env.BENCH_SECONDS ?? 8);
const CONNECTIONS = 50;
const TSX = resolve("node_modules/tsx/dist/esm/index.mjs");

interface Target {
  name: string;
  args: string[];
  env?: Record<string, string>;
}

const TARGETS: Target[] = [
  { name: "guestbook (Hono)", args: ["dist/api/server.js"], env: { RATE_LIMIT_PER_MINUTE: "0" } },
  { name: "node:http (ceiling)", args: ["--import", TSX, "scripts/bench/raw-server.ts"] },
  { name: "Express 5 (seed)", args: ["--import", TSX, "scripts/bench/express-server.ts"] },
  // Not a target: shows how much of the gap is the framework and how much the middleware.
  { name: "Hono, no middleware", args: ["--import", TSX, "scripts/bench/hono-bare-server.ts"] },
];

const start = (target: Target, dataDir: string): Promise<RunningServer> =>
  startServer({ DATA_DIR: dataDir, LOG_LEVEL: "info", ...target.env }, { args: target.args, output: "ignore" });

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
}

async function load(url: string, method: "GET" | "POST"): Promise<Load> {
  const result = await autocannon({
    url: `${url}/api/entries`,
    method,
    connections: CONNECTIONS,
    duration: SECONDS,
    headers: method === "POST" ? { "content-type": "application/json" } : {},
    body: method === "POST" ? JSON.stringify({ name: "Bench", message: "A message from the benchmark." }) : undefined,
  });
  const expected = method === "POST" ? 201 : 200;
  const wrong = Object.entries(result.statusCodeStats ?? {})
    .filter(([code]) => Number(code) !== expected)
    .reduce((n, [, s]) => n + (s as { count: number }).count, 0);
  return {
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.errors + result.timeouts + result.non2xx + wrong,
  };
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

async function main() {
  console.log(`# npm run bench: ${CONNECTIONS} connections, ${SECONDS} s a run, 100 entries, loopback, ${process.version}\n`);
  const rows: { name: string; get: Load; post: Load; rss: number; readyMs: number }[] = [];
  for (const target of TARGETS) {
    const dir = tempDir("guestbook-bench-");
    try {
      await seed(dir.path, 100);
      // Start-up to ready: median of five cold starts.
      const starts: number[] = [];
      for (let i = 0; i < 5; i++) {
        const probe = await start(target, dir.path);
        starts.push(probe.readyMs);
        await stop(probe);
      }
      const server = await start(target, dir.path);
      await load(server.url, "GET"); // warm-up, not counted
      const get = await load(server.url, "GET");
      const post = await load(server.url, "POST");
      const rss = peakRssMiB(server.child.pid!);
      await stop(server);
      rows.push({ name: target.name, get, post, rss, readyMs: median(starts) });
    } finally {
      dir.remove();
    }
  }

  const [ours, raw, express, bare] = rows as [(typeof rows)[0], (typeof rows)[0], (typeof rows)[0], (typeof rows)[0]];
  console.log("| server | GET req/s | GET p50 / p99 ms | POST req/s | POST p50 / p99 ms | errors | peak RSS MiB | start-up to ready ms |");
  console.log("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
  for (const r of rows) {
    console.log(
      `| ${r.name} | ${r.get.rps.toFixed(0)} | ${r.get.p50} / ${r.get.p99} | ${r.post.rps.toFixed(0)} | ${r.post.p50} / ${r.post.p99} | ${r.get.errors + r.post.errors} | ${r.rss.toFixed(0)} | ${r.readyMs.toFixed(0)} |`,
    );
  }
  const checks: [string, string, boolean][] = [
    ["GET vs node:http", `${(ours.get.rps / raw.get.rps).toFixed(2)}×`, ours.get.rps / raw.get.rps >= 0.85],
    ["GET vs Express 5", `${(ours.get.rps / express.get.rps).toFixed(2)}×`, ours.get.rps / express.get.rps >= 3],
    ["GET: bare Hono vs node:http", `${(bare.get.rps / raw.get.rps).toFixed(2)}×`, true],
    ["GET vs bare Hono", `${(ours.get.rps / bare.get.rps).toFixed(2)}×`, true],
    ["POST vs node:http", `${(ours.post.rps / raw.post.rps).toFixed(2)}×`, true],
    ["POST vs Express 5", `${(ours.post.rps / express.post.rps).toFixed(2)}×`, true],
    ["GET p99 at 50 connections", `${ours.get.p99} ms`, ours.get.p99 <= 10],
    ["start-up to ready", `${ours.readyMs.toFixed(0)} ms`, ours.readyMs <= 300],
    ["peak RSS under load", `${ours.rss.toFixed(0)} MiB`, ours.rss <= 120],
    ["errors", String(ours.get.errors + ours.post.errors), ours.get.errors + ours.post.errors === 0],
  ];
  const targets: Record<string, string> = {
    "GET vs node:http": "≥ 0.85×",
    "GET vs Express 5": "≥ 3×",
    "GET p99 at 50 connections": "≤ 10 ms",
    "start-up to ready": "≤ 300 ms",
    "peak RSS under load": "≤ 120 MiB",
    errors: "0",
  };
  console.log("\n| measure | guestbook | target | met |\n| --- | ---: | --- | --- |");
  for (const [name, value, met] of checks) console.log(`| ${name} | ${value} | ${targets[name] ?? "(reported)"} | ${targets[name] ? (met ? "yes" : "NO") : "-"} |`);
}

await withBuild("npm run bench", main);
