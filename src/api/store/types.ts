import type { Entry } from "../../shared/entry.js";

/** Position in the newest-first order: entries strictly after it are on the next page. */
export interface PageCursor {
  createdAtMs: number;
  id: string;
}

export interface ListOptions {
  limit: number;
  before?: PageCursor;
}

/**
 * Where entries live. Order is newest first by `createdAt`, ties broken by `id` descending,
 * so a cursor names one exact position even when many entries share a timestamp.
 */
export interface EntryStore {
  readonly kind: string;
  insert(entry: Entry): Promise<void>;
  /** At most `limit` entries after `before`, newest first. */
  list(options: ListOptions): Promise<Entry[]>;
  /** Resolves when the store can serve requests; rejects with StoreUnavailableError otherwise. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** What a store logs through: pino's logger fits; the store never imports a logging library. */
export interface StoreLogger {
  info(details: object, message: string): void;
  warn(details: object, message: string): void;
  error(details: object, message: string): void;
}

/** The store cannot be reached or refused to work: the API answers 503 and stores nothing. */
export class StoreUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "StoreUnavailableError";
  }
}
