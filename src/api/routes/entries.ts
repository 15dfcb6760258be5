import { MIMEType } from "node:util";
import { zValidator } from "@hono/zod-validator";
import { type Context, type Env, Hono, type MiddlewareHandler, type TypedResponse } from "hono";
import { bodyLimit } from "hono/body-limit";
import { createMiddleware } from "hono/factory";
import type { z } from "zod";
import { type Entry, MAX_BODY_BYTES, PAGE_LIMITS } from "../../shared/entry.js";
import { throwIfPastDeadline } from "../deadline.js";
import { type ApiErrorBody, errorBody } from "../errors.js";
import { type NewestPageCache, type Page, type PreparedPage, noneMatchHits, pageOf } from "../newest-page.js";
import { completeResponse, fixedHeaders } from "../response-headers.js";
import type { EntryStore } from "../store/index.js";
import { listQuerySchema, newEntrySchema, rejectInvalid, signHeadersSchema } from "../validation.js";

export interface EntriesDeps {
  store: EntryStore;
  /** The first page kept in memory; each sign drops it before answering. */
  newestPage: NewestPageCache;
  now: () => Date;
  newId: () => string;
  /** Applied to signing only: reads are never limited. */
  signLimit: MiddlewareHandler;
}

/** Why the declared Content-Type cannot be read as JSON text, or null when it can. */
function mediaTypeProblem(declared: string | undefined): string | null {
  let type: MIMEType;
  try {
    type = new MIMEType(declared ?? "");
  } catch {
    return "Send the entry as application/json.";
  }
  if (type.essence !== "application/json") return "Send the entry as application/json.";
  // A parameter given twice is an error (RFC 6838, 4.3): which charset was meant is unknown, and
  // MIMEType would quietly keep the first. 415 like any other unusable Content-Type (RFC 9110, 15.5.16).
  if (parameterCount(declared!, "charset") > 1) return "Send the entry as UTF-8 JSON: Content-Type names charset more than once.";
  const charset = type.params.get("charset");
  // JSON is UTF-8 (RFC 8259); any other declared charset would be decoded wrongly, not converted.
  if (charset !== null && encodingOf(charset) !== "utf-8") {
    return `Send the entry as UTF-8 JSON: charset=${charset} is not supported.`;
  }
  return null;
}

