/**
 * `npm run bench:web`: the UI's budgets, measured on the built page.
 *   - initial JavaScript, gzip (budget 12 KiB)
 *   - Lighthouse 12 in headless Chromium against `npm run serve` on loopback
 *     (budgets: accessibility 100, performance >= 95, best practices 100)
 * Prints a table; exits 1 when a budget is missed. Run `npm run build` first.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import * as chromeLauncher from "chrome-launcher";
import lighthouse from "lighthouse";
import { CHROMIUM_FLAGS, findChromium } from "./lib/chromium.js";
import { startServer } from "./lib/server-process.js";

const WEB_ROOT = "dist/web";
const JS_BUDGET_BYTES = 12 * 1024;
const SCORE_BUDGETS = { performance: 95, accessibility: 100, "best-practices": 100 } as const;

/** Scripts the browser fetches before the page can run: the entry and its modulepreloads. */
function initialScripts(html: string): string[] {
  const scripts = [...html.matchAll(/<script[^>]+src="([^"]+)"/g)].map((m) => m[1]!);
  const preloads = [...html.matchAll(/<link[^>]+rel="modulepreload"[^>]+href="([^"]+)"/g)].map((m) => m[1]!);
  return [...new Set([...scripts, ...preloads])];
}

function measureInitialJs() {
  const html = readFileSync(join(WEB_ROOT, "index.html"), "utf8");
  const files = initialScripts(html);
  let raw = 0;
  let gzip = 0;
  for (const file of files) {
    const bytes = readFileSync(join(WEB_ROOT, file));
    raw += bytes.byteLength;
    gzip += gzipSync(bytes, { level: 9 }).byteLength;
  }
  return { files: files.length, raw, gzip };
}

async function runLighthouse(url: string) {
  const chrome = await chromeLauncher.launch({ chromePath: findChromium(), chromeFlags: CHROMIUM_FLAGS });
  try {
    const result = await lighthouse(url, {
      port: chrome.port,
      output: "json",
      logLevel: "error",
      onlyCategories: Object.keys(SCORE_BUDGETS),
      formFactor: "mobile",
    });
    if (!result) throw new Error("Lighthouse returned no result");
    return Object.fromEntries(
      Object.keys(SCORE_BUDGETS).map((id) => [id, Math.round((result.lhr.categories[id]?.score ?? 0) * 100)]),
    ) as Record<keyof typeof SCORE_BUDGETS, number>;
  } finally {
    chrome.kill();
  }
}

async function main() {
  const js = measureInitialJs();
  const dataDir = mkdtempSync(join(tmpdir(), "guestbook-bench-web-"));
  const server = await startServer({ DATA_DIR: dataDir });
  try {
    for (let i = 0; i < 25; i++) {
      await fetch(`${server.url}/api/entries`, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ name: `Visitor ${i}`, message: `A note from visitor ${i}.\nWith two lines.` }),
      });
    }
    const scores = await runLighthouse(`${server.url}/`);
    const rows: [string, string, string, boolean][] = [
      [
        "initial JS (gzip)",
        `${(js.gzip / 1024).toFixed(2)} KiB (${js.files} file, ${(js.raw / 1024).toFixed(1)} KiB raw)`,
        `<= ${JS_BUDGET_BYTES / 1024} KiB`,
        js.gzip <= JS_BUDGET_BYTES,
      ],
      ...Object.entries(SCORE_BUDGETS).map(([id, min]): [string, string, string, boolean] => [
        `Lighthouse ${id}`,
        String(scores[id as keyof typeof SCORE_BUDGETS]),
        min === 100 ? "100" : `>= ${min}`,
        scores[id as keyof typeof SCORE_BUDGETS] >= min,
      ]),
    ];
    console.log("| measure | value | budget | ok |\n| --- | --- | --- | --- |");
    for (const [name, value, budget, ok] of rows) console.log(`| ${name} | ${value} | ${budget} | ${ok ? "yes" : "NO"} |`);
    if (rows.some((row) => !row[3])) process.exitCode = 1;
  } finally {
    server.child.kill("SIGTERM");
    await server.exited;
    rmSync(dataDir, { recursive: true, force: true });
  }
}

await main();
