import { randomUUID } from "node:crypto";
import { serveStatic } from "@hono/node-server/serve-static";
import { Hono } from "hono";
import { requestId } from "hono/request-id";
import { secureHeaders } from "hono/secure-headers";
import { type Logger, pino } from "pino";
import { errorBody, errorResponse } from "./errors.js";
import { entriesRoutes } from "./routes/entries.js";
import { healthRoutes } from "./routes/health.js";
import type { EntryStore } from "./store/index.js";

export interface AppDeps {
  store: EntryStore;
  logger?: Logger;
  now?: () => Date;
  newId?: () => string;
  isDraining?: () => boolean;
  /** Folder of the built UI to serve at `/`; the API alone when absent. */
  webRoot?: string;
}

const CONTENT_SECURITY_POLICY = {
  defaultSrc: ["'self'"],
  baseUri: ["'none'"],
  objectSrc: ["'none'"],
  frameAncestors: ["'none'"],
  formAction: ["'self'"],
  imgSrc: ["'self'", "data:"],
};

// Vite names built assets by content hash, so they never change; index.html always may.
const IMMUTABLE_ASSET = /\/assets\/[^/]+-[A-Za-z0-9_-]{8,}\.\w+$/;

/** Builds the guestbook's HTTP app from its dependencies; opens no socket and reads no environment. */
export function createApp(deps: AppDeps) {
  const logger = deps.logger ?? pino({ level: "silent" });
  const now = deps.now ?? (() => new Date());
  const newId = deps.newId ?? randomUUID;
  const isDraining = deps.isDraining ?? (() => false);

  const app = new Hono()
    .use(requestId())
    .use(secureHeaders({ contentSecurityPolicy: CONTENT_SECURITY_POLICY, xFrameOptions: "DENY" }))
    .use(async (c, next) => {
      const started = performance.now();
      await next();
      logger.info(
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
    .route("/", healthRoutes({ store: deps.store, isDraining }))
    .route("/api/entries", entriesRoutes({ store: deps.store, now, newId }));

  if (deps.webRoot) {
    app.use(
      "/*",
      serveStatic({
        root: deps.webRoot,
        onFound: (path, c) => {
          c.header("Cache-Control", IMMUTABLE_ASSET.test(path) ? "public, max-age=31536000, immutable" : "no-cache");
        },
      }),
    );
  }

  app.notFound((c) => c.json(errorBody("not_found", `No route for ${c.req.method} ${c.req.path}.`), 404));
  app.onError((error, c) => errorResponse(error, c, logger));
  return app;
}

/** The API's type, for Hono's typed client in the UI (`hc<AppType>`). */
export type AppType = ReturnType<typeof createApp>;
