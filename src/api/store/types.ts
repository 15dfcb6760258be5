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

/** What an insert did: stored `entry`, or found the same submission stored earlier. */
export interface InsertResult {
  /** The entry as stored; for a replay, the first submission's (with its createdAt). */
  entry: Entry;
  /** True when an entry with this id and the same name and message was already stored. */
  replayed: boolean;
}

/**
 * Where entries live. Order is newest first by `createdAt`, ties broken by `id` descending,
 * so a cursor names one exact position even when many entries share a timestamp.
 */
export interface EntryStore {
  readonly kind: string;
  /**
   * Stores `entry` once. The id doubles as the idempotency key: inserting an id that is
   * already stored with the same name and message stores nothing and returns the stored
   * entry; with a different name or message it rejects with IdempotencyConflictError.
   * `deadline` is the request's: once it is aborted (the client has had its 503) the store
   * sends no write, however long it has been waiting for the database.
   */
  insert(entry: Entry, deadline?: AbortSignal): Promise<InsertResult>;
  /** At most `limit` entries after `before`, newest first. */
  list(options: ListOptions): Promise<Entry[]>;
  /**
   * Where the store can learn of writes made by other processes (MongoDB change streams), calls
   * `listener` after each one, and also whenever it may have missed some; until `close`.
   */
  onChange?(listener: () => void): void;
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

/**
 * A transient condition (unreachable, busy, I/O failure): the API answers 503 with
 * Retry-After. Stores throw it for nothing else; any other error is a bug and answers 500.
 */
export class StoreUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "StoreUnavailableError";
  }
}

/** The id (the client's idempotency key) is already stored with a different name or message. */
export class IdempotencyConflictError extends Error {
  constructor(readonly id: string) {
    super(`Entry ${id} is already stored with a different name or message`);
    this.name = "IdempotencyConflictError";
  }
}

/** Whether `stored` is what a retry of `submitted` would have stored: same id, name and message. */
export const sameSubmission = (stored: Entry, submitted: Entry): boolean =>
  stored.id === submitted.id && stored.name === submitted.name && stored.message === submitted.message;

/** The result of inserting an id that is already stored: a replay, or a conflict. */
export function replayOf(stored: Entry, submitted: Entry): InsertResult {
  if (!sameSubmission(stored, submitted)) throw new IdempotencyConflictError(submitted.id);
  return { entry: stored, replayed: true };
}
