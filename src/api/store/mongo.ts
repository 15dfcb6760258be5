import { type Collection, MongoClient, MongoServerError, ReadPreference } from "mongodb";
import type { Entry } from "../../shared/entry.js";
import { watchWrites } from "./mongo-changes.js";
import { describeMongoError, isTransient } from "./mongo-errors.js";
import { NEWEST_FIRST, NEWEST_FIRST_INDEX, ensureNewestFirstIndex } from "./mongo-index.js";
import { DURABILITY, READINESS_TIMEOUT_MS, mongoClientOptions, until } from "./mongo-options.js";
import { type EntryStore, type ListOptions, type StoreLogger, StoreUnavailableError, replayOf } from "./types.js";

export { mongoClientOptions } from "./mongo-options.js";

interface EntryDocument {
  _id: string;
  name: string;
  message: string;
  createdAt: Date;
}

export interface MongoStoreOptions {
  uri: string;
  dbName: string;
  /** Every call to the store ends within this, whatever it waits for; below the request timeout. */
  timeoutMs: number;
  collectionName?: string;
  /** Where the store says why it is not ready; silent when absent. */
  logger?: StoreLogger;
  /** The setting the URI came from, named in those lines: MONGODB_URI by default. */
  uriSource?: string;
}

const DUPLICATE_KEY = 11000;

const toEntry = (doc: EntryDocument): Entry => ({
  id: doc._id,
  name: doc.name,
  message: doc.message,
  createdAt: doc.createdAt.toISOString(),
});

/** The same problem is logged at most once a minute: readiness probes repeat every few seconds. */
const REPEAT_LOG_AFTER_MS = 60_000;

/** Settles with `work`, or rejects with the signal's reason when the deadline comes first. */
function untilAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const abort = () => reject(signal.reason);
    signal.addEventListener("abort", abort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener("abort", abort));
  });
}

/**
 * MongoDB (Atlas in production). The client connects explicitly, and again after a failed
 * attempt: the driver's implicit first connect closes its topology when no server answers in
 * time and then fails every later call with MongoTopologyClosedError, even once the database is
 * back. A database that is down at start-up therefore leaves the process alive and not ready
 * until the next call after it returns. The index the newest-first query needs is created on
 * first contact.
 */
