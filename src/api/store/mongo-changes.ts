import type { ChangeStream, Collection, Document } from "mongodb";
import { describeMongoError } from "./mongo-errors.js";
import type { StoreLogger } from "./types.js";

/** After a stream fails, wait this long before opening another, doubling up to the maximum. */
const FIRST_RETRY_MS = 1_000;
const MAX_RETRY_MS = 60_000;

export interface WriteWatchOptions {
  /** Resolves once the client is connected: a stream is opened only then. */
  connected: () => Promise<void>;
  /** Called after each write, and whenever writes may have gone unseen (a stream failing or opening). */
  onChange: () => void;
  logger?: StoreLogger;
}

/**
 * Follows writes to `collection` with a change stream, so a page kept in memory is dropped the
 * moment any replica signs. The driver resumes the stream by itself after an election or a
 * dropped connection. Where there is no stream (a standalone server) or it fails for good, a new
 * one is tried with backoff; meanwhile only the cache's TTL bounds how stale a page can get.
 * Returns a function that stops following.
 */
export function watchWrites<T extends Document>(collection: Collection<T>, { connected, onChange, logger }: WriteWatchOptions): () => void {
  let stream: ChangeStream | undefined;
  let retry: NodeJS.Timeout | undefined;
  let retryMs = FIRST_RETRY_MS;
  let stopped = false;
  let failing = false;

  const retryLater = () => {
    if (stopped) return;
    retry = setTimeout(open, retryMs);
    retry.unref();
    retryMs = Math.min(retryMs * 2, MAX_RETRY_MS);
  };

  const fail = (error: unknown) => {
    if (stopped) return;
    stream = undefined;
    onChange();
    if (!failing) {
      logger?.warn(
        { err: error },
        `MongoDB change stream unavailable (${describeMongoError(error)}); other replicas' writes show within CACHE_TTL_MS`,
      );
    }
    failing = true;
    retryLater();
  };

  function open() {
    if (stopped) return;
    connected().then(() => {
      if (stopped) return;
      // Only the event's resume token is needed: not the entry itself.
      const opened = collection.watch([{ $project: { operationType: 1 } }]);
      stream = opened;
      // The first resume token comes with the server's answer to opening the stream.
      opened.once("resumeTokenChanged", () => {
        retryMs = FIRST_RETRY_MS;
        // Writes made while no stream was open were not seen.
        onChange();
        if (failing) logger?.info({}, "MongoDB change stream open again");
        failing = false;
      });
      opened.on("change", () => onChange());
      // An error the driver cannot resume from ends the stream. Its cursor's "close" can come
      // first: wait a turn, so the log names the error rather than the closing.
      opened.on("error", (error) => {
        if (stream === opened) fail(error);
      });
      opened.on("close", () =>
        setImmediate(() => {
          if (stream === opened) fail(new Error("the change stream closed"));
        }),
      );
    }, retryLater); // not connected: the store says why; try again later, quietly
  }

  open();
  return () => {
    stopped = true;
    clearTimeout(retry);
    void stream?.close().catch(() => undefined);
    stream = undefined;
  };
}
