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

/** The request's id: the ingress's X-Request-Id when it is a sane one, else a new UUID. */
export const requestIdFrom = (given: string | undefined): string =>
  given !== undefined && USABLE_REQUEST_ID.test(given) ? given : randomUUID();

export interface RecorderDeps {
  logger: Logger;
  metrics: Pick<Metrics, "recordRequest">;
}

/** What ends every request, whichever path answered it: the request metrics and one log line. */
export interface FinishedRequest {
  reqId: string;
  method: string;
  /** The route's pattern, the metrics' label. */
  route: string;
  path: string;
  status: number;
  /** From arrival until the response was ready to send. */
  ms: number;
}

/** Records a finished request: its metrics, and its log line (probes and scrapes at debug). */
export function requestRecorder({ logger, metrics }: RecorderDeps) {
  return function recordFinished({ reqId, method, route, path, status, ms }: FinishedRequest): void {
    metrics.recordRequest(method, route, status, ms / 1000);
    const level = QUIET_PATHS.has(path) && status < 500 ? "debug" : "info";
    if (logger.isLevelEnabled(level)) logger[level]({ reqId, method, path, status, ms: Math.round(ms * 10) / 10 }, "request");
  };
}

export type RequestRecorder = ReturnType<typeof requestRecorder>;

/**
 * What every request Hono answers gets, in one middleware: an id, the security headers,
 * `Connection: close` while draining, and the recorder's metrics and log line. Responses built
 * with completeResponse already carry their headers, and are sent as built.
 */
export const requestFrame = (record: RequestRecorder, isDraining: () => boolean): MiddlewareHandler =>
  async function requestFrame(c, next) {
    const started = performance.now();
    const reqId = requestIdFrom(c.req.header("X-Request-Id"));
    c.set("requestId", reqId);
    await next();
    addStandardHeaders(c);
    // While draining, ask keep-alive clients to reconnect (to a pod that is staying).
    if (isDraining()) c.res.headers.set("Connection", "close");
    const ms = performance.now() - started;
    record({ reqId, method: c.req.method, route: routePath(c), path: c.req.path, status: c.res.status, ms });
  };
