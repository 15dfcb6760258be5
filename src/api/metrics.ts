import { prometheus } from "@hono/prometheus";
import { Gauge, Histogram, Registry } from "prom-client";
import { type EntryStore, StoreUnavailableError } from "./store/index.js";

/**
 * Prometheus metrics for one app: request counts and durations by route and status (from
 * @hono/prometheus), store operation timings, whether the store answers, and the process's own metrics. Each app gets
 * its own registry, so tests never share counters.
 */
export function createMetrics() {
  const registry = new Registry();
  const { printMetrics, registerMetrics } = prometheus({ registry, collectDefaultMetrics: true, prefix: "guestbook_" });
  const storeDuration = new Histogram({
    name: "guestbook_store_operation_duration_seconds",
    help: "Duration of entry store operations in seconds",
    labelNames: ["operation", "outcome"] as const,
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  });
  // What to alert on during a database outage: the pods stay ready then (docs/mongodb.md#readiness-after-the-first-answer).
  const storeUp = new Gauge({
    name: "guestbook_store_up",
    help: "1 when the last entry store call was answered, 0 when the store was unavailable",
    registers: [registry],
  });

  /** The same store, timing every call and recording whether the store answered. */
  function instrument(store: EntryStore): EntryStore {
    const timed =
      <A extends unknown[], R>(operation: string, call: (...args: A) => Promise<R>) =>
      async (...args: A): Promise<R> => {
        const end = storeDuration.startTimer({ operation });
        try {
          const result = await call(...args);
          end({ outcome: "ok" });
          storeUp.set(1);
          return result;
        } catch (error) {
          end({ outcome: "error" });
          // Other failures (a duplicate, a bug) leave it as it was; readiness, which checks
          // every few seconds, reports any failure (a wrong password too) as unavailable.
          if (error instanceof StoreUnavailableError) storeUp.set(0);
          throw error;
        }
      };
    return {
      kind: store.kind,
      insert: timed("insert", (entry) => store.insert(entry)),
      list: timed("list", (options) => store.list(options)),
      ping: timed("ping", () => store.ping()),
      close: () => store.close(),
    };
  }

  return { registry, printMetrics, recordRequests: registerMetrics, instrument };
}

export type Metrics = ReturnType<typeof createMetrics>;
