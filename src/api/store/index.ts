import type { Config } from "../config.js";
import type { EntryStore, StoreLogger } from "./types.js";

export type { EntryStore, InsertResult, ListOptions, PageCursor, StoreLogger } from "./types.js";
export { IdempotencyConflictError, StoreUnavailableError } from "./types.js";

/**
 * MongoDB when a URI is configured, otherwise the embedded store under DATA_DIR. Each is
 * loaded only when it is used: the embedded store never loads the MongoDB driver (a quarter
 * of start-up), and a MongoDB deployment never loads SQLite's native module.
 * Every store wait must end before the request timeout, so that a store failure is reported
 * as itself and a timed-out request never leaves a write running behind its 503.
 */
export async function openStore(
  config: Pick<Config, "mongodb" | "dataDir" | "requestTimeoutMs">,
  logger?: StoreLogger,
): Promise<EntryStore> {
  if (config.mongodb) {
    const { openMongoStore } = await import("./mongo.js");
    return openMongoStore({ ...config.mongodb, logger });
  }
  const { openSqliteStore, sqliteBusyTimeoutMs } = await import("./sqlite.js");
  return openSqliteStore(config.dataDir, { busyTimeoutMs: sqliteBusyTimeoutMs(config.requestTimeoutMs) });
}
