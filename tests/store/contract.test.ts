/**
 * One contract, every store. MongoDB cannot be installed on the development machines, so its
 * run needs MONGODB_URI_TEST (CI sets it with a mongo service container); without it that
 * suite is reported as skipped, never as passed.
 */
import { randomUUID } from "node:crypto";
import { MongoClient } from "mongodb";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openMongoStore } from "../../src/api/store/mongo.js";
import { openSqliteStore } from "../../src/api/store/sqlite.js";
import { type EntryStore, IdempotencyConflictError } from "../../src/api/store/types.js";
import type { Entry } from "../../src/shared/entry.js";
import { tempDir } from "../helpers/app.js";

interface StoreFixture {
  /** Opens the store; a second call reopens the same data. */
  open: () => EntryStore;
  destroy: () => Promise<void>;
}

const mongoUri = process.env.MONGODB_URI_TEST;

const stores: { name: string; available: boolean; fixture: () => StoreFixture }[] = [
  {
    name: "sqlite (embedded)",
    available: true,
    fixture: () => {
      const dir = tempDir();
      return { open: () => openSqliteStore(dir.path), destroy: async () => dir.remove() };
    },
  },
  {
    name: mongoUri ? "mongodb" : "mongodb (skipped: set MONGODB_URI_TEST to a MongoDB server to run it)",
    available: Boolean(mongoUri),
    fixture: () => {
      const dbName = `guestbook_test_${randomUUID().slice(0, 8)}`;
      return {
        open: () => openMongoStore({ uri: mongoUri!, dbName, timeoutMs: 5000 }),
        destroy: async () => {
          const client = await MongoClient.connect(mongoUri!);
          await client.db(dbName).dropDatabase();
          await client.close();
        },
      };
    },
  },
];

const entry = (id: string, createdAt: string, name = `name-${id}`): Entry => ({
  id,
  name,
  message: `message ${id}\nwith a second line`,
  createdAt,
});

for (const { name, available, fixture } of stores) {
  describe.skipIf(!available)(`store contract: ${name}`, () => {
    let f: StoreFixture;
    let store: EntryStore;
    beforeEach(() => {
      f = fixture();
      store = f.open();
    });
    afterEach(async () => {
      await store.close();
      await f.destroy();
    });

    it("is ready when open", async () => {
      await expect(store.ping()).resolves.toBeUndefined();
    });

    it("returns what was inserted, unchanged", async () => {
      const e = entry("a1", "2026-03-04T05:06:07.089Z", "<b>Ünïcødé 😀</b>");
      expect(await store.insert(e)).toEqual({ entry: e, replayed: false });
      expect(await store.list({ limit: 10 })).toEqual([e]);
    });

    it("lists newest first, breaking timestamp ties by id descending", async () => {
      await store.insert(entry("b", "2026-01-01T00:00:00.000Z"));
      await store.insert(entry("a", "2026-01-01T00:00:01.000Z"));
      await store.insert(entry("c", "2026-01-01T00:00:00.000Z"));
      expect((await store.list({ limit: 10 })).map((e) => e.id)).toEqual(["a", "c", "b"]);
    });

    it("honours the limit", async () => {
      for (const id of ["a", "b", "c"]) await store.insert(entry(id, "2026-01-01T00:00:00.000Z"));
      expect(await store.list({ limit: 2 })).toHaveLength(2);
    });

    it("lists strictly after a cursor, including within one timestamp", async () => {
      const t = "2026-01-01T00:00:00.000Z";
      for (const id of ["a", "b", "c", "d"]) await store.insert(entry(id, t));
      await store.insert(entry("z", "2025-12-31T23:59:59.999Z"));
      const after = await store.list({ limit: 10, before: { createdAtMs: Date.parse(t), id: "c" } });
      expect(after.map((e) => e.id)).toEqual(["b", "a", "z"]);
    });

    it("keeps entries after the store is closed and reopened", async () => {
      const e = entry("keep", "2026-02-02T02:02:02.002Z");
      await store.insert(e);
      await store.close();
      store = f.open();
      expect(await store.list({ limit: 10 })).toEqual([e]);
    });

    it("stores a retried insert (same id, name and message) once, returning the first one", async () => {
      const first = entry("retried", "2026-01-01T00:00:00.000Z");
      await store.insert(first);
      const retry = { ...first, createdAt: "2026-01-01T00:00:05.000Z" };
      expect(await store.insert(retry)).toEqual({ entry: first, replayed: true });
      expect(await store.list({ limit: 10 })).toEqual([first]);
    });

    it("refuses an id already stored with a different message, and keeps the first", async () => {
      const first = entry("dup", "2026-01-01T00:00:00.000Z");
      await store.insert(first);
      await expect(store.insert({ ...first, message: "something else" })).rejects.toBeInstanceOf(IdempotencyConflictError);
      expect(await store.list({ limit: 10 })).toEqual([first]);
    });
  });
}
