import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import type { Logger } from "pino";
import { IdempotencyConflictError, StoreUnavailableError } from "./store/index.js";

export type ErrorCode =
  | "invalid_input"
  | "invalid_query"
  | "not_found"
  | "payload_too_large"
  | "unsupported_media_type"
  | "idempotency_key_reused"
  | "rate_limited"
  | "store_unavailable"
  | "timeout"
  | "internal_error";

/** The one shape of every error the API returns. */
export interface ApiErrorBody {
  error: { code: ErrorCode; message: string };
}

export const errorBody = (code: ErrorCode, message: string): ApiErrorBody => ({ error: { code, message } });

/** Seconds a client should wait before retrying a 503. */
const RETRY_AFTER_SECONDS = "5";

/**
 * Turns anything a handler threw into the API's JSON error. Only transient conditions (a
 * StoreUnavailableError, a timeout) answer 503 with Retry-After; anything unexpected is a bug:
 * logged in full, answered 500 with no detail.
 */
export function errorResponse(error: Error, c: Context, logger: Logger): Response {
  if (error instanceof IdempotencyConflictError) {
    return c.json(
      errorBody("idempotency_key_reused", "This Idempotency-Key was already used for a different entry; send a new key."),
      422,
    );
  }
  if (error instanceof StoreUnavailableError) {
    logger.warn({ err: error.cause ?? error, reqId: c.get("requestId") }, error.message);
    c.header("Retry-After", RETRY_AFTER_SECONDS);
    return c.json(errorBody("store_unavailable", "The guestbook store is unavailable; try again shortly."), 503);
  }
  if (error instanceof HTTPException && error.status === 503) {
    logger.warn({ reqId: c.get("requestId"), path: c.req.path }, error.message);
    c.header("Retry-After", RETRY_AFTER_SECONDS);
    return c.json(errorBody("timeout", "The request took too long; try again shortly."), 503);
  }
  if (error instanceof HTTPException && error.status < 500) {
    // Hono's own 4xx, such as malformed JSON in a request body.
    return c.json(errorBody("invalid_input", error.message), 400);
  }
  logger.error({ err: error, reqId: c.get("requestId"), method: c.req.method, path: c.req.path }, "unhandled error");
  return c.json(errorBody("internal_error", "Something went wrong on our side."), 500);
}
