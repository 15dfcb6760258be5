import type { Context } from "hono";
import { z } from "zod";
import { type EntryField, PAGE_LIMITS, fieldProblem } from "../shared/entry.js";
import { decodeCursor } from "./cursor.js";
import { type ErrorCode, errorBody } from "./errors.js";

const entryField = (field: EntryField) => {
  const label = field === "name" ? "Name" : "Message";
  return z
    .string({ error: (issue) => (issue.input === undefined ? `${label} is required.` : `${label} must be a string.`) })
    .trim()
    .superRefine((value, ctx) => {
      const problem = fieldProblem(field, value);
      if (problem) ctx.addIssue({ code: "custom", message: problem });
    });
};

/** Body of POST /api/entries: exactly these two fields, trimmed and within ENTRY_LIMITS. */
export const newEntrySchema = z.strictObject(
  { name: entryField("name"), message: entryField("message") },
  { error: (issue) => (issue.code === "invalid_type" ? "Body must be a JSON object with name and message." : undefined) },
);

/**
 * Headers of POST /api/entries. Idempotency-Key (draft-ietf-httpapi-idempotency-key-header)
 * becomes the entry's id, so it must also fit a paging cursor (cursor.ts).
 */
export const signHeadersSchema = z.object({
  "idempotency-key": z
    .string()
    .regex(/^[A-Za-z0-9_-]{16,64}$/, "Idempotency-Key must be 16 to 64 letters, digits, '-' or '_'.")
    .optional(),
});

const limitSchema = z
  .string()
  .regex(/^\d{1,4}$/, `limit must be a whole number from ${PAGE_LIMITS.min} to ${PAGE_LIMITS.max}.`)
  .transform(Number)
  .refine(
    (n) => n >= PAGE_LIMITS.min && n <= PAGE_LIMITS.max,
    `limit must be a whole number from ${PAGE_LIMITS.min} to ${PAGE_LIMITS.max}.`,
  );

/** Query of GET /api/entries. Unknown parameters are ignored, as caches and proxies add them. */
export const listQuerySchema = z.object({
  limit: limitSchema.default(PAGE_LIMITS.default),
  before: z
    .string()
    .transform((value, ctx) => {
      const cursor = decodeCursor(value);
      if (!cursor) {
        ctx.addIssue({ code: "custom", message: "before must be a nextCursor returned by this API." });
        return z.NEVER;
      }
      return cursor;
    })
    .optional(),
});

function describe(issues: readonly z.core.$ZodIssue[]): string {
  return issues
    .map((issue) =>
      issue.code === "unrecognized_keys"
        ? `Unknown field${issue.keys.length > 1 ? "s" : ""}: ${issue.keys.join(", ")}. Only name and message are accepted.`
        : issue.message,
    )
    .join(" ");
}

/** The zod-validator hook: every validation failure becomes one 400 in the API's error shape. */
export const rejectInvalid =
  (code: Extract<ErrorCode, "invalid_input" | "invalid_query">) =>
  (result: { success: true } | { success: false; error: z.core.$ZodError }, c: Context) => {
    if (!result.success) return c.json(errorBody(code, describe(result.error.issues)), 400);
  };
