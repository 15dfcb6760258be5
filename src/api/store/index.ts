import type { Config } from "../config.js";
import { openMongoStore } from "./mongo.js";
import type { EntryStore, StoreLogger } from "./types.js";

export type { EntryStore, ListOptions, PageCursor, StoreLogger } from "./types.js";
export { StoreUnavailableError } from "./types.js";

/**
 * MongoDB when a URI is configured, otherwise the embedded store under DATA_DIR. SQLite's
 * native module is loaded only when it is used, so a MongoDB deployment never loads it.
 */
export async function openStore(config: Pick<Config, "mongodb" | "dataDir">, logger?: StoreLogger): Promise<EntryStore> {
  if (config.mongodb) return openMongoStore({ ...config.mongodb, logger });
  const { openSqliteStore } = await import("./sqlite.js");
  return openSqliteStore(config.dataDir);
}
