import type { Context } from "hono";
import { createMiddleware } from "hono/factory";
import { HTTPException } from "hono/http-exception";

declare module "hono" {
  interface ContextVariableMap {
    /** Aborted once the request has run for REQUEST_TIMEOUT_MS and been answered 503. */
    deadline: AbortSignal;
  }
}

const timedOut = () => new HTTPException(503, { message: "request timed out" });

/**
 * Answers 503 when a request outlives `ms`, as hono/timeout does, and also tells the
 * handler, which keeps running behind that answer: it must then start no write, or a
 * client told "try again" would find its entry stored twice.
 */
export const requestDeadline = (ms: number) =>
  createMiddleware(async (c, next) => {
    const deadline = new AbortController();
    c.set("deadline", deadline.signal);
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        deadline.abort();
        reject(timedOut());
      }, ms);
    });
    try {
      await Promise.race([next(), expired]);
    } finally {
      clearTimeout(timer);
    }
  });

/** Call right before a write: throws once the request has been answered with a timeout. */
export function throwIfPastDeadline(c: Context): void {
  if (c.get("deadline")?.aborted) throw timedOut();
}
