import { createHash } from "node:crypto";
import type { Entry } from "../shared/entry.js";
import { encodeCursor } from "./cursor.js";
import { type FixedHeaders, fixedHeaders } from "./response-headers.js";
import type { EntryStore } from "./store/index.js";

/** One page as the API sends it. */
export interface Page {
  entries: Entry[];
  nextCursor: string | null;
}

/** A page from `limit + 1` rows: the extra row only tells whether another page exists. */
export function pageOf(rows: Entry[], limit: number): Page {
  const entries = rows.slice(0, limit);
  const last = entries.at(-1);
  return { entries, nextCursor: rows.length > limit && last ? encodeCursor(last) : null };
}

/** The newest page ready to send: its JSON bytes, their strong validator, and both header sets. */
export interface PreparedPage {
  body: Uint8Array<ArrayBuffer>;
  /** A strong ETag from the bytes: every process holding the same page sends the same one. */
  etag: string;
  /** Everything but the request id, for a 200 (its length included) and for a 304. */
  headers: { ok: FixedHeaders; notModified: FixedHeaders };
}

export function preparePage(page: Page): PreparedPage {
  const body = Buffer.from(JSON.stringify(page));
  const etag = `"${createHash("sha256").update(body).digest("base64url").slice(0, 32)}"`;
  // no-cache: browsers and proxies may keep the page, but ask us (If-None-Match) before using it.
  const validators = { etag, "cache-control": "no-cache" };
  return {
    body,
    etag,
    headers: {
      // The length in the set itself: node:http would add it on one path and not on the other.
      ok: fixedHeaders({ "content-type": "application/json", "content-length": String(body.byteLength), ...validators }),
      notModified: fixedHeaders(validators),
    },
  };
}

export interface NewestPageOptions {
  store: EntryStore;
  /** Entries on the page: the UI's page size. */
  limit: number;
  /** How long a page read from the store may be served; 0 reads the store for every request. */
  ttlMs: number;
  /** Milliseconds from any fixed point, never going back; tests replace it. */
  clock?: () => number;
}

/**
 * The newest page (no `before`) kept in memory as ready-to-send bytes. A page is served for at
 * most `ttlMs` after the store read that produced it began, so a write made elsewhere (another
 * replica) shows within the TTL, and a store that has gone down answers errors again within it.
 * `invalidate` drops the page at once: the app calls it after each write of its own, and the
 * store after each write it hears of, so in one process the page is exact.
 */
export function newestPageCache({ store, limit, ttlMs, clock = () => performance.now() }: NewestPageOptions) {
  let kept: { page: PreparedPage; readAt: number } | undefined;
  // A read under way, shared by the requests that arrive meanwhile.
  let reading: { page: Promise<PreparedPage>; startedAt: number } | undefined;
  // Bumped by every invalidation: a read begun before it must not be kept.
  let generation = 0;

  const withinTtl = (since: number) => clock() - since < ttlMs;

  const load = async () => preparePage(pageOf(await store.list({ limit: limit + 1 }), limit));

  /** The kept page while it is within the TTL; never touches the store. */
  function peek(): PreparedPage | undefined {
    return kept && withinTtl(kept.readAt) ? kept.page : undefined;
  }

  /** The newest page: from memory within the TTL, else one store read for every caller waiting. */
  function read(): Promise<PreparedPage> {
    const page = peek();
    if (page) return Promise.resolve(page);
    if (ttlMs === 0) return load();
    if (reading && withinTtl(reading.startedAt)) return reading.page;
    const startedAt = clock();
    const readGeneration = generation;
    const loaded = load().then((loadedPage) => {
      if (readGeneration === generation) kept = { page: loadedPage, readAt: startedAt };
      return loadedPage;
    });
    const current = { page: loaded, startedAt };
    reading = current;
    const done = () => {
      if (reading === current) reading = undefined;
    };
    loaded.then(done, done);
    return loaded;
  }

  function invalidate(): void {
    generation++;
    kept = undefined;
    reading = undefined;
  }

  return { peek, read, invalidate };
}

export type NewestPageCache = ReturnType<typeof newestPageCache>;

/** RFC 9110 13.1.2: does If-None-Match name `etag`? Weak comparison; `*` matches any page. */
export function noneMatchHits(ifNoneMatch: string | undefined, etag: string): boolean {
  if (ifNoneMatch === undefined) return false;
  if (ifNoneMatch === etag) return true;
  for (const tag of ifNoneMatch.split(",")) {
    const trimmed = tag.trim();
    if (trimmed === "*" || (trimmed.startsWith("W/") ? trimmed.slice(2) : trimmed) === etag) return true;
  }
  return false;
}
