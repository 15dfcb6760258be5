import { type Collection, MongoClient, MongoError, type MongoClientOptions, MongoServerError } from "mongodb";
import type { Entry } from "../../shared/entry.js";
import { type EntryStore, type ListOptions, StoreUnavailableError, replayOf } from "./types.js";

interface EntryDocument {
  _id: string;
  name: string;
  message: string;
  createdAt: Date;
}

export interface MongoStoreOptions {
  uri: string;
  dbName: string;
  /** Upper bound for finding a server and for waiting on the pool: how long a request may hang. */
  timeoutMs: number;
  collectionName?: string;
}

const NEWEST_FIRST = { createdAt: -1, _id: -1 } as const;

const DUPLICATE_KEY = 11000;

const toEntry = (doc: EntryDocument): Entry => ({
  id: doc._id,
  name: doc.name,
  message: doc.message,
  createdAt: doc.createdAt.toISOString(),
});

/** Builds the driver's options; exported so a test can prove the bounds are set. */
export function mongoClientOptions(timeoutMs: number): MongoClientOptions {
  return {
    appName: "guestbook-api",
    serverSelectionTimeoutMS: timeoutMs,
    waitQueueTimeoutMS: timeoutMs,
    connectTimeoutMS: timeoutMs,
    socketTimeoutMS: timeoutMs * 5,
    maxPoolSize: 20,
    retryWrites: true,
  };
}

/**
 * MongoDB (Atlas in production). The client is created without waiting for a server, so a
 * database that is down at start-up leaves the process alive and not ready; the driver
 * reconnects by itself when the database returns. The index the newest-first query needs is
 * created on first successful contact.
 */
export function openMongoStore(options: MongoStoreOptions): EntryStore {
  const client = new MongoClient(options.uri, mongoClientOptions(options.timeoutMs));
  const entries: Collection<EntryDocument> = client
    .db(options.dbName)
    .collection<EntryDocument>(options.collectionName ?? "entries");

  let indexReady: Promise<unknown> | undefined;
  const ensureIndex = (): Promise<unknown> => {
    indexReady ??= entries.createIndex(NEWEST_FIRST, { name: "newest_first" }).catch((error) => {
      indexReady = undefined; // try again on the next call
      throw error;
    });
    return indexReady;
  };

  const guard = async <T>(action: string, run: () => Promise<T>): Promise<T> => {
    try {
      return await run();
    } catch (error) {
      if (error instanceof MongoError) {
        throw new StoreUnavailableError(`MongoDB ${action} failed: ${error.name}`, { cause: error });
      }
      throw error;
    }
  };

  // Start connecting and indexing now; failure here only means "not ready yet".
  ensureIndex().catch(() => undefined);

  return {
    kind: "mongodb",
    insert: (entry) =>
      guard("insert", async () => {
        try {
          await entries.insertOne({
            _id: entry.id,
            name: entry.name,
            message: entry.message,
            createdAt: new Date(entry.createdAt),
          });
          return { entry, replayed: false };
        } catch (error) {
          // The id is the client's idempotency key: an earlier attempt of this request got there first.
          if (!(error instanceof MongoServerError && error.code === DUPLICATE_KEY)) throw error;
          const stored = await entries.findOne({ _id: entry.id });
          if (!stored) throw error;
          return replayOf(toEntry(stored), entry);
        }
      }),
    list: ({ limit, before }: ListOptions) =>
      guard("list", async () => {
        const filter = before
          ? {
              $or: [
                { createdAt: { $lt: new Date(before.createdAtMs) } },
                { createdAt: new Date(before.createdAtMs), _id: { $lt: before.id } },
              ],
            }
          : {};
        const docs = await entries.find(filter).sort(NEWEST_FIRST).limit(limit).toArray();
        return docs.map(toEntry);
      }),
    ping: () =>
      guard("ping", async () => {
        await client.db(options.dbName).command({ ping: 1 });
        await ensureIndex();
      }),
    close: () => client.close(),
  };
}
