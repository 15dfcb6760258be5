import { Hono } from "hono";
import type { EntryStore } from "../store/index.js";
import { StoreUnavailableError } from "../store/index.js";

export interface HealthDeps {
  store: EntryStore;
  /** True once shutdown has begun: readiness fails so that endpoints drain. */
  isDraining: () => boolean;
}

/** Kubernetes probes: liveness never touches the store; readiness does. */
export const healthRoutes = ({ store, isDraining }: HealthDeps) =>
  new Hono()
    .get("/healthz", (c) => c.json({ status: "ok" }, 200))
    .get("/readyz", async (c) => {
      if (isDraining()) return c.json({ status: "draining" }, 503);
      try {
        await store.ping();
        return c.json({ status: "ready", store: store.kind }, 200);
      } catch (error) {
        if (error instanceof StoreUnavailableError) return c.json({ status: "store_unavailable" }, 503);
        throw error;
      }
    });
