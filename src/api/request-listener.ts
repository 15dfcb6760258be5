import type { RequestListener } from "node:http";
import { getRequestListener } from "@hono/node-server";
import { type AppDeps, assembleApp } from "./app.js";
import { newestPageListener } from "./newest-page-listener.js";

/**
 * The node:http listener the server runs: the newest page from memory first, the Hono app for
 * everything else. `hostname` completes request URLs that arrive without a Host header.
 */
export function createRequestListener(deps: AppDeps & { hostname?: string }): RequestListener {
  const { app, newestPage, record, isDraining } = assembleApp(deps);
  const fallback = getRequestListener(app.fetch, { hostname: deps.hostname });
  return newestPageListener({ newestPage, record, isDraining, fallback });
}
