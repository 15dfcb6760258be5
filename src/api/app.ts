import { randomUUID } from "node:crypto";
import { Hono } from "hono";
import { requestId } from "hono/request-id";
import { secureHeaders } from "hono/secure-headers";
import { type Logger, pino } from "pino";
import { requestDeadline } from "./deadline.js";
import { errorBody, errorResponse } from "./errors.js";
import { type Metrics, createMetrics } from "./metrics.js";
import { signRateLimit } from "./rate-limit.js";
import { entriesRoutes } from "./routes/entries.js";
import { healthRoutes } from "./routes/health.js";
import { staticFiles } from "./static-files.js";
import type { EntryStore } from "./store/index.js";

export interface AppLimits {
  /** Entries one client may sign per minute; 0 turns the limit off. */
  rateLimitPerMinute: number;
  /** Proxies in front of the API whose X-Forwarded-For entries are trusted. */
  trustedProxies: number;
  /** An /api request still running after this answers 503. */
  requestTimeoutMs: number;
}

export interface AppDeps {
  store: EntryStore;
  logger?: Logger;
  metrics?: Metrics;
  limits?: Partial<AppLimits>;
  now?: () => Date;
  newId?: () => string;
  isDraining?: () => boolean;
  /** Folder of the built UI to serve at `/`; the API alone when absent. */
  webRoot?: string;
}

export const DEFAULT_LIMITS: AppLimits = { rateLimitPerMinute: 30, trustedProxies: 0, requestTimeoutMs: 10_000 };

const CONTENT_SECURITY_POLICY = {
  defaultSrc: ["'self'"],
  baseUri: ["'none'"],
  objectSrc: ["'none'"],
  frameAncestors: ["'none'"],
  formAction: ["'self'"],
  imgSrc: ["'self'", "data:"],
};

// Probes and scrapes arrive every few seconds; logging them at info would drown the rest.
const QUIET_PATHS = new Set(["/healthz", "/readyz", "/metrics"]);

/** Builds the guestbook's HTTP app from its dependencies; opens no socket and reads no environment. */
export function createApp(deps: AppDeps) {
  const logger = deps.logger ?? pino({ level: "silent" });
  const metrics = deps.metrics ?? createMetrics();
  const limits = { ...DEFAULT_LIMITS, ...deps.limits };
  const isDraining = deps.isDraining ?? (() => false);
  const store = metrics.instrument(deps.store);

  const app = new Hono()
    .use(requestId())
    .use(secureHeaders({ contentSecurityPolicy: CONTENT_SECURITY_POLICY, xFrameOptions: "DENY" }))
    .use(metrics.recordRequests)
    .use(async (c, next) => {
      const started = performance.now();
      await next();
      // While draining, ask keep-alive clients to reconnect (to a pod that is staying).
      if (isDraining()) c.header("Connection", "close");
      const level = QUIET_PATHS.has(c.req.path) && c.res.status < 500 ? "debug" : "info";
      logger[level](
        {
          reqId: c.get("requestId"),
          method: c.req.method,
          path: c.req.path,
          status: c.res.status,
          ms: Math.round((performance.now() - started) * 10) / 10,
        },
        "request",
      );
    })
    .use("/api/*", requestDeadline(limits.requestTimeoutMs))
    .get("/metrics", (c) => metrics.printMetrics(c))
    .route("/", healthRoutes({ store, isDraining, logger }))
    .route(
      "/api/entries",
      entriesRoutes({
        store,
        now: deps.now ?? (() => new Date()),
        newId: deps.newId ?? randomUUID,
        signLimit: signRateLimit(limits),
      }),
    );

  if (deps.webRoot) app.use("/*", ...staticFiles(deps.webRoot));

  app.notFound((c) => c.json(errorBody("not_found", `No route for ${c.req.method} ${c.req.path}.`), 404));
  app.onError((error, c) => errorResponse(error, c, logger));
  return app;
}

/** The API's type, for Hono's typed client in the UI (`hc<AppType>`). */
export type AppType = ReturnType<typeof createApp>;
