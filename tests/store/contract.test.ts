/**
 * One contract, every store. MongoDB cannot be installed on the development machines, so its
 * run needs MONGODB_URI_TEST (CI sets it to a one-member replica set with authentication, as
 * Atlas runs); without it those suites are reported as skipped, never as passed.
 */
import { randomUUID } from "node:crypto";
import { type Server, type Socket, connect, createServer } from "node:net";
import { MongoClient, type MongoServerError } from "mongodb";
import { ConnectionString } from "mongodb-connection-string-url";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { freePort } from "../../scripts/lib/server-process.js";
import { isTransient } from "../../src/api/store/mongo-errors.js";
import { openMongoStore } from "../../src/api/store/mongo.js";
import { openSqliteStore } from "../../src/api/store/sqlite.js";
import { type EntryStore, IdempotencyConflictError, StoreUnavailableError } from "../../src/api/store/types.js";
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
    // What the benchmark's "one commit per insert" baselines run: the same contract, without group commit.
    name: "sqlite (embedded), one commit per insert",
    available: true,
    fixture: () => {
      const dir = tempDir();
      return { open: () => openSqliteStore(dir.path, { groupCommit: false }), destroy: async () => dir.remove() };
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

const SKIPPED = "skipped: set MONGODB_URI_TEST to a MongoDB replica set with authentication to run it";
const parsedUri = mongoUri ? new ConnectionString(mongoUri) : undefined;

describe.skipIf(!mongoUri)(`MongoDB as Atlas runs it${mongoUri ? "" : ` (${SKIPPED})`}`, () => {
  const dbName = `guestbook_test_${randomUUID().slice(0, 8)}`;
  const opened: EntryStore[] = [];
  const open = (uri: string, timeoutMs = 2_000) => {
    const store = openMongoStore({ uri, dbName, timeoutMs });
    opened.push(store);
    return store;
  };
  afterEach(async () => {
    for (const store of opened.splice(0)) await store.close();
    const client = await MongoClient.connect(mongoUri!);
    await client.db(dbName).dropDatabase();
    await client.close();
  });

  it.skipIf(parsedUri?.isSRV)(
    `serves a database that starts after the app, once it is up${parsedUri?.isSRV ? " (skipped: needs a mongodb:// MONGODB_URI_TEST)" : ""}`,
    async () => {
      // The app talks to a port where nothing listens yet; later a proxy to the real server opens there.
      const target = parsedUri!.hosts[0]!;
      const port = await freePort();
      const viaProxy = parsedUri!.clone();
      viaProxy.hosts = [`127.0.0.1:${port}`];
      viaProxy.searchParams.set("directConnection", "true");
      const store = open(viaProxy.toString(), 1_000);
      await expect(store.ping()).rejects.toBeInstanceOf(StoreUnavailableError);
      await expect(store.list({ limit: 1 })).rejects.toBeInstanceOf(StoreUnavailableError);

      const proxy = await tcpProxy(port, target);
      try {
        const up = performance.now();
        await eventually(() => store.ping(), 5_000);
        expect(performance.now() - up).toBeLessThan(5_000);
        await store.insert(entry("late", "2026-05-05T05:05:05.005Z"));
        expect((await store.list({ limit: 10 })).map((e) => e.id)).toEqual(["late"]);
      } finally {
        await proxy.close();
      }
    },
    15_000,
  );

  it.skipIf(!parsedUri?.password)(
    `answers a wrong password with a clear error, never "unavailable"${parsedUri?.password ? "" : " (skipped: MONGODB_URI_TEST has no password)"}`,
    async () => {
      const wrong = parsedUri!.clone();
      wrong.password = `wrong-${randomUUID()}`;
      const store = open(wrong.toString());
      const error = await store.list({ limit: 1 }).catch((e: unknown) => e);
      expect(error).not.toBeInstanceOf(StoreUnavailableError);
      expect((error as MongoServerError).code).toBe(18); // AuthenticationFailed
      await expect(store.ping()).rejects.toBeInstanceOf(StoreUnavailableError); // not ready, for a reason it logs
    },
  );

  it("reports a raw duplicate _id from the driver as permanent, not as unavailable", async () => {
    const client = await MongoClient.connect(mongoUri!);
    try {
      const entries = client.db(dbName).collection<{ _id: string }>("entries");
      const doc = { _id: "dup", name: "first", message: "written directly", createdAt: new Date("2026-01-01T00:00:00.000Z") };
      await entries.insertOne(doc);
      const duplicate = await entries.insertOne(doc).catch((e: unknown) => e);
      expect((duplicate as MongoServerError).code).toBe(11000);
      expect(isTransient(duplicate)).toBe(false);
      // Through the store: the same _id with other content is no replay of the same request.
      const store = open(mongoUri!);
      const error = await store.insert(entry("dup", "2026-02-02T00:00:00.000Z", "second")).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(IdempotencyConflictError);
      expect(error).not.toBeInstanceOf(StoreUnavailableError);
    } finally {
      await client.close();
    }
  });
});

async function eventually(check: () => Promise<unknown>, withinMs: number): Promise<void> {
  const deadline = performance.now() + withinMs;
  for (;;) {
    try {
      await check();
      return;
    } catch (error) {
      if (performance.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

/** Forwards 127.0.0.1:port to `target` (host:port), from now on. */
async function tcpProxy(port: number, target: string): Promise<{ close: () => Promise<void> }> {
  const [host, targetPort] = [target.slice(0, target.lastIndexOf(":")), Number(target.slice(target.lastIndexOf(":") + 1)) || 27017];
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    const upstream = connect(targetPort, host.replace(/^\[|\]$/g, ""));
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on("error", () => undefined);
      socket.on("close", () => sockets.delete(socket));
    }
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  return {
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
