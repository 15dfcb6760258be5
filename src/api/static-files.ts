import { existsSync, statSync } from "node:fs";
import { serveStatic } from "@hono/node-server/serve-static";
import type { MiddlewareHandler } from "hono";
import { RETAINED_304_HEADERS, etag } from "hono/etag";

// Vite names built assets by content hash, so they never change; index.html always may.
const IMMUTABLE_ASSET = /\/assets\/[^/]+-[A-Za-z0-9_-]{8,}\.\w+$/;
const PRECOMPRESSED_SUFFIX = /\.(br|gz|zst)$/;
const PRECOMPRESSED_COPIES = [".br", ".gz", ".zst"];
const RETAINED = new Set(RETAINED_304_HEADERS);

/** A validator from the file's size and modification time, as nginx and Express make it. */
const statTag = (path: string): string => {
  const { size, mtimeMs } = statSync(path);
  return `W/"${size.toString(16)}-${Math.floor(mtimeMs).toString(16)}"`;
};

/**
 * If-Modified-Since (RFC 9110, 13.1.3) for clients that revalidate by date. hono/etag
 * answers If-None-Match, which takes precedence whenever a client sends it.
 */
const notModifiedSince: MiddlewareHandler = async (c, next) => {
  await next();
  if (c.res.status !== 200 || c.req.header("If-None-Match") !== undefined) return;
  const since = Date.parse(c.req.header("If-Modified-Since") ?? "");
  const modified = Date.parse(c.res.headers.get("Last-Modified") ?? "");
  if (Number.isNaN(since) || Number.isNaN(modified) || modified > since) return;
  await c.res.body?.cancel();
  // As hono/etag does: Hono merges the old headers in, then all but the 304's are removed.
  c.res = new Response(null, { status: 304 });
  for (const name of [...c.res.headers.keys()]) if (!RETAINED.has(name)) c.res.headers.delete(name);
};

/**
 * The built UI under `root`: conditional requests answered 304 (ETag and Last-Modified),
 * the `.br`/`.gz` copies the build writes served to clients that accept them, hashed assets
 * cached for a year and everything else revalidated.
 */
export const staticFiles = (root: string): MiddlewareHandler[] => [
  etag(),
  notModifiedSince,
  serveStatic({
    root,
    precompressed: true,
    onFound: (path, c) => {
      const immutable = IMMUTABLE_ASSET.test(path.replace(PRECOMPRESSED_SUFFIX, ""));
      c.header("Cache-Control", immutable ? "public, max-age=31536000, immutable" : "no-cache");
      c.header("ETag", statTag(path));
      // serveStatic says Vary only when it sends a compressed copy; the file itself, sent when the
      // client accepts none, differs by Accept-Encoding just as much, or a cache would hand it on
      // to clients that accept one (and a copy to clients that accept none).
      if (!PRECOMPRESSED_SUFFIX.test(path) && PRECOMPRESSED_COPIES.some((suffix) => existsSync(path + suffix))) {
        c.header("Vary", "Accept-Encoding", { append: true });
      }
    },
  }),
];
