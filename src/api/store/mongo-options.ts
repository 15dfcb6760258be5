import { type DbOptions, type MongoClientOptions, ReadConcern, ReadPreference } from "mongodb";

/**
 * How long a TCP + TLS connect and each step of the handshake (hello, SCRAM) may stay silent.
 * TLS plus authentication to a cluster in another region, from a busy pod, needs more than the
 * driver's 2 s we used to set; a handshake timeout also clears the whole pool, so timing out
 * too early makes a slow moment worse.
 */
export const CONNECT_TIMEOUT_MS = 5_000;

/** Readiness answers within this, below the readiness probe's 3 s timeoutSeconds. */
export const READINESS_TIMEOUT_MS = 2_000;

/** Connections per pod to the primary; the default (100) is sized for far busier apps. */
export const MAX_POOL_SIZE = 20;

/**
 * The driver's options for a store whose every call must end within `timeoutMs` (which the
 * configuration keeps below REQUEST_TIMEOUT_MS). Each wait is bounded on its own, and the store
 * also gives every call an AbortSignal with the same deadline, which bounds their sum: a write
 * is never sent after the request that asked for it has timed out. The driver's own
 * operation timeout (CSOT `timeoutMS`) would do this, but driver 7.9 ignores it (deprecated,
 * "has no effect").
 *
 * They take precedence over the same options in MONGODB_URI.
 */
export function mongoClientOptions(timeoutMs: number): MongoClientOptions {
  return {
    appName: "guestbook-api",
    // Long enough for the one retry of a write to wait out an election, as long as the
    // request allows: MongoDB's docs put the median election at up to 12 s with defaults.
    serverSelectionTimeoutMS: timeoutMs,
    connectTimeoutMS: Math.min(CONNECT_TIMEOUT_MS, timeoutMs),
    socketTimeoutMS: timeoutMs,
    waitQueueTimeoutMS: timeoutMs,
    maxPoolSize: MAX_POOL_SIZE,
    retryWrites: true,
    retryReads: true,
    ...DURABILITY,
  };
}

/**
 * What a write promises and what a read may show, set on the database the store uses: set on
 * the client only, a `journal=false` in MONGODB_URI would still win over `journal: true`.
 */
export const DURABILITY: DbOptions = {
  // A 201 means the entry is on a majority of members' journals, so it survives a failover
  // whatever the cluster's default write concern is.
  writeConcern: { w: "majority", journal: true },
  // Only show entries that can no longer be rolled back ...
  readConcern: new ReadConcern("majority"),
  // ... and keep the book readable during an election from a secondary, possibly a few
  // seconds behind: a guestbook page that is briefly stale beats a 503. Normally every read
  // goes to the primary, so a visitor sees their own entry at once.
  readPreference: ReadPreference.PRIMARY_PREFERRED,
};

/**
 * Adds a call's deadline to its options. The driver honours `signal` on every operation (server
 * selection, pool checkout, socket reads and writes, the retry), though its types declare it
 * on reads only; the lifecycle tests prove it for inserts too.
 */
export const until = <T extends object>(signal: AbortSignal, options?: T): T => ({ ...options, signal }) as T;