/** How often a media type names a parameter; a quoted value may hold ";" (RFC 9110, 5.6.6). */
function parameterCount(mediaType: string, name: string): number {
  let count = 0;
  for (const [, parameter] of mediaType.matchAll(/;\s*([^\s=;]+)\s*(?:=\s*(?:"(?:[^"\\]|\\.)*"|[^;]*))?/g)) {
    if (parameter!.toLowerCase() === name) count++;
  }
  return count;
}

/** The encoding a charset label names, by the WHATWG Encoding Standard's label table. */
function encodingOf(label: string): string | null {
  try {
    return new TextDecoder(label).encoding;
  } catch {
    return null;
  }
}

const requireJson = createMiddleware(async (c, next) => {
  const problem = mediaTypeProblem(c.req.header("Content-Type"));
  if (problem) return c.json(errorBody("unsupported_media_type", problem), 415);
  await next();
});

/**
 * JSON text is UTF-8 (RFC 8259, 8.1): a body with bytes that are not is refused, where the JSON
 * reader would turn them into U+FFFD and store that instead of what was sent.
 */
const strictUtf8 = new TextDecoder("utf-8", { fatal: true });
const requireUtf8Body = createMiddleware(async (c, next) => {
  // Read outside the try: a body that cannot be read is not a UTF-8 problem.
  const body = await c.req.arrayBuffer();
  try {
    strictUtf8.decode(body);
  } catch {
    return c.json(errorBody("invalid_input", "Request body must be UTF-8 JSON: it has bytes that are not valid UTF-8."), 400);
  }
  await next();
});

const tooLarge = (c: Context) =>
  c.json(errorBody("payload_too_large", `Request body must be at most ${MAX_BODY_BYTES} bytes.`), 413);

const countBody = bodyLimit({ maxSize: MAX_BODY_BYTES, onError: tooLarge });

// A declared Content-Length is checked from the header alone: touching the raw body stream, as
// bodyLimit does, makes the Node adapter build a full Request and halves signing throughput.
// Bodies without a length (chunked) are counted as they stream.
const limitBody = createMiddleware(async (c, next) => {
  const declared = c.req.header("Content-Length");
  if (declared === undefined || c.req.header("Transfer-Encoding") !== undefined) return countBody(c, next);
  if (Number(declared) > MAX_BODY_BYTES) return tooLarge(c);
  await next();
});

type SignHeaders = z.output<typeof signHeadersSchema>;

/**
 * The sign's headers, checked as zValidator("header", signHeadersSchema) would and typed alike
 * for Hono's client, from the one header the schema names: collecting every header into an
 * object for the schema, on every sign, cost more than the check.
 */
const signHeaders: MiddlewareHandler<
  Env,
  string,
  { in: { header: SignHeaders }; out: { header: SignHeaders } },
  Response & TypedResponse<ApiErrorBody, 400, "json">
> = async (c, next) => {
  const key = c.req.header("Idempotency-Key");
  const result = signHeadersSchema.safeParse(key === undefined ? {} : { "idempotency-key": key });
  if (!result.success) return rejectInvalid("invalid_input")(result, c);
  c.req.addValidatedData("header", result.data);
  await next();
};

/**
 * The newest page as stored bytes: 304 with no body when If-None-Match names its ETag. Typed
 * as c.json's answer would be, so Hono's client knows the body.
 */
function sendNewestPage(c: Context, page: PreparedPage) {
  if (noneMatchHits(c.req.header("If-None-Match"), page.etag)) {
    return completeResponse(c, null, 304, page.headers.notModified.record) as Response & TypedResponse<null, 304, "body">;
  }
  return completeResponse(c, page.body, 200, page.headers.ok.record) as Response & TypedResponse<Page, 200, "json">;
}

/**
 * `GET /api/entries` with no query, answered from memory while the kept page is within its TTL:
 * nothing to validate and nothing to wait for. Anything else goes on to the route.
 */
export const newestPageFromMemory = (newestPage: NewestPageCache): MiddlewareHandler =>
  async function newestPageFromMemory(c, next) {
    if (c.req.method === "GET" && !c.req.url.includes("?")) {
      const page = newestPage.peek();
      if (page) return sendNewestPage(c, page);
    }
    await next();
  };

// A 201's header set, built once: no Headers object is assembled per sign.
const CREATED = fixedHeaders({ "content-type": "application/json" }).record;
const REPLAYED = fixedHeaders({ "content-type": "application/json", "idempotent-replayed": "true" }).record;

/** The 201 for a stored entry (or for a retry of one: Idempotent-Replayed). */
function created(c: Context, entry: Entry, replayed: boolean) {
  // The rate limiter prepared its RateLimit-* headers on the context: c.json merges them in.
  if (c.get("rateLimit")) {
    if (replayed) c.header("Idempotent-Replayed", "true");
    return c.json(entry, 201);
  }
  return completeResponse(c, JSON.stringify(entry), 201, replayed ? REPLAYED : CREATED) as Response &
    TypedResponse<Entry, 201, "json">;
}

/** /api/entries: read newest first with a cursor, and sign. No route edits or deletes. */
export const entriesRoutes = ({ store, newestPage, now, newId, signLimit }: EntriesDeps) =>
  new Hono()
    .get("/", zValidator("query", listQuerySchema, rejectInvalid("invalid_query")), async (c) => {
      const { limit, before } = c.req.valid("query");
      if (!before && limit === PAGE_LIMITS.default) return sendNewestPage(c, await newestPage.read());
      // One extra row tells whether another page exists without a second query.
      return c.json(pageOf(await store.list({ limit: limit + 1, before }), limit), 200);
    })
    .post(
      "/",
      signLimit,
      requireJson,
      limitBody,
      signHeaders,
      requireUtf8Body,
      zValidator("json", newEntrySchema, rejectInvalid("invalid_input")),
      async (c) => {
        const { name, message } = c.req.valid("json");
        // The client's idempotency key is the entry's id, so a retry finds its first attempt.
        const id = c.req.valid("header")["idempotency-key"] ?? newId();
        const submitted: Entry = { id, name, message, createdAt: now().toISOString() };
        throwIfPastDeadline(c);
        // Whatever the outcome (a timeout may still have stored it), the kept page may be stale.
        const { entry, replayed } = await store.insert(submitted, c.get("deadline")).finally(newestPage.invalidate);
        return created(c, entry, replayed);
      },
    );
