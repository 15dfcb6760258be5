/** The whole page in jsdom against the real API app (real SQLite store), through hc<AppType>. */
import { screen, waitFor } from "@solidjs/testing-library";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { postJson } from "../helpers/app.js";
import { entryNames, formAlert, pageServer, renderPage as render } from "./page.js";

let server: ReturnType<typeof pageServer>;

beforeEach(() => {
  server = pageServer();
});
afterEach(() => server.cleanup());

const seed = (count: number) => server.seed(count);
const renderPage = (fetchImpl: typeof fetch = server.fetch) => render(fetchImpl);

describe("the guestbook page", () => {
  it("shows an empty state when nobody has signed yet", async () => {
    renderPage();
    expect(await screen.findByText("No entries yet. Be the first to sign the guestbook.")).toBeTruthy();
    expect(screen.queryByRole("button", { name: "Load more" })).toBeNull();
  });

  it("shows entries newest first, with a relative time and the exact time on hover", async () => {
    await seed(3);
    renderPage();
    await waitFor(() => expect(entryNames()).toEqual(["Visitor 2", "Visitor 1", "Visitor 0"]));
    const time = screen.getAllByRole("listitem")[0]!.querySelector("time")!;
    expect(time.textContent).toBe("3 hours ago");
    expect(time.getAttribute("title")).toMatch(/\d{4}/);
    expect(Date.parse(time.dateTime)).not.toBeNaN();
  });

  it("pages with Load more until every entry is shown, each once", async () => {
    await seed(45);
    const user = renderPage();
    await waitFor(() => expect(entryNames()).toHaveLength(20));
    await user.click(screen.getByRole("button", { name: "Load more" }));
    await waitFor(() => expect(entryNames()).toHaveLength(40));
    await user.click(screen.getByRole("button", { name: "Load more" }));
    await waitFor(() => expect(entryNames()).toHaveLength(45));
    expect(new Set(entryNames()).size).toBe(45);
    expect(screen.queryByRole("button", { name: "Load more" })).toBeNull();
  });

  it("puts a new entry at the top without a reload", async () => {
    await seed(2);
    const user = renderPage();
    await waitFor(() => expect(entryNames()).toHaveLength(2));
    await user.type(screen.getByLabelText("Name"), "Newcomer");
    await user.type(screen.getByLabelText("Message"), "Hello!");
    await user.click(screen.getByRole("button", { name: /Sign/ }));
    await waitFor(() => expect(entryNames()).toEqual(["Newcomer", "Visitor 1", "Visitor 0"]));
    expect(await server.stored()).toHaveLength(3);
  });

  it("shows messages as text: line breaks kept, markup not interpreted", async () => {
    const message = "first line\nsecond <img src=x onerror=alert(1)> line";
    await server.app.request("/api/entries", postJson({ name: "<b>Bold?</b>", message }));
    renderPage();
    const heading = await screen.findByRole("heading", { name: "<b>Bold?</b>" });
    const article = heading.closest("article")!;
    expect(article.querySelector("img, b")).toBeNull();
    expect(article.querySelector(".entry-message")!.textContent).toBe(message);
  });

  it("refuses a control character before sending: reason inline and in the alert, nothing stored", async () => {
    const user = renderPage();
    await screen.findByText(/No entries yet/);
    await user.type(screen.getByLabelText("Name"), "Ada");
    await user.click(screen.getByLabelText("Message"));
    await user.paste("bell \u0007 here");
    await user.click(screen.getByRole("button", { name: /Sign/ }));
    const reasons = await screen.findAllByText(/must not contain control characters/);
    expect(reasons.map((r) => r.getAttribute("role"))).toContain("alert");
    expect((screen.getByLabelText("Message") as HTMLTextAreaElement).value).toBe("bell \u0007 here");
    expect(await server.stored()).toEqual([]);
  });

  it("shows the server's own refusal (store down: 503) in the alert and keeps the draft", async () => {
    const user = renderPage();
    await screen.findByText(/No entries yet/);
    await server.store.close();
    await user.type(screen.getByLabelText("Name"), "Ada");
    await user.type(screen.getByLabelText("Message"), "Kept");
    await user.click(screen.getByRole("button", { name: /Sign/ }));
    const reason = await screen.findByText("The guestbook store is unavailable; try again shortly.");
    expect(reason.getAttribute("role")).toBe("alert");
    expect((screen.getByLabelText("Message") as HTMLTextAreaElement).value).toBe("Kept");
  });

  it("shows the rate limit's reason in the alert and keeps the draft", async () => {
    await server.cleanup();
    server = pageServer({ limits: { rateLimitPerMinute: 1 } });
    const user = renderPage();
    await screen.findByText(/No entries yet/);
    await user.type(screen.getByLabelText("Name"), "Ada");
    await user.type(screen.getByLabelText("Message"), "First");
    await user.click(screen.getByRole("button", { name: /Sign/ }));
    await waitFor(() => expect(entryNames()).toEqual(["Ada"]));
    await user.type(screen.getByLabelText("Message"), "Second, too soon");
    await user.click(screen.getByRole("button", { name: /Sign/ }));
    const reason = await screen.findByText(/Too many entries: at most 1 a minute/);
    expect(reason.getAttribute("role")).toBe("alert");
    expect((screen.getByLabelText("Message") as HTMLTextAreaElement).value).toBe("Second, too soon");
  });

  it("says so in an alert when the server cannot be reached, and keeps the draft", async () => {
    const unreachable = (() => Promise.reject(new TypeError("fetch failed"))) as typeof fetch;
    const user = renderPage(unreachable);
    const loadError = await screen.findByText(/Can't reach the guestbook server/);
    expect(loadError.closest("[role=alert]")).not.toBeNull();
    expect(formAlert().textContent).toBe("");
    await user.type(screen.getByLabelText("Name"), "Ada");
    await user.type(screen.getByLabelText("Message"), "Draft");
    await user.click(screen.getByRole("button", { name: /Sign/ }));
    // The sign form's own alert, not the page-load alert that was already there.
    await waitFor(() => expect(formAlert().textContent).toMatch(/^Can't reach the guestbook server/));
    expect((screen.getByLabelText("Message") as HTMLTextAreaElement).value).toBe("Draft");
  });
});
