/// <reference lib="dom" />
/**
 * Live updates and the preloaded first page in real Chromium against `npm run serve`: two
 * visitors' pages, a tab hidden behind another, and the request count at the server.
 */
import { type Browser, type Page, chromium } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningServer, startServer } from "../../scripts/lib/server-process.js";
import { CHROMIUM_FLAGS, findChromium } from "../../scripts/lib/chromium.js";
import { POLL_MS } from "../../src/web/guestbook.js";
import { tempDir } from "../helpers/app.js";
import { launchTabs } from "../helpers/tabs.js";

let browser: Browser;
let server: RunningServer;
let dataDir: ReturnType<typeof tempDir>;

beforeAll(async () => {
  browser = await chromium.launch({ executablePath: findChromium(), args: CHROMIUM_FLAGS });
  dataDir = tempDir();
  server = await startServer({ DATA_DIR: dataDir.path, RATE_LIMIT_PER_MINUTE: "0" });
});
afterAll(async () => {
  server?.child.kill("SIGKILL");
  await browser?.close();
  dataDir?.remove();
});

/** GET /api/entries requests the server has answered, any status, from its own metrics. */
async function listRequestsAtServer(): Promise<number> {
  const metrics = await (await fetch(`${server.url}/metrics`)).text();
  return [...metrics.matchAll(/^guestbook_http_requests_total\{method="GET",route="\/api\/entries",[^}]*\} (\d+)$/gm)]
    .map((m) => Number(m[1]))
    .reduce((a, b) => a + b, 0);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const names = (page: Page) => page.locator(".entry-list > li h3").allTextContents();

async function openVisitor(): Promise<Page> {
  const page = await browser.newPage();
  await page.goto(server.url);
  await page.locator(".entry-list, .placeholder").first().waitFor();
  // Every text the live region is given, as a screen reader would hear it.
  await page.evaluate(() => {
    const region = document.querySelector("[aria-live=polite]")!;
    const heard: string[] = [];
    (window as unknown as { heard: string[] }).heard = heard;
    new MutationObserver(() => {
      if (region.textContent) heard.push(region.textContent);
    }).observe(region, { childList: true, characterData: true, subtree: true });
  });
  return page;
}

describe("the first page", () => {
  it("is fetched once, by the preload, and the script uses that answer", async () => {
    const page = await browser.newPage();
    const warnings: string[] = [];
    page.on("console", (message) => {
      if (message.type() === "warning" || message.type() === "error") warnings.push(message.text());
    });
    const before = await listRequestsAtServer();
    await page.goto(server.url);
    await page.locator(".entry-list, .placeholder").first().waitFor();
    await page.waitForLoadState("load");
    // Chromium warns a few seconds after load about a preload nothing used; polling starts later.
    await sleep(Math.min(3_500, POLL_MS - 300));
    expect(await listRequestsAtServer()).toBe(before + 1);
    const timings = await page.evaluate(() =>
      performance.getEntriesByType("resource").filter((e) => e.name.endsWith("/api/entries")).map((e) => (e as PerformanceResourceTiming).initiatorType),
    );
    expect(timings).toEqual(["link"]);
    // Neither "preloaded but not used" nor a Content-Security-Policy refusal of the preload.
    expect(warnings).toEqual([]);
    await page.close();
  });
});

describe("two visitors", () => {
  it("see each other's entries without a reload within the polling pace, announced once, each shown once", async () => {
    const [ann, bob] = [await openVisitor(), await openVisitor()];
    await ann.getByLabel("Name").fill("Ann");
    await ann.getByLabel("Message").fill("Hello from the first tab");
    await ann.getByRole("button", { name: /Sign/ }).click();
    await expect.poll(() => names(ann)).toEqual(["Ann"]);
    const signed = performance.now();

    await expect.poll(() => names(bob), { timeout: POLL_MS + 3_000, interval: 100 }).toEqual(["Ann"]);
    expect(performance.now() - signed).toBeLessThan(POLL_MS + 3_000);
    // Two more turns of polling (304s): nothing repeats, nothing moves.
    await sleep(POLL_MS * 2 + 500);
    expect(await names(bob)).toEqual(["Ann"]);
    expect(await names(ann)).toEqual(["Ann"]);
    expect(await bob.evaluate(() => (window as unknown as { heard: string[] }).heard)).toEqual(["1 new entry"]);
    // Ann's own entry was never new to her page.
    expect(await ann.evaluate(() => (window as unknown as { heard: string[] }).heard)).toEqual([]);
    await Promise.all([ann.close(), bob.close()]);
  }, 30_000);
});

describe("a hidden tab", () => {
  it("stops polling while another tab is in front, and asks again as soon as it is shown", async () => {
    const tabs = await launchTabs();
    try {
      const guestbook = await tabs.open(server.url);
      await expect.poll(() => guestbook.evaluate<string>("document.visibilityState")).toBe("visible");
      await expect.poll(() => guestbook.evaluate<number>("document.querySelectorAll('.entry-list > li').length")).toBeGreaterThan(0);
      const loaded = await listRequestsAtServer();
      await sleep(POLL_MS * 2 + 500);
      const visiblePolls = (await listRequestsAtServer()) - loaded;
      expect(visiblePolls).toBeGreaterThanOrEqual(2);

      const other = await tabs.open("about:blank");
      await expect.poll(() => guestbook.evaluate<string>("document.visibilityState")).toBe("hidden");
      const hiddenAt = await listRequestsAtServer();
      await sleep(POLL_MS * 2 + 500);
      expect(await listRequestsAtServer()).toBe(hiddenAt);

      await guestbook.activate();
      const shownAt = performance.now();
      await expect.poll(() => listRequestsAtServer(), { timeout: 2_000, interval: 50 }).toBe(hiddenAt + 1);
      expect(performance.now() - shownAt).toBeLessThan(POLL_MS);
      expect(other.targetId).not.toBe(guestbook.targetId);
    } finally {
      await tabs.close();
    }
  }, 40_000);
});
