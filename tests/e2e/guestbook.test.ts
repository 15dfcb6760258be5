/// <reference lib="dom" />
/**
 * The built page in real headless Chromium (Debian's, never a downloaded one) against the real
 * server from `npm run serve` with a temporary DATA_DIR.
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import { type Browser, type Page, chromium } from "playwright-core";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { CHROMIUM_FLAGS, findChromium } from "../../scripts/lib/chromium.js";
import { tempDir } from "../helpers/app.js";
import { type RunningServer, startServer } from "../../scripts/lib/server-process.js";

const SCREENSHOTS = "artifacts/screenshots";

let browser: Browser;
let server: RunningServer;
let dataDir: ReturnType<typeof tempDir>;
let page: Page;
let problems: string[];

beforeAll(async () => {
  browser = await chromium.launch({ executablePath: findChromium(), args: CHROMIUM_FLAGS });
  dataDir = tempDir();
  server = await startServer({ DATA_DIR: dataDir.path });
  mkdirSync(SCREENSHOTS, { recursive: true });
});
afterAll(async () => {
  server?.child.kill("SIGKILL");
  await browser?.close();
  dataDir?.remove();
});

beforeEach(async () => {
  page = await browser.newPage();
  problems = [];
  page.on("console", (message) => {
    if (message.type() === "error") problems.push(message.text());
  });
  page.on("pageerror", (error) => problems.push(error.message));
  page.on("dialog", (dialog) => {
    problems.push(`dialog opened: ${dialog.message()}`);
    void dialog.dismiss();
  });
});
afterEach(async () => {
  await page.close();
});

const nameField = () => page.getByLabel("Name");
const messageField = () => page.getByLabel("Message");
const signButton = () => page.getByRole("button", { name: /Sign/ });
const entries = () => page.locator(".entry-list > li");

/** Sign requests the server has counted, from its own metrics. */
async function signRequestsAtServer(): Promise<number> {
  const metrics = await (await fetch(`${server.url}/metrics`)).text();
  return [...metrics.matchAll(/^guestbook_http_requests_total\{method="POST",route="\/api\/entries",[^}]*\} (\d+)$/gm)]
    .map((m) => Number(m[1]))
    .reduce((a, b) => a + b, 0);
}

async function sign(name: string, message: string) {
  await nameField().fill(name);
  await messageField().fill(message);
  await signButton().click();
}

