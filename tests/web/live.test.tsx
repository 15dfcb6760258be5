/**
 * Live updates in jsdom against the real API app: polling the newest page with If-None-Match,
 * merging what others signed, the announcement, hidden tabs and backoff. The same in real
 * Chromium, two pages and a server process, is in tests/e2e/live.test.ts.
 */
import { render, screen, waitFor } from "@solidjs/testing-library";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { App } from "../../src/web/App.js";
import { createApi } from "../../src/web/api.js";
import { createGuestbook } from "../../src/web/guestbook.js";
import { postJson } from "../helpers/app.js";
import { entryNames, pageServer } from "./page.js";

const POLL_MS = 40;

let server: ReturnType<typeof pageServer>;
let requests: { method: string; ifNoneMatch: string | null; status: number; at: number }[];
let hidden = false;

beforeEach(() => {
  server = pageServer();
  requests = [];
  hidden = false;
  Object.defineProperty(document, "hidden", { configurable: true, get: () => hidden });
});
afterEach(async () => {
  await server.cleanup();
  Reflect.deleteProperty(document, "hidden");
});

/** The app's fetch, recording every request the page makes and what it got. */
function recordingFetch(inner: typeof fetch = server.fetch): typeof fetch {
  return (async (input: RequestInfo | URL, init?: RequestInit) => {
    const headers = new Headers(init?.headers);
    const res = await inner(input, init);
    requests.push({ method: init?.method ?? "GET", ifNoneMatch: headers.get("If-None-Match"), status: res.status, at: performance.now() });
    return res;
  }) as typeof fetch;
}

function renderLive(fetchImpl = recordingFetch(), pollMs = POLL_MS) {
  const guestbook = createGuestbook(createApi(fetchImpl, "http://guestbook.test"), pollMs);
  render(() => <App guestbook={guestbook} />);
  return userEvent.setup();
}

/** Someone else signs, straight at the API; the server's clock moves on a minute after. */
async function othersSign(name: string) {
  expect((await server.app.request("/api/entries", postJson({ name, message: `from ${name}` }))).status).toBe(201);
  server.clock.advance(60_000);
}

