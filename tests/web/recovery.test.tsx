/** How the page recovers from failures: the first page failing, a failed sign, a lost answer. */
import { screen, waitFor } from "@solidjs/testing-library";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { entryNames, formAlert, pageServer, renderPage } from "./page.js";

let server: ReturnType<typeof pageServer>;
beforeEach(() => {
  server = pageServer();
});
afterEach(() => server.cleanup());

const isList = (input: RequestInfo | URL, init?: RequestInit) =>
  (init?.method ?? (input instanceof Request ? input.method : "GET")) === "GET";

async function fillAndSign(user: ReturnType<typeof renderPage>, name: string, message: string) {
  await user.type(screen.getByLabelText("Name"), name);
  await user.type(screen.getByLabelText("Message"), message);
  await user.click(screen.getByRole("button", { name: /Sign/ }));
}

describe("when the first page fails to load", () => {
  it("keeps the load error and its retry on screen after a successful sign, and the retry brings the book back", async () => {
    await server.seed(25);
    let listingWorks = false;
    const flaky = ((input: RequestInfo | URL, init?: RequestInit) =>
      isList(input, init) && !listingWorks
        ? Promise.resolve(new Response(null, { status: 502 }))
        : server.fetch(input, init)) as typeof fetch;
    const user = renderPage(flaky);
    await screen.findByText("The guestbook server is having trouble. Try again shortly.");

    await fillAndSign(user, "Ada", "Signed while the list was down");
    await waitFor(() => expect(entryNames()).toEqual(["Ada"]));
    const loadAlert = screen.getByText("The guestbook server is having trouble. Try again shortly.").closest("[role=alert]");
    expect(loadAlert).not.toBeNull();
    const retry = screen.getByRole("button", { name: "Try again" });

    listingWorks = true;
    await user.click(retry);
    // The first page now holds Ada (the newest) and the 19 visitors after her, each once.
    await waitFor(() => expect(entryNames()).toHaveLength(20));
    expect(entryNames().slice(0, 3)).toEqual(["Ada", "Visitor 24", "Visitor 23"]);
    expect(screen.queryByRole("button", { name: "Try again" })).toBeNull();
    expect(screen.getByRole("button", { name: "Load more" })).toBeTruthy();
  });
});

describe("focus after a failed sign", () => {
  it("moves to the form's alert when the server refuses (429)", async () => {
    await server.cleanup();
    server = pageServer({ limits: { rateLimitPerMinute: 1 } });
    const user = renderPage(server.fetch);
    await screen.findByText(/No entries yet/);
    await fillAndSign(user, "Ada", "First");
    await waitFor(() => expect(entryNames()).toEqual(["Ada"]));
    await user.type(screen.getByLabelText("Message"), "Second, too soon");
    await user.click(screen.getByRole("button", { name: /Sign/ }));
    await waitFor(() => expect(formAlert().textContent).toMatch(/Too many entries/));
    expect(document.activeElement).toBe(formAlert());
  });

  it("moves to the field at fault when the form refuses before sending", async () => {
    const user = renderPage(server.fetch);
    await screen.findByText(/No entries yet/);
    await user.type(screen.getByLabelText("Name"), "Ada");
    await user.click(screen.getByRole("button", { name: /Sign/ }));
    expect(formAlert().textContent).toBe("Message is required.");
    expect(document.activeElement).toBe(screen.getByLabelText("Message"));
  });
});

describe("a sign whose answer is lost", () => {
  it("stores the entry once when the visitor signs again", async () => {
    let loseNextAnswer = true;
    const lossy = (async (input: RequestInfo | URL, init?: RequestInit) => {
      const res = await server.fetch(input, init);
      if (!isList(input, init) && loseNextAnswer) {
        loseNextAnswer = false;
        throw new TypeError("network error: the connection dropped after the request was sent");
      }
      return res;
    }) as typeof fetch;
    const user = renderPage(lossy);
    await screen.findByText(/No entries yet/);
    await fillAndSign(user, "Ada", "Only once");
    await waitFor(() => expect(formAlert().textContent).toMatch(/Can't reach/));
    await user.click(screen.getByRole("button", { name: /Sign/ }));
    await screen.findByText("Thank you for signing!");
    expect(entryNames()).toEqual(["Ada"]);
    expect((await server.stored()).map((e) => e.name)).toEqual(["Ada"]);
  });

  it("stores a second entry when the visitor changed the draft before signing again", async () => {
    let loseNextAnswer = true;
    const lossy = (async (input: RequestInfo | URL, init?: RequestInit) => {
      const res = await server.fetch(input, init);
      if (!isList(input, init) && loseNextAnswer) {
        loseNextAnswer = false;
        throw new TypeError("network error");
      }
      return res;
    }) as typeof fetch;
    const user = renderPage(lossy);
    await screen.findByText(/No entries yet/);
    await fillAndSign(user, "Ada", "First draft");
    await waitFor(() => expect(formAlert().textContent).toMatch(/Can't reach/));
    await user.type(screen.getByLabelText("Message"), ", edited");
    await user.click(screen.getByRole("button", { name: /Sign/ }));
    await screen.findByText("Thank you for signing!");
    expect((await server.stored()).map((e) => e.name)).toEqual(["Ada", "Ada"]);
  });
});