export function openMongoStore(options: MongoStoreOptions): EntryStore {
  const client = new MongoClient(options.uri, mongoClientOptions(options.timeoutMs));
  const db = client.db(options.dbName, DURABILITY);
  const entries: Collection<EntryDocument> = db.collection<EntryDocument>(options.collectionName ?? "entries");
  const report = reporter(options.logger, `${options.dbName}.${entries.collectionName}`, options.uriSource ?? "MONGODB_URI");
  let closed = false;
  const stopWatching: (() => void)[] = [];

  let connection: Promise<void> | undefined;
  const connect = (): Promise<void> => {
    if (closed) return Promise.reject(new Error("the MongoDB store is closed"));
    connection ??= client.connect().then(
      () => report.connected(),
      (error: unknown) => {
        connection = undefined; // the next call starts a fresh attempt
        report.problem("connect", error);
        throw error;
      },
    );
    return connection;
  };

  let indexReady: Promise<void> | undefined;
  const ensureIndex = (): Promise<void> => {
    // Its own deadline: a short readiness check must not cut an index build short.
    indexReady ??= ensureNewestFirstIndex(entries, AbortSignal.timeout(options.timeoutMs)).catch((error: unknown) => {
      indexReady = undefined; // try again on the next readiness check
      report.problem("index", error);
      throw error;
    });
    return indexReady;
  };

  /**
   * Runs one call within the store's deadline and the request's (when given: a request
   * answered 503 while the store waited to connect must not write after all); only transient
   * failures become StoreUnavailableError.
   */
  const guard = async <T>(
    action: string,
    run: (signal: AbortSignal) => Promise<T>,
    timeoutMs = options.timeoutMs,
    request?: AbortSignal,
  ): Promise<T> => {
    const own = AbortSignal.timeout(timeoutMs);
    const signal = request ? AbortSignal.any([own, request]) : own;
    try {
      await untilAborted(connect(), signal);
      return await run(signal);
    } catch (error) {
      if (isTransient(error)) {
        throw new StoreUnavailableError(`MongoDB ${action} failed: ${describeMongoError(error)}`, { cause: error });
      }
      throw error; // a 500, logged with its code by the API's error handler
    }
  };

  // Start connecting and indexing now; failure here only means "not ready yet", and is logged.
  connect()
    .then(ensureIndex)
    .catch(() => undefined);

  return {
    kind: "mongodb",
    insert: (entry, deadline) =>
      guard("insert", async (signal) => {
        try {
          await entries.insertOne(
            { _id: entry.id, name: entry.name, message: entry.message, createdAt: new Date(entry.createdAt) },
            until(signal),
          );
          return { entry, replayed: false };
        } catch (error) {
          // The id is the client's idempotency key: an earlier attempt of this request got there first.
          if (!(error instanceof MongoServerError && error.code === DUPLICATE_KEY)) throw error;
          const stored = await entries.findOne({ _id: entry.id }, until(signal));
          if (!stored) throw error;
          return replayOf(toEntry(stored), entry);
        }
      }, options.timeoutMs, deadline),
    list: ({ limit, before }: ListOptions) =>
      guard("list", async (signal) => {
        const filter = before
          ? {
              $or: [
                { createdAt: { $lt: new Date(before.createdAtMs) } },
                { createdAt: new Date(before.createdAtMs), _id: { $lt: before.id } },
              ],
            }
          : {};
        const docs = await entries.find(filter, { signal }).sort(NEWEST_FIRST).limit(limit).toArray();
        return docs.map(toEntry);
      }),
    // Readiness: any failure means "not ready"; its cause is logged here, once a minute at most.
    ping: async () => {
      try {
        await guard(
          "ping",
          async (signal) => {
            await db.command({ ping: 1 }, { signal, readPreference: ReadPreference.primaryPreferred });
            await untilAborted(ensureIndex(), signal);
          },
          Math.min(READINESS_TIMEOUT_MS, options.timeoutMs),
        );
      } catch (error) {
        if (error instanceof StoreUnavailableError) throw error;
        throw new StoreUnavailableError(`MongoDB is not usable: ${describeMongoError(error)}`, { cause: error });
      }
    },
    onChange: (listener) => {
      stopWatching.push(watchWrites(entries, { connected: connect, onChange: listener, logger: options.logger }));
    },
    close: async () => {
      closed = true;
      for (const stop of stopWatching) stop();
      await client.close();
    },
  };
}

/** The store's log lines: why it is not ready, at most once a minute per cause, and recovery. */
function reporter(logger: StoreLogger | undefined, namespace: string, uriSource: string) {
  let last = { line: "", at: Number.NEGATIVE_INFINITY };
  let failing = false;
  const once = (level: "warn" | "error", details: object, line: string) => {
    const now = performance.now();
    if (line === last.line && now - last.at < REPEAT_LOG_AFTER_MS) return;
    last = { line, at: now };
    logger?.[level](details, line);
  };
  return {
    connected() {
      if (failing) logger?.info({}, "MongoDB reachable again");
      failing = false;
      last = { line: "", at: Number.NEGATIVE_INFINITY };
    },
    problem(stage: "connect" | "index", error: unknown) {
      failing = stage === "connect" || failing;
      const code = (error as { code?: unknown }).code;
      const details = { err: error, code, codeName: (error as { codeName?: unknown }).codeName };
      if (isTransient(error)) return once("warn", details, `MongoDB unavailable (${describeMongoError(error)}); retrying on the next request`);
      once("error", details, explain(stage, code, namespace, uriSource, error));
    },
  };
}

// The permanent failures an operator can fix, each as one line that says how.
function explain(stage: "connect" | "index", code: unknown, namespace: string, uriSource: string, error: unknown): string {
  if (code === 18) {
    return `MongoDB rejected the user name or password in ${uriSource} (AuthenticationFailed, code 18): check the credentials and authSource; the API stays not ready`;
  }
  if (stage === "index" && code === 13) {
    return `The MongoDB user in ${uriSource} may not create indexes on ${namespace} (Unauthorized, code 13): grant it the createIndex action (Atlas role readWrite) or create {createdAt: -1, _id: -1} once by hand; the API stays not ready`;
  }
  if (stage === "index") {
    return `Cannot create the ${NEWEST_FIRST_INDEX} index {createdAt: -1, _id: -1} on ${namespace} (${describeMongoError(error)}); the API stays not ready`;
  }
  return `Cannot use MongoDB (${describeMongoError(error)}); the API stays not ready`;
}
