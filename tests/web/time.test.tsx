/** Relative times: one clock for the page that ticks, and never a time in the future. */
import { screen, waitFor } from "@solidjs/testing-library";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { relativeTime } from "../../src/web/time.js";
import { fakeClock, postJson } from "../helpers/app.js";
import { pageServer, renderPage } from "./page.js";

let server: ReturnType<typeof pageServer>;
beforeEach(() => {
  server = pageServer();
});
afterEach(() => server.cleanup());

const times = () => [...document.querySelectorAll(".entry time")].map((t) => t.textContent);

describe("relative times on the page", () => {
  it("change as time passes, without a reload", async () => {
    await server.seed(2); // three hours and ten (and nine) minutes ago
    let visitorNow = Date.now();
    renderPage(server.fetch, () => visitorNow);
    await waitFor(() => expect(times()).toEqual(["3 hours ago", "3 hours ago"]));
    visitorNow += 60 * 60_000; // an hour later, the page still open
    await waitFor(() => expect(times()).toEqual(["4 hours ago", "4 hours ago"]));
  });

  it("say 'just now', never 'in 5 minutes', when the visitor's clock is behind the server's", async () => {
    await server.cleanup();
    const ahead = fakeClock(Date.now() + 5 * 60_000);
    server = pageServer({ now: ahead.now });
    expect((await server.app.request("/api/entries", postJson({ name: "Early", message: "bird" }))).status).toBe(201);
    renderPage(server.fetch);
    await screen.findByRole("heading", { name: "Early" });
    expect(times()).toEqual(["just now"]);
  });
});

describe("relativeTime", () => {
  const now = new Date("2026-01-01T12:00:00Z");
  it.each([
    ["2026-01-01T12:00:00Z", "just now"],
    ["2026-01-01T11:59:30Z", "just now"],
    ["2026-01-01T11:58:00Z", "2 minutes ago"],
    ["2026-01-01T09:00:00Z", "3 hours ago"],
    ["2025-12-31T12:00:00Z", "yesterday"],
    ["2026-01-01T12:00:30Z", "just now"],
    ["2026-01-01T14:00:00Z", "just now"],
    ["2027-01-01T12:00:00Z", "just now"],
  ])("%s is %s", (iso, expected) => {
    expect(relativeTime(iso, now)).toBe(expected);
  });
});
