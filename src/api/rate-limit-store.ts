import type { ClientRateLimitInfo, Store } from "hono-rate-limiter";
import { LRUCache } from "lru-cache";

/**
 * Hit counts per client for hono-rate-limiter, holding at most `capacity` clients. The
 * library's MemoryStore keeps every key seen in the last two windows, so clients with many
 * addresses could grow it without limit; this one forgets the least recently seen client
 * first. Forgetting errs on the lenient side: that client's count starts again.
 */
export class BoundedMemoryStore implements Store {
  #windowMs = 60_000;
  readonly #clients: LRUCache<string, Required<ClientRateLimitInfo>>;

  constructor(capacity: number) {
    this.#clients = new LRUCache({ max: capacity });
  }

  get size(): number {
    return this.#clients.size;
  }

  init(options: { windowMs: number }): void {
    this.#windowMs = options.windowMs;
  }

  get(key: string): ClientRateLimitInfo | undefined {
    return this.#clients.get(key);
  }

  increment(key: string): ClientRateLimitInfo {
    const now = Date.now();
    let client = this.#clients.get(key);
    if (!client || client.resetTime.getTime() <= now) {
      client = { totalHits: 0, resetTime: new Date(now + this.#windowMs) };
      this.#clients.set(key, client);
    }
    client.totalHits++;
    return client;
  }

  decrement(key: string): void {
    const client = this.#clients.peek(key);
    if (client && client.totalHits > 0) client.totalHits--;
  }

  resetKey(key: string): void {
    this.#clients.delete(key);
  }

  resetAll(): void {
    this.#clients.clear();
  }
}