const liveRegion = () => document.querySelector("[aria-live=polite]")!;
const polls = () => requests.filter((r) => r.method === "GET");
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("live updates", () => {
  it("shows what others sign without a reload, newest first, each once, and announces how many", async () => {
    await server.seed(2);
    renderLive();
    await waitFor(() => expect(entryNames()).toEqual(["Visitor 1", "Visitor 0"]));
    expect(liveRegion().textContent).toBe("");

    await othersSign("Grace");
    await othersSign("Linus");
    await waitFor(() => expect(entryNames()).toEqual(["Linus", "Grace", "Visitor 1", "Visitor 0"]));
    expect(liveRegion().textContent).toBe("2 new entries");

    await othersSign("Ada");
    await waitFor(() => expect(entryNames()).toEqual(["Ada", "Linus", "Grace", "Visitor 1", "Visitor 0"]));
    expect(liveRegion().textContent).toBe("1 new entry");
    // Unchanged since: the page asks with its ETag and gets 304s, and nothing moves.
    const before = polls().length;
    await waitFor(() => expect(polls().length).toBeGreaterThan(before + 2));
    expect(polls().slice(before).every((r) => r.status === 304 && r.ifNoneMatch?.startsWith('"'))).toBe(true);
    expect(entryNames()).toEqual(["Ada", "Linus", "Grace", "Visitor 1", "Visitor 0"]);
  });

  it("keeps the visitor's own new entry and their draft, and puts newer arrivals above it", async () => {
    await server.seed(1);
    hidden = true; // no polling while the visitor signs
    const user = renderLive();
    await waitFor(() => expect(entryNames()).toEqual(["Visitor 0"]));
    await user.type(screen.getByLabelText("Name"), "Me");
    await user.type(screen.getByLabelText("Message"), "Mine");
    await user.click(screen.getByRole("button", { name: /Sign/ }));
    await waitFor(() => expect(entryNames()).toEqual(["Me", "Visitor 0"]));
    server.clock.advance(60_000);
    await user.type(screen.getByLabelText("Message"), "A draft in progress");

    await othersSign("Later");
    hidden = false;
    document.dispatchEvent(new Event("visibilitychange"));
    await waitFor(() => expect(entryNames()).toEqual(["Later", "Me", "Visitor 0"]));
    // Only the other visitor's entry is new to this page: its own was already there.
    expect(liveRegion().textContent).toBe("1 new entry");
    expect((screen.getByLabelText("Message") as HTMLTextAreaElement).value).toBe("A draft in progress");
    expect((screen.getByLabelText("Name") as HTMLInputElement).value).toBe("Me");
  });

  it("stops asking while the tab is hidden, and asks at once when it is shown again", async () => {
    const pace = 300;
    renderLive(recordingFetch(), pace);
    await waitFor(() => expect(polls().length).toBeGreaterThan(2), { timeout: pace * 5 });
    hidden = true;
    document.dispatchEvent(new Event("visibilitychange"));
    await sleep(100); // a poll already on its way may still land
    const whileHidden = polls().length;
    await sleep(pace * 4);
    expect(polls().length).toBe(whileHidden);
    hidden = false;
    document.dispatchEvent(new Event("visibilitychange"));
    // Well before the next turn of the pace would have come.
    await waitFor(() => expect(polls().length).toBe(whileHidden + 1), { timeout: pace / 2 });
  }, 10_000);

  it("backs off while the server fails, and comes back to its pace once it answers", async () => {
    let failing = false;
    const flaky = recordingFetch(((input: RequestInfo | URL, init?: RequestInit) =>
      failing ? Promise.resolve(new Response(null, { status: 503 })) : server.fetch(input, init)) as typeof fetch);
    renderLive(flaky);
    await waitFor(() => expect(polls().length).toBeGreaterThan(1));
    failing = true;
    const failedFrom = polls().length;
    await waitFor(() => expect(polls().length).toBeGreaterThanOrEqual(failedFrom + 4), { timeout: POLL_MS * 40 });
    const gaps = polls()
      .slice(failedFrom)
      .map((r, i, list) => (i === 0 ? 0 : r.at - list[i - 1]!.at))
      .slice(1);
    // Each wait doubles: 2, 4, 8 times the pace (timers may fire late, never early).
    expect(gaps[0]).toBeGreaterThanOrEqual(POLL_MS * 2 - 5);
    expect(gaps[1]).toBeGreaterThanOrEqual(POLL_MS * 4 - 5);
    expect(gaps[2]).toBeGreaterThanOrEqual(POLL_MS * 8 - 5);
    failing = false;
    await othersSign("Back");
    await waitFor(() => expect(entryNames()).toEqual(["Back"]), { timeout: POLL_MS * 40 });
  });

  it("starts again from the newest page when more arrived than one page holds, so no gap looks whole", async () => {
    await server.seed(25);
    hidden = true;
    const user = renderLive();
    await waitFor(() => expect(entryNames()).toHaveLength(20));
    await user.click(screen.getByRole("button", { name: "Load more" }));
    await waitFor(() => expect(entryNames()).toHaveLength(25));
    for (let i = 0; i < 21; i++) await othersSign(`Burst ${i}`);
    hidden = false;
    document.dispatchEvent(new Event("visibilitychange"));
    await waitFor(() => expect(entryNames()[0]).toBe("Burst 20"));
    expect(entryNames()).toEqual(Array.from({ length: 20 }, (_, i) => `Burst ${20 - i}`));
    expect(liveRegion().textContent).toBe("20 new entries");
    // Load more goes on from there: every entry once, none skipped.
    for (const shown of [40, 46]) {
      await user.click(screen.getByRole("button", { name: "Load more" }));
      await waitFor(() => expect(entryNames()).toHaveLength(shown));
    }
    expect(screen.queryByRole("button", { name: "Load more" })).toBeNull();
    expect(new Set(entryNames()).size).toBe(46);
  });
});
