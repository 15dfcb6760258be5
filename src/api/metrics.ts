import { prometheus } from "@hono/prometheus";
import { Histogram, Registry } from "prom-client";
import type { EntryStore } from "./store/index.js";

/**
 * Prometheus metrics for one app: request counts and durations by route and status (from
 * @hono/prometheus), store operation timings, and the process's own metrics. Each app gets
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

  /** The same store, timing every call. */
  function instrument(store: EntryStore): EntryStore {
    const timed =
      <A extends unknown[], R>(operation: string, call: (...args: A) => Promise<R>) =>
      async (...args: A): Promise<R> => {
        const end = storeDuration.startTimer({ operation });
        try {
          const result = await call(...args);
          end({ outcome: "ok" });
          return result;
        } catch (error) {
          end({ outcome: "error" });
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
