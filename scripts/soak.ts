/**
 * `npm run soak`: 60 s (SOAK_SECONDS) of mixed reads and writes against the built server on
 * loopback, four reads to one write, sampling its memory every 5 s. Passes with zero errors,
 * flat memory (the last sample within 20% of the one after warm-up), peak RSS at or below the
 * ceiling it prints (SOAK_MAX_RSS_MIB, default 150) and a clean exit; exits 1 otherwise. It
 * also says where the resident memory is: V8's heap (and its young generation), memory the
 * allocator holds outside it (SQLite's cache, buffers, arenas), and mapped code.
 */
import { readFileSync } from "node:fs";
import { loadavg } from "node:os";
import autocannon from "autocannon";
import { startServer, withBuild } from "./lib/server-process.js";
import { tempDir } from "./lib/temp-dir.js";

const SECONDS = Number(process.env.SOAK_SECONDS ?? 60);
const MAX_RSS_MIB = Number(process.env.SOAK_MAX_RSS_MIB ?? 150);
const SAMPLE_MS = 5000;
const ALLOWED_GROWTH = 0.2;
const MiB = 1024 * 1024;

interface Sample {
  second: number;
  rss: number;
  heapUsed: number;
  heapTotal: number;
  youngTotal: number;
  external: number;
  anonymous: number;
  fileBacked: number;
}

/** The server's own report of its V8 heap, from /metrics, in MiB. */
async function v8Heap(url: string) {
  const text = await (await fetch(`${url}/metrics`)).text();
  const read = (pattern: RegExp) => Number(pattern.exec(text)?.[1] ?? Number.NaN) / MiB;
  return {
    heapUsed: read(/^guestbook_nodejs_heap_size_used_bytes (\S+)/m),
    heapTotal: read(/^guestbook_nodejs_heap_size_total_bytes (\S+)/m),
    youngTotal: read(/^guestbook_nodejs_heap_space_size_total_bytes\{space="new"\} (\S+)/m),
    external: read(/^guestbook_nodejs_external_memory_bytes (\S+)/m),
  };
}

/** Resident memory by kind, from the kernel: all of it, anonymous (heap, malloc), file-backed (code). */
function resident(pid: number) {
  const rollup = readFileSync(`/proc/${pid}/smaps_rollup`, "utf8");
  const kib = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(rollup)?.[1] ?? Number.NaN) / 1024;
  const rss = kib("Rss");
  const anonymous = kib("Anonymous");
  return { rss, anonymous, fileBacked: rss - anonymous };
}

const peakRssMiB = (pid: number) => Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))![1]) / 1024;

async function main() {
  const data = tempDir("guestbook-soak-");
  const { child, url, exited } = await startServer(
    { DATA_DIR: data.path, LOG_LEVEL: "info", RATE_LIMIT_PER_MINUTE: "0" },
    { output: "ignore" },
  );
  const pid = child.pid!;

  const samples: Sample[] = [];
  const started = Date.now();
  const sample = async () => {
    const second = Math.round((Date.now() - started) / 1000);
    samples.push({ second, ...resident(pid), ...(await v8Heap(url)) });
  };
  await sample();
  const sampler = setInterval(() => void sample(), SAMPLE_MS);
  const write = { method: "POST" as const, path: "/api/entries", headers: { "content-type": "application/json" }, body: JSON.stringify({ name: "Soak", message: "Mixed load." }) };
  const read = { method: "GET" as const, path: "/api/entries" };
  const result = await autocannon({ url, connections: 20, duration: SECONDS, requests: [read, read, read, read, write] });
  clearInterval(sampler);
  await sample();
  const peak = peakRssMiB(pid);
  child.kill("SIGTERM");
  const exitCode = await exited;
  data.remove();

  const errors = result.errors + result.timeouts + result.non2xx;
  const baseline = samples.find((s) => s.second >= 10) ?? samples[0]!;
  const last = samples.at(-1)!;
  const growth = (last.rss - baseline.rss) / baseline.rss;
  const mib = (n: number) => n.toFixed(1);
  console.log(`# npm run soak: ${SECONDS} s, 20 connections, 4 reads : 1 write, ${process.version}, load average ${loadavg()[0]!.toFixed(2)}\n`);
  console.log("| second | RSS | V8 heap used | V8 heap committed | of it young generation | outside V8 (anonymous) | file-backed (code) |");
  console.log("| ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
  for (const s of samples) {
    console.log(`| ${s.second} | ${mib(s.rss)} | ${mib(s.heapUsed)} | ${mib(s.heapTotal)} | ${mib(s.youngTotal)} | ${mib(s.anonymous - s.heapTotal)} | ${mib(s.fileBacked)} |`);
  }
  console.log("(MiB; \"outside V8\" is anonymous memory not in V8's heap: the allocator's arenas, SQLite's page cache, buffers, thread stacks)");
  console.log(`\nrequests: ${result.requests.total} (${result.requests.average.toFixed(0)}/s), errors: ${errors}, p99: ${result.latency.p99} ms`);
  console.log(`memory: ${mib(baseline.rss)} MiB at ${baseline.second} s → ${mib(last.rss)} MiB at ${last.second} s (${(growth * 100).toFixed(1)}%)`);
  console.log(`peak RSS: ${mib(peak)} MiB; ceiling ${MAX_RSS_MIB} MiB (SOAK_MAX_RSS_MIB)`);
  console.log(`shutdown: exit code ${exitCode}`);
  const problems = [
    errors > 0 && `${errors} errors`,
    growth > ALLOWED_GROWTH && `memory grew ${(growth * 100).toFixed(1)}% (at most ${ALLOWED_GROWTH * 100}%)`,
    peak > MAX_RSS_MIB && `peak RSS ${mib(peak)} MiB is above the ${MAX_RSS_MIB} MiB ceiling`,
    exitCode !== 0 && `exit code ${exitCode}`,
  ].filter(Boolean);
  console.log(problems.length ? `soak: FAILED (${problems.join("; ")})` : "soak: passed");
  if (problems.length) process.exitCode = 1;
}

await withBuild("npm run soak", main);
