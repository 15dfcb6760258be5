import { type Context, Hono, type MiddlewareHandler } from "hono";
import { secureHeaders } from "hono/secure-headers";

const CONTENT_SECURITY_POLICY = {
  defaultSrc: ["'self'"],
  baseUri: ["'none'"],
  objectSrc: ["'none'"],
  frameAncestors: ["'none'"],
  formAction: ["'self'"],
  imgSrc: ["'self'", "data:"],
};

/** The headers a middleware adds to an empty response, read once from a throwaway app. */
async function headersAddedBy(middleware: MiddlewareHandler): Promise<Readonly<Record<string, string>>> {
  const res = await new Hono()
    .use(middleware)
    .get("/", (c) => c.body(null, 204))
    .request("/");
  return Object.freeze(Object.fromEntries(res.headers));
}

/**
 * Every response's security headers, as hono/secure-headers sets them, computed once at start-up
 * instead of assembled on each request: the set never depends on the request.
 */
export const SECURITY_HEADERS = await headersAddedBy(
  secureHeaders({ contentSecurityPolicy: CONTENT_SECURITY_POLICY, xFrameOptions: "DENY" }),
);

declare module "hono" {
  interface ContextVariableMap {
    /** The request's id: the ingress's X-Request-Id when it is a sane one, else a new UUID. */
    requestId: string;
    /** Set when the handler's response already carries every standard header. */
    headersComplete: boolean;
  }
}

/**
 * One fixed header set, the security headers plus `extra`, built once in the two forms it is sent
 * in, so both paths send the same set: `record` for completeResponse (through Hono), `flat`
 * (`[name, value, ...]`) for node:http's writeHead, which takes it as it is.
 */
export interface FixedHeaders {
  record: Readonly<Record<string, string>>;
  flat: readonly string[];
}

export function fixedHeaders(extra: Record<string, string>): FixedHeaders {
  const record = Object.freeze({ ...SECURITY_HEADERS, ...extra });
  return { record, flat: Object.freeze(Object.entries(record).flat()) };
}

/**
 * A response whose headers are one plain object: `headers` (a fixedHeaders record) and the
 * request id. @hono/node-server writes such a response without building a Headers object, and
 * the request frame adds nothing to it.
 */
export function completeResponse(
  c: Context,
  body: Uint8Array<ArrayBuffer> | string | null,
  status: number,
  headers: Readonly<Record<string, string>>,
): Response {
  c.set("headersComplete", true);
  return new Response(body, { status, headers: { ...headers, "x-request-id": c.get("requestId") } });
}

/** Adds the standard headers to a response built any other way (static files, errors, probes). */
export function addStandardHeaders(c: Context): void {
  if (c.get("headersComplete")) return;
  const headers = c.res.headers;
  for (const name in SECURITY_HEADERS) headers.set(name, SECURITY_HEADERS[name]!);
  headers.set("X-Request-Id", c.get("requestId"));
}
