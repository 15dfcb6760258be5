import { Writable } from "node:stream";
import { pino } from "pino";
import { type AppDeps, createApp } from "../../src/api/app.js";
import { tempDir } from "../../scripts/lib/temp-dir.js";
import { openSqliteStore } from "../../src/api/store/sqlite.js";
import type { EntryStore } from "../../src/api/store/types.js";

export { tempDir };

/** A controllable clock: every call returns the current time; `advance` moves it. */
export function fakeClock(start = Date.parse("2026-01-01T12:00:00.000Z")) {
  let now = start;
  return { now: () => new Date(now), advance: (ms: number) => void (now += ms) };
}

/**
 * The real app over a real SQLite store in a temporary folder. Signing is not rate limited
 * unless a test asks for it, so tests can sign as many entries as they need.
 */
export function testApp(options: Omit<AppDeps, "store"> = {}) {
  const dir = tempDir();
  const store: EntryStore = openSqliteStore(dir.path);
  const app = createApp({ store, ...options, limits: { rateLimitPerMinute: 0, ...options.limits } });
  return {
    app,
    store,
    cleanup: async () => {
      await store.close();
      dir.remove();
    },
  };
}

export const postJson = (body: unknown, headers: Record<string, string> = {}): RequestInit => ({
  method: "POST",
  headers: { "Content-Type": "application/json", ...headers },
  body: typeof body === "string" ? body : JSON.stringify(body),
});

/** A pino logger at `level` whose lines are collected, parsed, in `lines`. */
export function captureLogs(level: string) {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split("\n").filter(Boolean)) lines.push(JSON.parse(line));
      done();
    },
  });
  return { logger: pino({ level }, stream), lines };
}
