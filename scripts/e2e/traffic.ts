/**
 * Steady traffic against a running guestbook, the way visitors make it: keep-alive readers that
 * load the page and then its newest entries, and a slow stream of signatures. Bounded by time and by request count, and
 * stopped early by `stop()`. Every response is recorded, so a rollout can be judged afterwards.
 */

export interface TrafficOptions {
  url: string;
  /**
   * Concurrent readers, each sending its next request when the last one is answered: the page
   * (served by the frontend behind an ingress) and the newest entries (the API), in turn.
   */
  readers: number;
  /** Signatures per minute (the API limits each client to 30 a minute per pod by default). */
  signsPerMinute: number;
  maxSeconds: number;
  maxRequests: number;
  /** Per-request bound: a request slower than this counts as failed. */
  requestTimeoutMs: number;
}

export interface Failure {
  at: string;
  request: string;
  /** HTTP status, or the network error's code/message. */
  outcome: string;
}

export interface TrafficReport {
  requests: number;
  reads: number;
  signs: number;
  /** Entries the API acknowledged with 201, by id. */
  acknowledged: string[];
  failures: Failure[];
  /** 429s: the API's own rate limit, not unavailability, and reported apart. */
  rateLimited: number;
  slowestMs: number;
  seconds: number;
}

const describeError = (error: unknown): string => {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (error as Error).name ?? String(error);
};

export function startTraffic(options: TrafficOptions): { stop: () => void; done: Promise<TrafficReport> } {
  const report: TrafficReport = { requests: 0, reads: 0, signs: 0, acknowledged: [], failures: [], rateLimited: 0, slowestMs: 0, seconds: 0 };
  const started = performance.now();
  let stopped = false;
  const stop = () => void (stopped = true);
  const timer = setTimeout(stop, options.maxSeconds * 1000);
  const running = () => !stopped && report.requests < options.maxRequests;

  async function send(request: string, init?: RequestInit): Promise<Response | null> {
    report.requests++;
    const sent = performance.now();
    try {
      const response = await fetch(`${options.url}${request.replace(/^\w+ /, "")}`, { ...init, signal: AbortSignal.timeout(options.requestTimeoutMs) });
      await response.clone().arrayBuffer();
      report.slowestMs = Math.max(report.slowestMs, performance.now() - sent);
      if (response.status === 429) report.rateLimited++;
      else if (!response.ok) report.failures.push({ at: new Date().toISOString(), request, outcome: `HTTP ${response.status}` });
      return response;
    } catch (error) {
      report.slowestMs = Math.max(report.slowestMs, performance.now() - sent);
      report.failures.push({ at: new Date().toISOString(), request, outcome: describeError(error) });
      return null;
    }
  }

  async function reader() {
    for (let n = 0; running(); n++) {
      report.reads++;
      await send(n % 2 === 0 ? "GET /" : "GET /api/entries");
    }
  }

  async function signer() {
    const everyMs = 60_000 / options.signsPerMinute;
    for (let n = 1; running(); n++) {
      report.signs++;
      const response = await send("POST /api/entries", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ name: "Rollout check", message: `signature ${n}` }),
      });
      if (response?.status === 201) report.acknowledged.push(((await response.json()) as { id: string }).id);
      const wait = Date.now() + everyMs;
      while (running() && Date.now() < wait) await new Promise((resolve) => setTimeout(resolve, Math.min(100, wait - Date.now())));
    }
  }

  const done = Promise.all([...Array.from({ length: options.readers }, reader), options.signsPerMinute > 0 ? signer() : null]).then(() => {
    clearTimeout(timer);
    report.seconds = (performance.now() - started) / 1000;
    return report;
  });
  return { stop, done };
}

/** Ids of acknowledged entries that the API no longer returns, paging through the whole book. */
export async function missingEntries(url: string, acknowledged: readonly string[]): Promise<string[]> {
  const wanted = new Set(acknowledged);
  let cursor: string | null = null;
  do {
    const query: string = `limit=100${cursor ? `&before=${encodeURIComponent(cursor)}` : ""}`;
    const response = await fetch(`${url}/api/entries?${query}`);
    if (!response.ok) throw new Error(`reading the entries back failed: HTTP ${response.status}`);
    const page = (await response.json()) as { entries: { id: string }[]; nextCursor: string | null };
    for (const entry of page.entries) wanted.delete(entry.id);
    cursor = page.nextCursor;
  } while (cursor && wanted.size > 0);
  return [...wanted];
}
