import { isDeepStrictEqual } from "node:util";
import type { Collection, Document } from "mongodb";
import { isTransient } from "./mongo-errors.js";
import { until } from "./mongo-options.js";

/** The newest-first listing's sort, and the index that serves it. */
export const NEWEST_FIRST = { createdAt: -1, _id: -1 } as const;
export const NEWEST_FIRST_INDEX = "newest_first";

// Any index on exactly these keys, in this order, over every document, serves the query,
// whatever its name: one created by hand, or by an older release under another name.
const servesNewestFirst = (index: Document): boolean =>
  isDeepStrictEqual(Object.entries(index.key ?? {}), Object.entries(NEWEST_FIRST)) &&
  index.partialFilterExpression === undefined &&
  (index.collation === undefined || index.collation.locale === "simple");

/**
 * Creates the newest-first index, or accepts an equivalent one that is already there. A same-key
 * index under another name (IndexOptionsConflict, code 85), or a user without the createIndex
 * action (Unauthorized, code 13) whose index was created by someone else, is fine. Anything
 * else is thrown for the caller to report.
 */
export async function ensureNewestFirstIndex<T extends Document>(collection: Collection<T>, signal: AbortSignal): Promise<void> {
  try {
    await collection.createIndex(NEWEST_FIRST, until(signal, { name: NEWEST_FIRST_INDEX }));
  } catch (error) {
    if (isTransient(error)) throw error;
    // Reading the indexes needs only listIndexes, which a user without createIndex may have.
    const existing = await collection.listIndexes(until(signal)).toArray().catch(() => []);
    if (existing.some(servesNewestFirst)) return;
    throw error;
  }
}
