/**
 * How the embedded store's failures reach clients: only conditions that pass by themselves
 * (a lock held elsewhere, I/O, a file that cannot be opened) are 503 "try again"; anything
 * else is a bug, logged in full and answered 500 without detail.
 */
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterEach, describe, expect, it } from "vitest";
import { createApp } from "../../src/api/app.js";
import { openStore } from "../../src/api/store/index.js";
import { transientSqliteCode } from "../../src/api/store/sqlite.js";
import { captureLogs, postJson, tempDir, testApp } from "../helpers/app.js";

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe("SQLite errors through the API", () => {
  it("answers a constraint violation with a logged 500 that leaks no detail, not a 503", async () => {
    const { logger, lines } = captureLogs("error");
    // A broken id generator: the STRICT table refuses bytes where text belongs.
    const ctx = testApp({ logger, newId: () => Buffer.from("id") as unknown as string });
    cleanups.push(ctx.cleanup);
    const res = await ctx.app.request("/api/entries", postJson({ name: "Ann", message: "hi" }));
    expect(res.status).toBe(500);
    expect(res.headers.get("retry-after")).toBeNull();
    const text = await res.text();
    expect(JSON.parse(text)).toEqual({ error: { code: "internal_error", message: "Something went wrong on our side." } });
    expect(text).not.toMatch(/sqlite|constraint|strict/i);
    expect(lines).toContainEqual(
      expect.objectContaining({
        level: 50,
        msg: "unhandled error",
        err: expect.objectContaining({ code: "SQLITE_CONSTRAINT_DATATYPE" }),
      }),
    );
  });

  it("answers 503 with Retry-After while another connection holds the write lock, within half the request timeout", async () => {
    const dir = tempDir();
    const store = await openStore({ mongodb: undefined, dataDir: dir.path, requestTimeoutMs: 400 });
    const app = createApp({ store, limits: { rateLimitPerMinute: 0, requestTimeoutMs: 400 } });
    const other = new Database(join(dir.path, "guestbook.sqlite"));
    other.exec("BEGIN IMMEDIATE"); // holds the write lock, as a backup or a second process would
    cleanups.push(dir.remove, () => store.close(), () => void other.close(), () => void other.exec("ROLLBACK"));

    const started = performance.now();
    const res = await app.request("/api/entries", postJson({ name: "Ann", message: "hi" }));
    const ms = performance.now() - started;
    expect(res.status).toBe(503);
    expect(res.headers.get("retry-after")).toBe("5");
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe("store_unavailable");
    expect(ms).toBeGreaterThanOrEqual(150); // it did wait for the lock
    expect(ms).toBeLessThan(400);
    // Reads never wait for a writer in WAL mode.
    expect((await app.request("/api/entries")).status).toBe(200);
  });
});

describe("which SQLite errors are transient", () => {
  it.each(["SQLITE_BUSY", "SQLITE_BUSY_SNAPSHOT", "SQLITE_IOERR", "SQLITE_IOERR_WRITE", "SQLITE_IOERR_FSYNC", "SQLITE_CANTOPEN"])(
    "%s is (503)",
    (code) => {
      expect(transientSqliteCode(new Database.SqliteError("from SQLite", code))).toBe(code);
    },
  );

  it.each(["SQLITE_CONSTRAINT_PRIMARYKEY", "SQLITE_CONSTRAINT_NOTNULL", "SQLITE_ERROR", "SQLITE_MISUSE", "SQLITE_CORRUPT", "SQLITE_BUSYNESS"])(
    "%s is not (500)",
    (code) => {
      expect(transientSqliteCode(new Database.SqliteError("from SQLite", code))).toBeNull();
    },
  );

  it("an error that is not SQLite's is not", () => {
    expect(transientSqliteCode(Object.assign(new Error("x"), { code: "SQLITE_BUSY" }))).toBeNull();
  });
});
