import type { Config } from "../config.js";
import { openMongoStore } from "./mongo.js";
import { openSqliteStore } from "./sqlite.js";
import type { EntryStore } from "./types.js";

export type { EntryStore, ListOptions, PageCursor } from "./types.js";
export { StoreUnavailableError } from "./types.js";

/** MongoDB when a URI is configured, otherwise the embedded store under DATA_DIR. */
export function openStore(config: Pick<Config, "mongodb" | "dataDir">): EntryStore {
  return config.mongodb ? openMongoStore(config.mongodb) : openSqliteStore(config.dataDir);
}
