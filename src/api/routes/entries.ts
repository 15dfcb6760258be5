import { MIMEType } from "node:util";
import { zValidator } from "@hono/zod-validator";
import { type Context, Hono, type MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";
import { createMiddleware } from "hono/factory";
import { type Entry, MAX_BODY_BYTES } from "../../shared/entry.js";
import { encodeCursor } from "../cursor.js";
import { throwIfPastDeadline } from "../deadline.js";
import { errorBody } from "../errors.js";
import type { EntryStore } from "../store/index.js";
import { listQuerySchema, newEntrySchema, rejectInvalid, signHeadersSchema } from "../validation.js";

export interface EntriesDeps {
  store: EntryStore;
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
  const charset = type.params.get("charset");
  // JSON is UTF-8 (RFC 8259); any other declared charset would be decoded wrongly, not converted.
  if (charset !== null && encodingOf(charset) !== "utf-8") {
    return `Send the entry as UTF-8 JSON: charset=${charset} is not supported.`;
  }
  return null;
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

/** /api/entries: read newest first with a cursor, and sign. No route edits or deletes. */
export const entriesRoutes = ({ store, now, newId, signLimit }: EntriesDeps) =>
  new Hono()
    .get("/", zValidator("query", listQuerySchema, rejectInvalid("invalid_query")), async (c) => {
      const { limit, before } = c.req.valid("query");
      // One extra row tells whether another page exists without a second query.
      const rows = await store.list({ limit: limit + 1, before });
      const entries = rows.slice(0, limit);
      const last = entries.at(-1);
      const nextCursor = rows.length > limit && last ? encodeCursor(last) : null;
      return c.json({ entries, nextCursor }, 200);
    })
    .post(
      "/",
      signLimit,
      requireJson,
      limitBody,
      zValidator("header", signHeadersSchema, rejectInvalid("invalid_input")),
      zValidator("json", newEntrySchema, rejectInvalid("invalid_input")),
      async (c) => {
        const { name, message } = c.req.valid("json");
        // The client's idempotency key is the entry's id, so a retry finds its first attempt.
        const id = c.req.valid("header")["idempotency-key"] ?? newId();
        const submitted: Entry = { id, name, message, createdAt: now().toISOString() };
        throwIfPastDeadline(c);
        const { entry, replayed } = await store.insert(submitted, c.get("deadline"));
        if (replayed) c.header("Idempotent-Replayed", "true");
        return c.json(entry, 201);
      },
    );
