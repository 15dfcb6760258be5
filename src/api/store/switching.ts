import type { EntryStore, StoreLogger } from "./types.js";

export interface SwitchingStore extends EntryStore {
  /**
   * Checks `next` (its readiness check) until it answers, then sends every new call to it and
   * closes the store it replaces once that store's calls in flight have finished. Until then,
   * calls go on to the current store. Resolves true once switched; false when another
   * replacement, `withdraw()` or `close()` came first (then `next` is closed).
   */
  replaceWith(next: EntryStore, label: string): Promise<boolean>;
  /** Gives up on a replacement that has not answered yet, and closes it. */
  withdraw(): void;
}

export interface SwitchingOptions {
  logger: StoreLogger;
  /** How often a replacement that does not answer is checked again. */
  retryMs: number;
}

/**
 * A store whose backing store can be replaced while it serves, without a failed call: the
 * replacement gets calls only once it has answered, and the store it replaces is closed only
 * when nothing is using it. The MongoDB store uses it to follow a rotated password.
 */
export function switchingStore(initial: EntryStore, { logger, retryMs }: SwitchingOptions): SwitchingStore {
  let current = initial;
  let candidate: EntryStore | undefined;
  let closed = false;
  const inFlight = new Map<EntryStore, Set<Promise<unknown>>>([[initial, new Set()]]);
  const retiring = new Set<EntryStore>();
  const wakers = new Set<() => void>();

  /** Runs one call on the current store, remembered until it settles. */
  const through = <T>(call: (store: EntryStore) => Promise<T>): Promise<T> => {
    const store = current;
    const pending = call(store);
    const calls = inFlight.get(store)!;
    calls.add(pending);
    const settled = () => void calls.delete(pending);
    pending.then(settled, settled);
    return pending;
  };

  /** Waits `ms`, or less when a replacement is withdrawn or the store closes. */
  const pause = (ms: number) =>
    new Promise<void>((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        wakers.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms).unref();
      wakers.add(wake);
    });
  const wakeAll = () => [...wakers].forEach((wake) => wake());

  const dropCandidate = () => {
    const dropped = candidate;
    candidate = undefined;
    wakeAll();
    void dropped?.close();
  };

  const retire = async (store: EntryStore) => {
    retiring.add(store);
    await Promise.allSettled(inFlight.get(store) ?? []);
    inFlight.delete(store);
    await store.close().catch((error: unknown) => logger.warn({ err: error }, "Closing the replaced store failed"));
    retiring.delete(store);
    logger.info({}, "Closed the store that was replaced");
  };

  return {
    get kind() {
      return current.kind;
    },
    insert: (entry, deadline) => through((store) => store.insert(entry, deadline)),
    list: (options) => through((store) => store.list(options)),
    ping: () => through((store) => store.ping()),

    async replaceWith(next, label) {
      if (closed) {
        await next.close();
        return false;
      }
      dropCandidate();
      candidate = next;
      let reported = false;
      while (candidate === next) {
        try {
          await next.ping();
          break;
        } catch (error) {
          if (candidate !== next) break;
          if (!reported) {
            const reason = error instanceof Error ? error.message : String(error);
            logger.warn({ err: error }, `${label} does not work (${reason}); still using the previous one, trying again every ${retryMs / 1000} s`);
            reported = true;
          }
          await pause(retryMs);
        }
      }
      if (candidate !== next) return false; // withdrawn or replaced, and closed by then
      candidate = undefined;
      const previous = current;
      inFlight.set(next, new Set());
      current = next;
      const busy = inFlight.get(previous)?.size ?? 0;
      logger.info({ callsInFlight: busy }, `${label} works: new requests use it; the previous one closes once its calls in flight (${busy}) have finished`);
      void retire(previous);
      return true;
    },

    withdraw: dropCandidate,

    async close() {
      closed = true;
      dropCandidate();
      // By now the server has finished its requests: nothing is left to wait for.
      await Promise.all([current, ...retiring].map((store) => store.close()));
    },
  };
}
