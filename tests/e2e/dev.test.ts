/// <reference lib="dom" />
/**
 * `npm run dev` as a newcomer runs it: the Vite dev server and the watched API, the page in
 * real Chromium, a signature through Vite's proxy.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { type Browser, chromium } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CHROMIUM_FLAGS, findChromium } from "../../scripts/lib/chromium.js";
import { freePort } from "../../scripts/lib/server-process.js";
import { tempDir } from "../helpers/app.js";

let browser: Browser;
let dev: ChildProcess;
let output = "";
let devUrl: string;
let apiPort: number;
const dataDir = tempDir();

function startDev(env: Record<string, string>): ChildProcess {
  // Its own process group, so the watcher and Vite stop with it.
  const child = spawn("npx", ["tsx", "scripts/dev.ts"], { env: { ...process.env, ...env }, detached: true, stdio: ["ignore", "pipe", "pipe"] });
  child.stdout?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  return child;
}

const exitOf = (child: ChildProcess) =>
  new Promise<number | null>((resolve) => (child.exitCode !== null ? resolve(child.exitCode) : child.on("exit", (code) => resolve(code))));

beforeAll(async () => {
  browser = await chromium.launch({ executablePath: findChromium(), args: CHROMIUM_FLAGS });
  apiPort = await freePort();
  const devPort = await freePort();
  devUrl = `http://127.0.0.1:${devPort}`;
  dev = startDev({ API_PORT: String(apiPort), DEV_PORT: String(devPort), DATA_DIR: dataDir.path, LOG_LEVEL: "warn" });
  const deadline = Date.now() + 45_000;
  while (!(await fetch(`${devUrl}/healthz`).then((r) => r.ok, () => false))) {
    if (dev.exitCode !== null || Date.now() > deadline) throw new Error(`npm run dev did not start: ${output}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}, 60_000);

afterAll(async () => {
  if (dev?.pid && dev.exitCode === null) process.kill(-dev.pid, "SIGTERM");
  await browser?.close();
  dataDir.remove();
});

describe("npm run dev", () => {
  it("serves the UI's own modules from Vite and only the API's paths from the API", async () => {
    const module = await fetch(`${devUrl}/api.ts`);
    expect(module.status).toBe(200);
    expect(module.headers.get("content-type")).toMatch(/javascript/);
    expect(await (await fetch(`${devUrl}/healthz`)).json()).toEqual({ status: "ok" });
    expect((await fetch(`${devUrl}/readyz`)).status).toBe(200);
    expect(await (await fetch(`${devUrl}/api/entries`)).json()).toMatchObject({ entries: [] });
  });

  it("shows the page in a real browser and signs through the proxy", async () => {
    const page = await browser.newPage();
    const problems: string[] = [];
    page.on("pageerror", (error) => problems.push(error.message));
    await page.goto(devUrl);
    await page.getByLabel("Name").fill("Dev");
    await page.getByLabel("Message").fill("Signed through npm run dev");
    await page.getByRole("button", { name: /Sign/ }).click();
    await expect.poll(() => page.locator(".entry-list > li h3").first().textContent(), { timeout: 10_000 }).toBe("Dev");
    const stored = (await (await fetch(`http://127.0.0.1:${apiPort}/api/entries`)).json()) as { entries: { name: string }[] };
    expect(stored.entries.map((e) => e.name)).toEqual(["Dev"]);
    expect(problems).toEqual([]);
    await page.close();
  });

  it("stops with one line when the API's port is taken, instead of proxying to another server", async () => {
    const second = spawn("npx", ["tsx", "scripts/dev.ts"], {
      env: { ...process.env, API_PORT: String(apiPort), DEV_PORT: String(await freePort()), DATA_DIR: dataDir.path },
      stdio: ["ignore", "ignore", "pipe"],
    });
    let secondOutput = "";
    second.stderr?.on("data", (chunk: Buffer) => (secondOutput += chunk.toString()));
    expect(await exitOf(second)).toBe(1);
    expect(secondOutput).toBe(
      `npm run dev: port ${apiPort} is in use (is \`npm start\` still running?); stop it or set API_PORT=<free port>\n`,
    );
  });
});
