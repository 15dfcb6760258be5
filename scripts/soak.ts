/**
 * `npm run soak`: 60 s (SOAK_SECONDS) of mixed reads and writes against the built server on
 * loopback, four reads to one write, sampling its resident memory every 5 s. Passes with zero
 * errors and flat memory (the last sample within 20% of the one after warm-up); exits 1 otherwise.
 */
import { readFileSync } from "node:fs";
import autocannon from "autocannon";
import { startServer, withBuild } from "./lib/server-process.js";
import { tempDir } from "./lib/temp-dir.js";

const SECONDS = Number(process.env.SOAK_SECONDS ?? 60);
const SAMPLE_MS = 5000;
const ALLOWED_GROWTH = 0.2;

/** The server's own report of its V8 heap in use, from /metrics. */
async function heapUsedMiB(url: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  return Number(/^guestbook_nodejs_heap_size_used_bytes (\S+)/m.exec(text)?.[1] ?? Number.NaN) / 1024 / 1024;
}

const rssMiB = (pid: number) => Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))![1]) / 1024;

async function main() {
  const data = tempDir("guestbook-soak-");
  const { child, url, exited } = await startServer(
    { DATA_DIR: data.path, LOG_LEVEL: "info", RATE_LIMIT_PER_MINUTE: "0" },
    { output: "ignore" },
  );

  const samples: { second: number; rss: number; heap: number }[] = [];
  const started = Date.now();
  const sampler = setInterval(async () => {
    const second = Math.round((Date.now() - started) / 1000);
    samples.push({ second, rss: rssMiB(child.pid!), heap: await heapUsedMiB(url) });
  }, SAMPLE_MS);
  const write = { method: "POST" as const, path: "/api/entries", headers: { "content-type": "application/json" }, body: JSON.stringify({ name: "Soak", message: "Mixed load." }) };
  const read = { method: "GET" as const, path: "/api/entries" };
  const result = await autocannon({ url, connections: 20, duration: SECONDS, requests: [read, read, read, read, write] });
  clearInterval(sampler);
  child.kill("SIGTERM");
  const exitCode = await exited;
  data.remove();

  const errors = result.errors + result.timeouts + result.non2xx;
  const baseline = samples.find((s) => s.second >= 10) ?? samples[0]!;
  const last = samples.at(-1)!;
  const growth = (last.rss - baseline.rss) / baseline.rss;
  console.log(`# npm run soak: ${SECONDS} s, 20 connections, 4 reads : 1 write\n`);
  console.log("| second | RSS MiB | V8 heap used MiB |\n| ---: | ---: | ---: |");
  for (const s of samples) console.log(`| ${s.second} | ${s.rss.toFixed(1)} | ${s.heap.toFixed(1)} |`);
  console.log(`\nrequests: ${result.requests.total} (${result.requests.average.toFixed(0)}/s), errors: ${errors}, p99: ${result.latency.p99} ms`);
  console.log(`memory: ${baseline.rss.toFixed(1)} MiB at ${baseline.second} s → ${last.rss.toFixed(1)} MiB at ${last.second} s (${(growth * 100).toFixed(1)}%)`);
  console.log(`shutdown: exit code ${exitCode}`);
  const ok = errors === 0 && growth <= ALLOWED_GROWTH && exitCode === 0;
  console.log(ok ? "soak: passed" : "soak: FAILED");
  if (!ok) process.exitCode = 1;
}

await withBuild("npm run soak", main);
