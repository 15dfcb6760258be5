import { hc } from "hono/client";
import type { AppType } from "../api/app.js";
import type { Entry } from "../shared/entry.js";

export interface Page {
  entries: Entry[];
  nextCursor: string | null;
}

/** A failure to show the visitor as it is. */
export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number | null,
  ) {
    super(message);
    this.name = "ApiError";
  }
}

const UNREACHABLE = "Can't reach the guestbook server. Check your connection and try again.";

async function call<T>(send: () => Promise<Response>): Promise<T> {
  let response: Response;
  try {
    response = await send();
  } catch {
    throw new ApiError(UNREACHABLE, null);
  }
  const body: unknown = await response.json().catch(() => null);
  if (response.ok && body !== null) return body as T;
  throw new ApiError(describeFailure(response, body), response.status);
}

function describeFailure(response: Response, body: unknown): string {
  const message = (body as { error?: { message?: unknown } } | null)?.error?.message;
  if (typeof message === "string") return message;
  if (response.status === 429) return "Too many entries at once. Wait a minute and try again.";
  if (response.status >= 500) return "The guestbook server is having trouble. Try again shortly.";
  return `The request failed (HTTP ${response.status}).`;
}

export interface GuestbookApi {
  fetchEntries(before?: string): Promise<Page>;
  /** `idempotencyKey` is the same for every retry of one draft: the API stores it once. */
  signGuestbook(input: { name: string; message: string }, idempotencyKey: string): Promise<Entry>;
}

/**
 * The API as the UI sees it, typed against the API itself: a change to a route's types
 * breaks this file's type check. Tests pass the app's own `request` as `fetch`.
 */
export function createApi(fetchImpl: typeof fetch = fetch, origin = location.origin): GuestbookApi {
  const client = hc<AppType>(origin, { fetch: fetchImpl });
  return {
    fetchEntries: (before) => call<Page>(() => client.api.entries.$get({ query: before ? { before } : {} })),
    signGuestbook: (input, idempotencyKey) =>
      call<Entry>(() => client.api.entries.$post({ json: input, header: { "idempotency-key": idempotencyKey } })),
  };
}
