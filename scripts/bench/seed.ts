import { randomUUID } from "node:crypto";
import { openSqliteStore } from "../../src/api/store/sqlite.js";

/** Fills DATA_DIR's embedded store with `count` entries, one second apart. */
export async function seed(dataDir: string, count: number): Promise<void> {
  const store = openSqliteStore(dataDir);
  const start = Date.parse("2026-01-01T00:00:00Z");
  for (let i = 0; i < count; i++) {
    await store.insert({
      id: randomUUID(),
      name: `Visitor ${i}`,
      message: `Entry number ${i}: a short note left in the guestbook.`,
      createdAt: new Date(start + i * 1000).toISOString(),
    });
  }
  await store.close();
}