describe("the guestbook in Chromium", () => {
  it("signs the book, shows the entry at once, and still shows it after a reload", async () => {
    await page.goto(server.url);
    await sign("Grace", "First line\nSecond line");
    await expect.poll(() => entries().first().locator("h3").textContent()).toBe("Grace");
    expect(await messageField().inputValue()).toBe("");
    expect(await page.getByRole("status").textContent()).toBe("Thank you for signing!");
    await page.reload();
    const first = entries().first();
    await first.waitFor();
    expect(await first.locator("h3").textContent()).toBe("Grace");
    expect(await first.locator(".entry-message").innerText()).toBe("First line\nSecond line");
    expect(problems).toEqual([]);
  });

  it("shows a message with markup as text and runs none of it", async () => {
    const attack = "<img src=x onerror=alert(1)>";
    await page.goto(server.url);
    await sign("Mallory", attack);
    await expect.poll(() => entries().first().locator(".entry-message").textContent()).toBe(attack);
    await page.reload();
    await entries().first().waitFor();
    expect(await entries().first().locator(".entry-message").textContent()).toBe(attack);
    expect(await page.locator(".entry-list img").count()).toBe(0);
    expect(problems).toEqual([]);
  });

  it("refuses an invalid form with a visible reason and sends nothing", async () => {
    const firstPage = page.waitForResponse((res) => res.url().endsWith("/api/entries") && res.request().method() === "GET");
    await page.goto(server.url);
    await firstPage;
    const signsBefore = await signRequestsAtServer();
    await signButton().click();
    const alert = page.locator("form [role=alert]");
    expect(await alert.textContent()).toBe("Name is required.");
    expect(await alert.isVisible()).toBe(true);
    expect(await page.evaluate(() => document.activeElement?.id)).toBe("sign-name");
    await nameField().fill("n".repeat(81));
    expect(await page.getByText("Name must be at most 80 characters (it has 81).").isVisible()).toBe(true);
    await signButton().click();
    await messageField().fill("\u202eevil");
    await signButton().click();
    expect(await alert.textContent()).toMatch(/^Name must be at most 80/);
    expect(await signRequestsAtServer()).toBe(signsBefore);
  });

  it("moves focus in reading order: Name, Message, then the Sign button", async () => {
    await page.goto(server.url);
    const focused: (string | null)[] = [];
    for (let i = 0; i < 3; i++) {
      await page.keyboard.press("Tab");
      focused.push(await page.evaluate(() => document.activeElement?.id || document.activeElement?.textContent || null));
    }
    expect(focused).toEqual(["sign-name", "sign-message", "Sign the guestbook"]);
  });

  it("fits a 320 px phone however the entries are written, even ones the rules now refuse", async () => {
    // Entries written straight into the store, as one stored before today's rules would be.
    const dir = tempDir();
    const other = await startServer({ DATA_DIR: dir.path });
    try {
      const db = new Database(join(dir.path, "guestbook.sqlite"));
      const insert = db.prepare("INSERT INTO entries (id, name, message, created_at_ms) VALUES (?, ?, ?, ?)");
      insert.run("marks", `Z${"\u0301".repeat(1000)}`, `a${"\u0300\u0301\u0302".repeat(300)} b`, Date.now());
      insert.run("word", "n".repeat(80), `https://example.com/${"x".repeat(900)}`, Date.now() - 1);
      insert.run("wide", "\ufdfd".repeat(80), "\u{12219}".repeat(500), Date.now() - 2);
      // Spacing marks each take room, and a grapheme cannot be broken: one character 1,000 marks wide.
      insert.run("spacing", `\u0915${"\u093e".repeat(79)}`, `\u0915${"\u093e".repeat(999)}`, Date.now() - 3);
      db.close();
      await page.setViewportSize({ width: 320, height: 640 });
      await page.goto(other.url);
      await entries().nth(3).waitFor();
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(320);
      for (const box of await Promise.all((await page.locator(".entry").all()).map((card) => card.boundingBox()))) {
        expect(box!.x + box!.width).toBeLessThanOrEqual(320);
      }
    } finally {
      other.child.kill("SIGKILL");
      dir.remove();
    }
  });

  it("fits a 320 px phone without sideways scrolling", async () => {
    await page.setViewportSize({ width: 320, height: 640 });
    await page.goto(server.url);
    await entries().first().waitFor();
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(320);
  });

  it.each([
    { name: "phone", width: 375, height: 812, colorScheme: "light" as const },
    { name: "phone-dark", width: 375, height: 812, colorScheme: "dark" as const },
    { name: "desktop", width: 1280, height: 900, colorScheme: "light" as const },
  ])("writes a $name screenshot for people to look at", async ({ name, width, height, colorScheme }) => {
    await page.emulateMedia({ colorScheme });
    await page.setViewportSize({ width, height });
    await page.goto(server.url);
    await entries().first().waitFor();
    const shot = await page.screenshot({ path: `${SCREENSHOTS}/${name}.png`, fullPage: true });
    expect(shot.byteLength).toBeGreaterThan(5_000);
  });

  // Last: it stops the server.
  it("tells the visitor when the API is down and keeps the draft", async () => {
    await page.goto(server.url);
    await entries().first().waitFor();
    server.child.kill("SIGTERM");
    expect(await server.exited).toBe(0);
    await sign("Ada", "Please keep me");
    const reason = page.getByText("Can't reach the guestbook server. Check your connection and try again.");
    await reason.waitFor();
    expect(await reason.getAttribute("role")).toBe("alert");
    // Focus is on the alert that says why, not lost to the page.
    expect(await page.evaluate(() => document.activeElement?.getAttribute("role"))).toBe("alert");
    expect(await nameField().inputValue()).toBe("Ada");
    expect(await messageField().inputValue()).toBe("Please keep me");
    expect(problems.filter((p) => !/Failed to load resource|net::ERR_CONNECTION_REFUSED/.test(p))).toEqual([]);
  });
});
