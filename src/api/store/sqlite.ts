import { mkdirSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import type { Entry } from "../../shared/entry.js";
import { type EntryStore, type InsertResult, type ListOptions, StoreUnavailableError, replayOf } from "./types.js";

interface EntryRow {
  id: string;
  name: string;
  message: string;
  created_at_ms: number;
}

export interface SqliteStoreOptions {
  /** How long a write waits for a lock another process holds; it blocks the event loop meanwhile. */
  busyTimeoutMs?: number;
  /**
   * Commit the inserts that arrive in one turn of the event loop together, in one transaction
   * with one fsync (default). `false` commits each insert on its own, as a store without group
   * commit would: the benchmark's baselines use it to show what the batching is worth.
   */
  groupCommit?: boolean;
}

/** Most inserts one transaction takes; more wait for the next one, a moment later. */
const MAX_GROUP = 256;

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

  const closed = (action: string) => new StoreUnavailableError(`SQLite ${action} failed: the store is closed`);

  /** What a failed SQLite call rejects with: StoreUnavailableError when it passes by itself (503). */
  const failure = (action: string, error: unknown): unknown => {
    const code = transientSqliteCode(error);
    return code ? new StoreUnavailableError(`SQLite ${action} failed: ${code}`, { cause: error }) : error;
  };

  const guard = <T>(action: string, run: () => T): Promise<T> => {
    if (!db.open) return Promise.reject(closed(action));
    try {
      return Promise.resolve(run());
    } catch (error) {
      return Promise.reject(failure(action, error));
    }
  };

  /** One insert, in whatever transaction is open: stored, or the stored entry it repeats. */
  const insertOne = (entry: Entry): InsertResult => {
    const { changes } = insertNew.run(entry.id, entry.name, entry.message, Date.parse(entry.createdAt));
    if (changes === 1) return { entry, replayed: false };
    // Same connection, same transaction: the row is the one stored earlier, or earlier in this group.
    return replayOf(toEntry(byId.get(entry.id)!), entry);
  };

  const group = groupCommit(db, insertOne, failure, closed);

  return {
    kind: "sqlite",
    // Alone, SQLite commits each statement in a transaction of its own: one fsync per insert.
    insert: options.groupCommit === false ? (entry) => guard("insert", () => insertOne(entry)) : group.insert,
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
      // Inserts still waiting for their group are committed, not dropped.
      group.flush();
      if (db.open) db.close();
    },
  };
}

interface Waiting {
  entry: Entry;
  deadline?: AbortSignal;
  resolve: (result: InsertResult) => void;
  reject: (error: unknown) => void;
}

type Outcome = { ok: true; result: InsertResult } | { ok: false; error: unknown };

/**
 * Group commit: inserts made in one turn of the event loop wait for its end (setImmediate, after
 * the turn has read every request that arrived), then go into one transaction, committed with
 * one fsync. Each insert settles only after that commit, so a 201 still means "on disk". An
 * insert that fails alone (a constraint, a reused idempotency key) is undone by itself (SQLite
 * backs out the failed statement and keeps the transaction) and fails alone; a failure that ends
 * the transaction (I/O, a full disk, a lock not granted) or the commit fails every insert in it,
 * each mapped as it would be alone, and none of them is stored.
 */
function groupCommit(
  db: Database.Database,
  insertOne: (entry: Entry) => InsertResult,
  failure: (action: string, error: unknown) => unknown,
  closed: (action: string) => StoreUnavailableError,
) {
  const begin = db.prepare("BEGIN IMMEDIATE");
  const commit = db.prepare("COMMIT");
  const rollback = db.prepare("ROLLBACK");
  let waiting: Waiting[] = [];
  let scheduled = false;

  const failAll = (group: Waiting[], error: unknown) => {
    for (const item of group) item.reject(error);
  };

  /** Runs each insert of `group` in the open transaction, or says why the transaction ended. */
  function runAll(group: Waiting[]): Outcome[] | { ended: unknown } {
    const outcomes: Outcome[] = [];
    for (const { entry, deadline } of group) {
      if (deadline?.aborted) {
        // That client has had its 503: no write for it (the store contract).
        outcomes.push({ ok: false, error: new StoreUnavailableError("SQLite insert not sent: the request timed out", { cause: deadline.reason }) });
        continue;
      }
      try {
        outcomes.push({ ok: true, result: insertOne(entry) });
      } catch (error) {
        if (!db.inTransaction) return { ended: error };
        outcomes.push({ ok: false, error: failure("insert", error) });
      }
    }
    return outcomes;
  }

  function commitGroup(group: Waiting[]): void {
    if (!db.open) return failAll(group, closed("insert"));
    try {
      begin.run();
    } catch (error) {
      return failAll(group, failure("insert", error));
    }
    const outcomes = runAll(group);
    if (!Array.isArray(outcomes)) return failAll(group, failure("insert", outcomes.ended));
    try {
      commit.run();
    } catch (error) {
      // SQLite may have rolled back already; the commit's error is the one to report.
      if (db.inTransaction) {
        try {
          rollback.run();
        } catch {}
      }
      return failAll(group, failure("insert", error));
    }
    outcomes.forEach((outcome, i) => (outcome.ok ? group[i]!.resolve(outcome.result) : group[i]!.reject(outcome.error)));
  }

  /** Commits everything waiting now, MAX_GROUP at a time. */
  function flush(): void {
    scheduled = false;
    while (waiting.length > 0) {
      const group = waiting.length > MAX_GROUP ? waiting.splice(0, MAX_GROUP) : waiting;
      if (group === waiting) waiting = [];
      commitGroup(group);
    }
  }

  function insert(entry: Entry, deadline?: AbortSignal): Promise<InsertResult> {
    if (!db.open) return Promise.reject(closed("insert"));
    return new Promise<InsertResult>((resolve, reject) => {
      waiting.push({ entry, deadline, resolve, reject });
      if (!scheduled) {
        scheduled = true;
        setImmediate(flush);
      }
    });
  }

  return { insert, flush };
}
