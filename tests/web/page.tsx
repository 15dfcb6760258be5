/** The whole page in jsdom against the real API app (real SQLite store), through hc<AppType>. */
import { render, screen, within } from "@solidjs/testing-library";
import userEvent from "@testing-library/user-event";
import { expect } from "vitest";
import { App } from "../../src/web/App.js";
import { createApi } from "../../src/web/api.js";
import { createGuestbook } from "../../src/web/guestbook.js";
import { fakeClock, postJson, testApp } from "../helpers/app.js";

/** The API server for one test, whose clock starts three hours and ten minutes ago. */
export function pageServer(options: Parameters<typeof testApp>[0] = {}) {
  const clock = fakeClock(Date.now() - 190 * 60_000);
  const server = testApp({ now: clock.now, ...options });
  /** fetch as the page sees it, answered by the app itself. */
  const fetch = ((input: RequestInfo | URL, init?: RequestInit) =>
    server.app.request(input instanceof Request ? input : String(input), init)) as typeof globalThis.fetch;
  async function seed(count: number) {
    for (let i = 0; i < count; i++) {
      const res = await server.app.request("/api/entries", postJson({ name: `Visitor ${i}`, message: `Note ${i}` }));
      expect(res.status).toBe(201);
      clock.advance(60_000);
    }
  }
  const stored = async () =>
    ((await (await server.app.request("/api/entries?limit=100")).json()) as { entries: { name: string }[] }).entries;
  return { ...server, clock, fetch, seed, stored };
}

/** Renders the page; `now` replaces the visitor's clock, which then ticks every 20 ms. */
export function renderPage(fetchImpl: typeof fetch, now?: () => number) {
  const guestbook = createGuestbook(createApi(fetchImpl, "http://guestbook.test"));
  render(() => (now ? <App guestbook={guestbook} now={now} tickMs={20} /> : <App guestbook={guestbook} />));
  return userEvent.setup();
}

export const entryNames = () =>
  within(screen.getByRole("list")).queryAllByRole("heading", { level: 3 }).map((h) => h.textContent);

export const formAlert = () => within(screen.getByRole("form", { name: "Sign the guestbook" })).getByRole("alert");
