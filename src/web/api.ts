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

async function send(request: () => Promise<Response>): Promise<Response> {
  try {
    return await request();
  } catch {
    throw new ApiError(UNREACHABLE, null);
  }
}

async function read<T>(response: Response): Promise<T> {
  const body: unknown = await response.json().catch(() => null);
  if (response.ok && body !== null) return body as T;
  throw new ApiError(describeFailure(response, body), response.status);
}

const call = async <T>(request: () => Promise<Response>): Promise<T> => read<T>(await send(request));

function describeFailure(response: Response, body: unknown): string {
  const message = (body as { error?: { message?: unknown } } | null)?.error?.message;
  if (typeof message === "string") return message;
  if (response.status === 429) return "Too many entries at once. Wait a minute and try again.";
  if (response.status >= 500) return "The guestbook server is having trouble. Try again shortly.";
  return `The request failed (HTTP ${response.status}).`;
}

/** The newest page and its ETag, for asking later whether it changed. */
export interface Newest {
  page: Page;
  etag: string | null;
}

export interface GuestbookApi {
  /**
   * The newest page, or null while it still has ETag `etag` (a 304). Without an ETag this is the
   * very request index.html preloads, so the browser hands over the preloaded answer.
   */
  fetchNewest(etag?: string | null): Promise<Newest | null>;
  /** An older page, from a previous page's nextCursor. */
  fetchEntries(before: string): Promise<Page>;
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
    fetchNewest: async (etag) => {
      const response = await send(() =>
        client.api.entries.$get({ query: {} }, etag ? { headers: { "If-None-Match": etag } } : {}),
      );
      return response.status === 304 ? null : { page: await read<Page>(response), etag: response.headers.get("ETag") };
    },
    fetchEntries: (before) => call<Page>(() => client.api.entries.$get({ query: { before } })),
    signGuestbook: (input, idempotencyKey) =>
      call<Entry>(() => client.api.entries.$post({ json: input, header: { "idempotency-key": idempotencyKey } })),
  };
}
