import { mkdirSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import type { Entry } from "../../shared/entry.js";
import { type EntryStore, type ListOptions, StoreUnavailableError } from "./types.js";

interface EntryRow {
  id: string;
  name: string;
  message: string;
  created_at_ms: number;
}

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

/**
 * The zero-set-up store: SQLite in `dataDir`. WAL with `synchronous=FULL` makes every
 * acknowledged insert durable before the API answers 201, through `kill -9` and power loss.
 */
export function openSqliteStore(dataDir: string): EntryStore {
  mkdirSync(dataDir, { recursive: true });
  const db = new Database(join(dataDir, "guestbook.sqlite"));
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = FULL");
  db.pragma("busy_timeout = 2000");
  db.exec(SCHEMA);

  const insert = db.prepare<[string, string, string, number]>(
    "INSERT INTO entries (id, name, message, created_at_ms) VALUES (?, ?, ?, ?)",
  );
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
    try {
      return Promise.resolve(run());
    } catch (error) {
      return Promise.reject(new StoreUnavailableError(`SQLite ${action} failed`, { cause: error }));
    }
  };

  return {
    kind: "sqlite",
    insert: (entry) =>
      guard("insert", () => {
        insert.run(entry.id, entry.name, entry.message, Date.parse(entry.createdAt));
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
