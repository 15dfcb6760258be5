import { createMemo, createResource, createSignal } from "solid-js";
import type { Entry } from "../shared/entry.js";
import { ApiError, type GuestbookApi, type Page, createApi } from "./api.js";

const messageOf = (error: unknown) => (error instanceof ApiError ? error.message : "Something went wrong. Try again.");

type Draft = { name: string; message: string };

// 128 random bits as hex. crypto.randomUUID would need a secure context; this does not.
const newIdempotencyKey = () =>
  Array.from(crypto.getRandomValues(new Uint8Array(16)), (byte) => byte.toString(16).padStart(2, "0")).join("");

/**
 * The page's data: the first page from the server, older pages loaded on demand, and the
 * entries this visitor signed, newest first and each shown once.
 */
export function createGuestbook(api: GuestbookApi = createApi()) {
  const [firstPage, { refetch }] = createResource<Page>(() => api.fetchEntries());
  const [olderPages, setOlderPages] = createSignal<Page[]>([]);
  const [signed, setSigned] = createSignal<Entry[]>([]);
  const [loadingMore, setLoadingMore] = createSignal(false);
  const [loadMoreError, setLoadMoreError] = createSignal<string | null>(null);

  // Reading an errored resource rethrows its error, so look at the error first.
  const firstLoaded = () => (firstPage.error ? undefined : firstPage.latest);

  const entries = createMemo(() => {
    const seen = new Set<string>();
    const all = [...signed(), ...(firstLoaded()?.entries ?? []), ...olderPages().flatMap((p) => p.entries)];
    return all.filter((entry) => !seen.has(entry.id) && seen.add(entry.id));
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
    sign,
  };
}

export type Guestbook = ReturnType<typeof createGuestbook>;
