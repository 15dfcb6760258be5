import { mkdirSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import type { Entry } from "../../shared/entry.js";
import { type EntryStore, type ListOptions, StoreUnavailableError, replayOf } from "./types.js";

interface EntryRow {
  id: string;
  name: string;
  message: string;
  created_at_ms: number;
}

export interface SqliteStoreOptions {
  /** How long a write waits for a lock another process holds; it blocks the event loop meanwhile. */
  busyTimeoutMs?: number;
}

/**
 * SQLite's page cache, per connection. better-sqlite3 builds SQLite with 16 MB, which a growing
 * book fills with pages no request reads again: the newest page lives in the API's memory, and
 * a read touches the index's first pages and about 20 rows.
 */
const CACHE_KIB = 2048;

/** Longest lock wait at the default request timeout (10 s). */
const MAX_BUSY_TIMEOUT_MS = 2000;

/** A lock wait that ends well inside the request timeout: at most half of it. */
export const sqliteBusyTimeoutMs = (requestTimeoutMs: number): number =>
  Math.min(MAX_BUSY_TIMEOUT_MS, Math.floor(requestTimeoutMs / 2));

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS entries (
    id            TEXT PRIMARY KEY,
    name          TEXT NOT NULL,
    message       TEXT NOT NULL,
    created_at_ms INTEGER NOT NULL
  ) STRICT;
  CREATE INDEX IF NOT EXISTS entries_newest_first ON entries (created_at_ms DESC, id DESC);
`;

const toEntry = (row: EntryRow): Entry => ({
  id: row.id,
  name: row.name,
  message: row.message,
  createdAt: new Date(row.created_at_ms).toISOString(),
});

// Conditions that pass by themselves: a lock held elsewhere, a failing or full device
// driver, a file that cannot be opened right now. Constraint violations, misuse and
// schema errors are bugs: retrying cannot help.
const TRANSIENT_CODE = /^SQLITE_(BUSY|IOERR|CANTOPEN)(_|$)/;

/** The code of a better-sqlite3 error a client should retry (503), or null for a bug (500). */
export const transientSqliteCode = (error: unknown): string | null =>
  error instanceof Database.SqliteError && TRANSIENT_CODE.test(error.code) ? error.code : null;

/** Sets a pragma and reads it back: SQLite ignores values it cannot apply without a word. */
function requirePragma(db: Database.Database, name: string, value: string, expected: unknown): void {
  db.pragma(`${name} = ${value}`);
  const actual = db.pragma(name, { simple: true });
  if (actual !== expected) throw new Error(`SQLite refused ${name} = ${value} (it is ${String(actual)})`);
}

/**
 * The zero-set-up store: SQLite in `dataDir`. WAL with `synchronous=FULL` makes SQLite
 * fsync the log on every commit, before the API answers 201.
 */
export function openSqliteStore(dataDir: string, options: SqliteStoreOptions = {}): EntryStore {
  mkdirSync(dataDir, { recursive: true });
  const db = new Database(join(dataDir, "guestbook.sqlite"));
  requirePragma(db, "journal_mode", "WAL", "wal");
  requirePragma(db, "synchronous", "FULL", 2);
  db.pragma(`busy_timeout = ${options.busyTimeoutMs ?? MAX_BUSY_TIMEOUT_MS}`);
  db.pragma(`cache_size = -${CACHE_KIB}`);
  db.exec(SCHEMA);

  const insertNew = db.prepare<[string, string, string, number]>(
    "INSERT INTO entries (id, name, message, created_at_ms) VALUES (?, ?, ?, ?) ON CONFLICT (id) DO NOTHING",
  );
  const byId = db.prepare<[string], EntryRow>("SELECT * FROM entries WHERE id = ?");
  const firstPage = db.prepare<[number], EntryRow>(
    "SELECT * FROM entries ORDER BY created_at_ms DESC, id DESC LIMIT ?",
  );
  const pageBefore = db.prepare<[number, number, string, number], EntryRow>(
    `SELECT * FROM entries
      WHERE created_at_ms < ? OR (created_at_ms = ? AND id < ?)
      ORDER BY created_at_ms DESC, id DESC LIMIT ?`,
  );
  const ping = db.prepare("SELECT 1");

  const guard = <T>(action: string, run: () => T): Promise<T> => {
    if (!db.open) return Promise.reject(new StoreUnavailableError(`SQLite ${action} failed: the store is closed`));
    try {
      return Promise.resolve(run());
    } catch (error) {
      const code = transientSqliteCode(error);
      if (!code) return Promise.reject(error);
      return Promise.reject(new StoreUnavailableError(`SQLite ${action} failed: ${code}`, { cause: error }));
    }
  };

  return {
    kind: "sqlite",
    insert: (entry) =>
      guard("insert", () => {
        // One synchronous statement: nothing else runs between the insert and the lookup.
        const { changes } = insertNew.run(entry.id, entry.name, entry.message, Date.parse(entry.createdAt));
        if (changes === 1) return { entry, replayed: false };
        return replayOf(toEntry(byId.get(entry.id)!), entry);
      }),
    list: ({ limit, before }: ListOptions) =>
      guard("list", () => {
        const rows = before
          ? pageBefore.all(before.createdAtMs, before.createdAtMs, before.id, limit)
          : firstPage.all(limit);
        return rows.map(toEntry);
      }),
    ping: () =>
      guard("ping", () => {
        ping.get();
      }),
    close: async () => {
      if (db.open) db.close();
    },
  };
}
