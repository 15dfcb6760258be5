import type { Context } from "hono";
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";
import { type EntryStore, StoreUnavailableError } from "./store/index.js";

const REQUEST_LABELS = ["method", "status", "ok", "route"] as const;
type RequestLabels = Record<(typeof REQUEST_LABELS)[number], string>;

/**
 * Prometheus metrics for one app: request counts and durations by route and status, store
 * operation timings, whether the store answers, and the process's own metrics. Each app gets its own registry, so tests
 * never share counters. The request metrics keep the names, labels and buckets @hono/prometheus
 * gave them, so dashboards are unchanged; recording them here, from the request frame with one
 * label object per route and status, skips that middleware's per-request objects.
 */
export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: "guestbook_" });
  const requestDuration = new Histogram({
    name: "guestbook_http_request_duration_seconds",
    help: "Duration of HTTP requests in seconds",
    labelNames: REQUEST_LABELS,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10],
    registers: [registry],
  });
  const requestsTotal = new Counter({
    name: "guestbook_http_requests_total",
    help: "Total number of HTTP requests",
    labelNames: REQUEST_LABELS,
    registers: [registry],
  });
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

  // One label object per method, route and status, made once: a handful exist in practice.
  const labelSets = new Map<string, RequestLabels>();
  const labelsFor = (method: string, route: string, status: number): RequestLabels => {
    const key = `${method} ${status} ${route}`;
    let labels = labelSets.get(key);
    if (!labels) {
      // Key order is the order of the labels in the exposition, unchanged.
      labels = { method, route, status: String(status), ok: String(status >= 200 && status < 300) };
      labelSets.set(key, labels);
    }
    return labels;
  };

  /** Counts one request and observes its duration. */
  function recordRequest(method: string, route: string, status: number, seconds: number): void {
    const labels = labelsFor(method, route, status);
    requestDuration.observe(labels, seconds);
    requestsTotal.inc(labels);
  }

  // The store's state as last set, so the gauge is written only when it changes.
  let up: number | undefined;
  const markUp = (value: number) => {
    if (up !== value) storeUp.set((up = value));
  };

  /**
   * The same store, timing every call and recording whether the store answered. One label set
   * per operation and outcome, made once, and no async wrapper: this runs on every sign.
   */
  function instrument(store: EntryStore): EntryStore {
    const timed = <A extends unknown[], R>(operation: string, call: (...args: A) => Promise<R>) => {
      const ok = { operation, outcome: "ok" };
      const failed = { operation, outcome: "error" };
      return (...args: A): Promise<R> => {
        const started = performance.now();
        let pending: Promise<R>;
        try {
          pending = call(...args);
        } catch (error) {
          pending = Promise.reject(error);
        }
        return pending.then(
          (result) => {
            storeDuration.observe(ok, (performance.now() - started) / 1000);
            markUp(1);
            return result;
          },
          (error: unknown) => {
            storeDuration.observe(failed, (performance.now() - started) / 1000);
            // Other failures (a duplicate, a bug) leave it as it was; readiness, which checks
            // every few seconds, reports any failure (a wrong password too) as unavailable.
            if (error instanceof StoreUnavailableError) markUp(0);
            throw error;
          },
        );
      };
    };
    return {
      kind: store.kind,
      insert: timed("insert", (entry, deadline) => store.insert(entry, deadline)),
      list: timed("list", (options) => store.list(options)),
      ping: timed("ping", () => store.ping()),
      close: () => store.close(),
      onChange: store.onChange?.bind(store),
    };
  }

  const printMetrics = async (c: Context) => c.body(await registry.metrics(), 200, { "Content-Type": registry.contentType });

  return { registry, printMetrics, recordRequest, instrument };
}

export type Metrics = ReturnType<typeof createMetrics>;
