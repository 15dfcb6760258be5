/**
 * The MongoDB store behind MONGODB_URI_FILE, following the file: when it holds a new
 * connection string (a rotated password), a second client connects beside the first, new
 * requests move to it once it answers, and the first closes when its calls have finished. A
 * new string that is invalid or does not work leaves the current client serving, with one line
 * saying why.
 */
import { redactMongoUri } from "./mongodb-uri.js";
import { URI_FILE_POLL_MS, type UriFileWatchOptions, watchUriFile } from "./mongodb-uri-file.js";
import { type MongoStoreOptions, openMongoStore } from "./store/mongo.js";
import { switchingStore } from "./store/switching.js";
import type { EntryStore, StoreLogger } from "./store/types.js";

export interface RotatingMongoStoreOptions extends Omit<MongoStoreOptions, "logger" | "uriSource"> {
  /** MONGODB_URI_FILE, whose content was `uri` when the configuration was read. */
  uriFile: string;
  logger: StoreLogger;
  /** How often a new connection string that does not work is tried again. */
  retryMs?: number;
  watch?: Omit<UriFileWatchOptions, "onWatchError">;
}

export function openRotatingMongoStore({ uriFile, logger, retryMs = 5_000, watch, ...mongo }: RotatingMongoStoreOptions): EntryStore {
  const open = (uri: string, storeLogger: StoreLogger) =>
    openMongoStore({ ...mongo, uri, logger: storeLogger, uriSource: "MONGODB_URI_FILE" });
  const store = switchingStore(open(mongo.uri, logger), { logger, retryMs });
  let inUse = mongo.uri;

  const watcher = watchUriFile(
    uriFile,
    mongo.uri,
    (content) => {
      if ("problem" in content) {
        store.withdraw();
        logger.warn({}, `${content.problem}; still using the previous connection string`);
        return;
      }
      if (content.uri === inUse) return store.withdraw(); // back to the string in use
      // Until it replaces the current client, the new one's own lines would claim the API is
      // not ready; the switch reports for it.
      const held = heldBack(logger);
      const label = `The new connection string in MONGODB_URI_FILE (${redactMongoUri(content.uri)})`;
      logger.info({}, `${label} is being tried; requests keep using the previous one meanwhile`);
      void store.replaceWith(open(content.uri, held.logger), label).then((switched) => {
        if (!switched) return;
        inUse = content.uri;
        held.release();
      });
    },
    {
      ...watch,
      onWatchError: (error) =>
        logger.warn({ err: error }, `Cannot watch the folder of MONGODB_URI_FILE (${error.message}); reading it every ${(watch?.pollMs ?? URI_FILE_POLL_MS) / 1000} s instead`),
    },
  );

  return {
    get kind() {
      return store.kind;
    },
    insert: (entry, deadline) => store.insert(entry, deadline),
    list: (options) => store.list(options),
    ping: () => store.ping(),
    close: async () => {
      watcher.close();
      await store.close();
    },
  };
}

/** A logger that stays silent until released. */
function heldBack(logger: StoreLogger) {
  let released = false;
  const gate =
    (level: keyof StoreLogger) =>
    (details: object, message: string) => {
      if (released) logger[level](details, message);
    };
  return {
    logger: { info: gate("info"), warn: gate("warn"), error: gate("error") },
    release: () => void (released = true),
  };
}
