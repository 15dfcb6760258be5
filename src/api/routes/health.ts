import { Hono } from "hono";
import type { EntryStore, StoreLogger } from "../store/index.js";
import { StoreUnavailableError } from "../store/index.js";

export interface HealthDeps {
  store: EntryStore;
  /** True once shutdown has begun: readiness fails so that endpoints drain. */
  isDraining: () => boolean;
  /** Where an outage after the first contact is logged, once as it begins and once as it ends. */
  logger: Pick<StoreLogger, "info" | "warn">;
}

/**
 * Kubernetes probes: liveness never touches the store; readiness does, and fails until the
 * store has answered once, so a pod that cannot use its database never goes ready (a broken
 * rollout keeps the old pods: maxUnavailable is 0). After that first answer a database outage
 * is every pod's outage: were all of them to turn unready together, the ingress would answer
 * its own HTML 503. So they stay ready, the API answers its JSON 503 with Retry-After, and the
 * outage shows in guestbook_store_up and in the log.
 */
export function healthRoutes({ store, isDraining, logger }: HealthDeps) {
  const outage = outageLog(logger);
  let answeredOnce = false;
  return new Hono()
    .get("/healthz", (c) => c.json({ status: "ok" }, 200))
    .get("/readyz", async (c) => {
      if (isDraining()) return c.json({ status: "draining" }, 503);
      try {
        await store.ping();
        answeredOnce = true;
        outage.ended();
        return c.json({ status: "ready", store: store.kind }, 200);
      } catch (error) {
        if (answeredOnce) {
          outage.began(error);
          return c.json({ status: "store_unavailable", store: store.kind }, 200);
        }
        if (error instanceof StoreUnavailableError) return c.json({ status: "store_unavailable" }, 503);
        throw error;
      }
    });
}

/** One line when an outage begins and one when it ends, however many probes see it. */
function outageLog(logger: HealthDeps["logger"]) {
  let since: number | undefined;
  return {
    began(error: unknown) {
      if (since !== undefined) return;
      since = performance.now();
      const reason = error instanceof Error ? error.message : String(error);
      logger.warn(
        { err: error },
        `The store is unavailable (${reason}); staying ready, so the API itself answers 503 with Retry-After until it is back`,
      );
    },
    ended() {
      if (since === undefined) return;
      const seconds = Math.round((performance.now() - since) / 100) / 10;
      since = undefined;
      logger.info({ outageSeconds: seconds }, `The store is available again after ${seconds} s`);
    },
  };
}
