import { randomUUID } from "node:crypto";
import type { MiddlewareHandler } from "hono";
import { routePath } from "hono/route";
import type { Logger } from "pino";
import type { Metrics } from "./metrics.js";
import { addStandardHeaders } from "./response-headers.js";

// Probes and scrapes arrive every few seconds; logging them at info would drown the rest.
const QUIET_PATHS = new Set(["/healthz", "/readyz", "/metrics"]);

/** What hono/request-id accepts from the ingress: word characters, '-' and '=', at most 255. */
const USABLE_REQUEST_ID = /^[\w\-=]{1,255}$/;

export interface RequestFrameDeps {
  logger: Logger;
  metrics: Pick<Metrics, "recordRequest">;
  isDraining: () => boolean;
}

/**
 * What every request gets, in one middleware: an id (the ingress's X-Request-Id, else a new
 * UUID), the security headers, `Connection: close` while draining, the request metrics, and one
 * log line (probes and scrapes at debug). Responses built with completeResponse already carry
 * their headers, and are sent as built.
 */
export const requestFrame = ({ logger, metrics, isDraining }: RequestFrameDeps): MiddlewareHandler =>
  async function requestFrame(c, next) {
    const started = performance.now();
    const given = c.req.header("X-Request-Id");
    const reqId = given !== undefined && USABLE_REQUEST_ID.test(given) ? given : randomUUID();
    c.set("requestId", reqId);
    await next();
    addStandardHeaders(c);
    // While draining, ask keep-alive clients to reconnect (to a pod that is staying).
    if (isDraining()) c.res.headers.set("Connection", "close");
    const ms = performance.now() - started;
    const { method, path } = c.req;
    const status = c.res.status;
    metrics.recordRequest(method, routePath(c), status, ms / 1000);
    const level = QUIET_PATHS.has(path) && status < 500 ? "debug" : "info";
    if (logger.isLevelEnabled(level)) logger[level]({ reqId, method, path, status, ms: Math.round(ms * 10) / 10 }, "request");
  };
