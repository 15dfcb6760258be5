import { randomUUID } from "node:crypto";
import { Hono } from "hono";
import { type Logger, pino } from "pino";
import { PAGE_LIMITS } from "../shared/entry.js";
import { requestDeadline } from "./deadline.js";
import { errorBody, errorResponse } from "./errors.js";
import { type Metrics, createMetrics } from "./metrics.js";
import { newestPageCache } from "./newest-page.js";
import { signRateLimit } from "./rate-limit.js";
import { requestFrame, requestRecorder } from "./request-frame.js";
import { entriesRoutes, newestPageFromMemory } from "./routes/entries.js";
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
  /** How long the newest page may be served from memory; 0 reads the store for every request. */
  cacheTtlMs: number;
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

export const DEFAULT_LIMITS: AppLimits = {
  rateLimitPerMinute: 30,
  trustedProxies: 0,
  requestTimeoutMs: 10_000,
  cacheTtlMs: 1000,
};

/**
 * The logger for the one line per request: the process's logger without its redaction, which
 * costs on every key of every line. A request line holds five fixed fields (id, method, path,
 * status, duration), none of them one the redaction is for; every other line keeps it.
 */
const requestLogger = (logger: Logger): Logger => logger.child({}, { redact: [] });

/** Builds the guestbook's HTTP app from its dependencies; opens no socket and reads no environment. */
export const createApp = (deps: AppDeps) => assembleApp(deps).app;

/** The app and what a listener in front of it shares with it: the kept page and the request recorder. */
export function assembleApp(deps: AppDeps) {
  const logger = deps.logger ?? pino({ level: "silent" });
  const metrics = deps.metrics ?? createMetrics();
  const limits = { ...DEFAULT_LIMITS, ...deps.limits };
  const isDraining = deps.isDraining ?? (() => false);
  const store = metrics.instrument(deps.store);

  // Every write this process makes, and every write the store hears of, drops the kept page.
  const newestPage = newestPageCache({ store, limit: PAGE_LIMITS.default, ttlMs: limits.cacheTtlMs });
  store.onChange?.(newestPage.invalidate);

  const record = requestRecorder({ logger: requestLogger(logger), metrics });
  const app = new Hono()
    .use(requestFrame(record, isDraining))
    // Before the deadline and validation: a page already in memory needs neither.
    .use("/api/entries", newestPageFromMemory(newestPage))
    .use("/api/*", requestDeadline(limits.requestTimeoutMs))
    .get("/metrics", (c) => metrics.printMetrics(c))
    .route("/", healthRoutes({ store, isDraining, logger }))
    .route(
      "/api/entries",
      entriesRoutes({
        store,
        newestPage,
        now: deps.now ?? (() => new Date()),
        newId: deps.newId ?? randomUUID,
        signLimit: signRateLimit(limits),
      }),
    );

  if (deps.webRoot) app.use("/*", ...staticFiles(deps.webRoot));

  app.notFound((c) => c.json(errorBody("not_found", `No route for ${c.req.method} ${c.req.path}.`), 404));
  app.onError((error, c) => errorResponse(error, c, logger));
  return { app, newestPage, record, isDraining };
}

/** The API's type, for Hono's typed client in the UI (`hc<AppType>`). */
export type AppType = ReturnType<typeof createApp>;
