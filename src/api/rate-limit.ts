import type { MiddlewareHandler } from "hono";
import { type RateLimitInfo, rateLimiter } from "hono-rate-limiter";
import type { AppLimits } from "./app.js";
import { clientAddress } from "./client-address.js";
import { errorBody } from "./errors.js";
import { BoundedMemoryStore } from "./rate-limit-store.js";

declare module "hono" {
  interface ContextVariableMap {
    /** Set by the limiter on each sign it counts, when it also prepares the RateLimit-* headers. */
    rateLimit?: RateLimitInfo;
  }
}

const WINDOW_MS = 60_000;
/** Clients remembered per process: about 2 MiB at most, far more than sign in one minute. */
export const MAX_TRACKED_CLIENTS = 10_000;

/**
 * Limits signing per client: over the limit answers 429 with Retry-After and the API's error
 * shape. A request the server failed (5xx: the store unavailable, a timeout) gives the client
 * its hit back, so its retry is not refused; whatever the client got wrong (4xx) still counts,
 * as it still costs the server a request. Counts live in this process, so with N replicas a client gets up to N times the
 * limit; that bounds abuse without a shared store.
 */
export function signRateLimit(limits: Pick<AppLimits, "rateLimitPerMinute" | "trustedProxies">): MiddlewareHandler {
  if (limits.rateLimitPerMinute === 0) return async (_, next) => next();
  return rateLimiter({
    windowMs: WINDOW_MS,
    limit: limits.rateLimitPerMinute,
    standardHeaders: "draft-6",
    store: new BoundedMemoryStore(MAX_TRACKED_CLIENTS),
    keyGenerator: (c) => clientAddress(c, limits.trustedProxies),
    skipFailedRequests: true,
    requestWasSuccessful: (c) => c.res.status < 500,
    handler: (c) =>
      c.json(
        errorBody(
          "rate_limited",
          `Too many entries: at most ${limits.rateLimitPerMinute} a minute. Try again in ${c.res.headers.get("Retry-After") ?? "a few"} seconds.`,
        ),
        429,
      ),
  });
}
