import { createMemo, createResource, createSignal } from "solid-js";
import type { Entry } from "../shared/entry.js";
import { ApiError, type GuestbookApi, type Page, createApi } from "./api.js";

const messageOf = (error: unknown) => (error instanceof ApiError ? error.message : "Something went wrong. Try again.");

type Draft = { name: string; message: string };

/** How often a visible page asks whether the newest entries changed, and the longest wait after failures. */
export const POLL_MS = 4000;
const MAX_BACKOFF_MS = 60_000;

// 128 random bits as hex. crypto.randomUUID would need a secure context; this does not.
const newIdempotencyKey = () =>
  Array.from(crypto.getRandomValues(new Uint8Array(16)), (byte) => byte.toString(16).padStart(2, "0")).join("");

// The API's order: newest first, ties broken by id. createdAt is fixed-width ISO-8601, so the
// concatenation compares like the pair.
const newestFirst = (a: Entry, b: Entry) => (a.createdAt + a.id < b.createdAt + b.id ? 1 : -1);

/**
 * The page's data: the first page from the server, entries others signed since (by polling),
 * older pages loaded on demand, and the entries this visitor signed; newest first, each once.
 */
export function createGuestbook(api: GuestbookApi = createApi(), pollMs = POLL_MS) {
  let etag: string | null = null;
  const [firstPage, { refetch, mutate }] = createResource<Page>(async () => {
    const newest = (await api.fetchNewest())!;
    etag = newest.etag;
    return newest.page;
  });
  const [olderPages, setOlderPages] = createSignal<Page[]>([]);
  const [arrived, setArrived] = createSignal<Entry[]>([]);
  const [signed, setSigned] = createSignal<Entry[]>([]);
  const [announcement, setAnnouncement] = createSignal("");
  const [loadingMore, setLoadingMore] = createSignal(false);
  const [loadMoreError, setLoadMoreError] = createSignal<string | null>(null);

  // Reading an errored resource rethrows its error, so look at the error first.
  const firstLoaded = () => (firstPage.error ? undefined : firstPage.latest);

  const entries = createMemo(() => {
    const seen = new Set<string>();
    const all = [...signed(), ...arrived(), ...(firstLoaded()?.entries ?? []), ...olderPages().flatMap((p) => p.entries)];
    return all.filter((entry) => !seen.has(entry.id) && seen.add(entry.id)).sort(newestFirst);
  });

  const nextCursor = () => (olderPages().at(-1) ?? firstLoaded())?.nextCursor ?? null;

  async function loadMore(): Promise<void> {
    const cursor = nextCursor();
    if (!cursor || loadingMore()) return;
    setLoadingMore(true);
    setLoadMoreError(null);
    try {
      const page = await api.fetchEntries(cursor);
      setOlderPages((pages) => [...pages, page]);
    } catch (error) {
      setLoadMoreError(messageOf(error));
    } finally {
      setLoadingMore(false);
    }
  }

  /** Adds what a newer first page holds that is not shown yet, and says how many arrived. */
  function take(page: Page): void {
    const shown = new Set(entries().map((entry) => entry.id));
    const fresh = page.entries.filter((entry) => !shown.has(entry.id));
    if (!fresh.length) return;
    if (fresh.length === page.entries.length && page.nextCursor) {
      // More arrived than one page holds: start again from this page, or a gap would look whole.
      setOlderPages([]);
      setArrived([]);
      mutate(page);
    } else {
      setArrived((list) => [...fresh, ...list]);
    }
    setAnnouncement(`${fresh.length} new ${fresh.length === 1 ? "entry" : "entries"}`);
  }

  /**
   * Polls the newest page while the tab is visible, with If-None-Match so an unchanged book
   * costs a 304; stops while hidden, and backs off on failures. Returns a function that stops.
   */
  function follow(): () => void {
    let timer: ReturnType<typeof setTimeout> | undefined;
    let wait = pollMs;
    let polling = false;
    let stopped = false;
    const schedule = () => {
      clearTimeout(timer);
      timer = stopped || document.hidden ? undefined : setTimeout(poll, wait);
    };
    async function poll() {
      // A first page still loading, or failed with its Try again on screen, is not followed.
      if (polling || !firstLoaded()) return schedule();
      polling = true;
      try {
        const newest = await api.fetchNewest(etag);
        if (newest) {
          etag = newest.etag;
          take(newest.page);
        }
        wait = pollMs;
      } catch {
        wait = Math.min(wait * 2, MAX_BACKOFF_MS);
      }
      polling = false;
      schedule();
    }
    const onVisibility = () => (document.hidden ? schedule() : void poll());
    document.addEventListener("visibilitychange", onVisibility);
    schedule();
    return () => {
      stopped = true;
      clearTimeout(timer);
      document.removeEventListener("visibilitychange", onVisibility);
    };
  }

  // The draft last sent and its key. Signing the same draft again (after a failure whose
  // answer may have been lost) reuses the key, so the API stores the entry at most once.
  let sent: Draft & { key: string } = { name: "", message: "", key: "" };

  /** Signs the book; resolves to an error message to show, or null on success. */
  async function sign(input: Draft): Promise<string | null> {
    if (!sent.key || sent.name !== input.name || sent.message !== input.message) {
      sent = { ...input, key: newIdempotencyKey() };
    }
    try {
      const entry = await api.signGuestbook(input, sent.key);
      sent.key = "";
      setSigned((list) => [entry, ...list]);
      return null;
    } catch (error) {
      return messageOf(error);
    }
  }

  return {
    entries,
    loading: () => firstPage.loading && !firstLoaded(),
    loadError: () => (firstPage.error ? messageOf(firstPage.error) : null),
    retry: refetch,
    hasMore: () => nextCursor() !== null,
    loadingMore,
    loadMoreError,
    loadMore,
    announcement,
    follow,
    sign,
  };
}

export type Guestbook = ReturnType<typeof createGuestbook>;
