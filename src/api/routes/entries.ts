import { zValidator } from "@hono/zod-validator";
import { type Context, Hono, type MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";
import { createMiddleware } from "hono/factory";
import { type Entry, MAX_BODY_BYTES } from "../../shared/entry.js";
import { encodeCursor } from "../cursor.js";
import { errorBody } from "../errors.js";
import type { EntryStore } from "../store/index.js";
import { listQuerySchema, newEntrySchema, rejectInvalid } from "../validation.js";

export interface EntriesDeps {
  store: EntryStore;
  now: () => Date;
  newId: () => string;
  /** Applied to signing only: reads are never limited. */
  signLimit: MiddlewareHandler;
}

const JSON_MEDIA_TYPE = /^application\/json\s*(;|$)/i;

const requireJson = createMiddleware(async (c, next) => {
  if (!JSON_MEDIA_TYPE.test(c.req.header("Content-Type") ?? "")) {
    return c.json(errorBody("unsupported_media_type", "Send the entry as application/json."), 415);
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
      zValidator("json", newEntrySchema, rejectInvalid("invalid_input")),
      async (c) => {
        const { name, message } = c.req.valid("json");
        const entry: Entry = { id: newId(), name, message, createdAt: now().toISOString() };
        await store.insert(entry);
        return c.json(entry, 201);
      },
    );
