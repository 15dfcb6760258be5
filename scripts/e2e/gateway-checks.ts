/**
 * What a visitor sees through the way in (the Gateway on kind): the page loads, a signature is
 * stored and read back, API errors are JSON, security headers are on both the page and the API,
 * and the API's probes and metrics are not reachable from outside.
 */

export interface CheckResult {
  name: string;
  ok: boolean;
  /** Why it failed, or what was seen when it passed. */
  detail: string;
}

// Set by both nginx/default.conf and the API's secureHeaders; any one missing is a regression.
const SECURITY_HEADERS: Record<string, RegExp> = {
  "x-content-type-options": /^nosniff$/,
  "x-frame-options": /^DENY$/,
  "referrer-policy": /^no-referrer$/,
  "content-security-policy": /default-src 'self'/,
};

// Paths the API serves at its root for the kubelet and Prometheus only.
const INTERNAL_PATHS = ["/metrics", "/healthz", "/readyz"];

type Check = () => Promise<string>;

class CheckFailed extends Error {}

function expect(condition: unknown, message: string): asserts condition {
  if (!condition) throw new CheckFailed(message);
}

async function get(base: string, path: string, init?: RequestInit) {
  const response = await fetch(`${base}${path}`, { ...init, redirect: "manual", signal: AbortSignal.timeout(10_000) });
  return { response, body: await response.text() };
}

function securityHeaders(response: Response): string {
  const wrong = Object.entries(SECURITY_HEADERS)
    .filter(([name, pattern]) => !pattern.test(response.headers.get(name) ?? ""))
    .map(([name]) => `${name}: ${response.headers.get(name) ?? "(missing)"}`);
  expect(wrong.length === 0, wrong.join("; "));
  return Object.keys(SECURITY_HEADERS).join(", ");
}

function jsonError(response: Response, body: string, status: number, code: string): string {
  expect(response.status === status, `HTTP ${response.status}, expected ${status}`);
  expect(response.headers.get("content-type")?.startsWith("application/json"), `content-type ${response.headers.get("content-type")}`);
  const error = (JSON.parse(body) as { error?: { code?: unknown; message?: unknown } }).error;
  expect(error?.code === code && typeof error.message === "string", `body ${body.slice(0, 200)}`);
  return `${status} ${code}`;
}

/** True when a response came from the API itself: its JSON or its Prometheus text. */
const fromTheApi = (response: Response, body: string) =>
  (response.headers.get("content-type") ?? "").includes("application/json") || /^# (HELP|TYPE) /m.test(body);

export function gatewayChecks(base: string): Record<string, Check> {
  const marker = `gateway check ${Date.now().toString(36)}`;
  return {
    "the page loads at /": async () => {
      const { response, body } = await get(base, "/");
      expect(response.status === 200, `HTTP ${response.status}`);
      expect(response.headers.get("content-type")?.startsWith("text/html"), `content-type ${response.headers.get("content-type")}`);
      expect(body.includes('<div id="root">'), "no app shell in the page");
      return "200 text/html with the app shell";
    },
    "the page carries the security headers": async () => securityHeaders((await get(base, "/")).response),
    "a signature is stored and read back": async () => {
      const { response, body } = await get(base, "/api/entries", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ name: marker, message: "signed through the way in" }),
      });
      expect(response.status === 201, `sign: HTTP ${response.status} ${body.slice(0, 200)}`);
      const { id } = JSON.parse(body) as { id: string };
      const read = await get(base, "/api/entries?limit=100");
      expect(read.response.status === 200, `read: HTTP ${read.response.status}`);
      const entries = (JSON.parse(read.body) as { entries: { id: string; name: string }[] }).entries;
      expect(entries.some((e) => e.id === id && e.name === marker), `entry ${id} is not among the newest 100`);
      return `entry ${id}`;
    },
    "the API carries the security headers": async () => securityHeaders((await get(base, "/api/entries?limit=1")).response),
    "an unknown /api path answers a JSON 404": async () => {
      const { response, body } = await get(base, "/api/no-such-route");
      return jsonError(response, body, 404, "not_found");
    },
    "an invalid signature answers a JSON 400": async () => {
      const { response, body } = await get(base, "/api/entries", { method: "POST", headers: { "Content-Type": "application/json" }, body: "{}" });
      return jsonError(response, body, 400, "invalid_input");
    },
    [`the API's ${INTERNAL_PATHS.join(", ")} are not reachable`]: async () => {
      const seen: string[] = [];
      for (const path of INTERNAL_PATHS) {
        const { response, body } = await get(base, path);
        expect(!fromTheApi(response, body), `${path} answered by the API: HTTP ${response.status} ${body.slice(0, 80).replace(/\s+/g, " ")}`);
        seen.push(`${path} → ${response.status} ${response.headers.get("content-type")?.split(";")[0] ?? "-"}`);
      }
      return `not the API's: ${seen.join(", ")}`;
    },
  };
}

export async function runChecks(checks: Record<string, Check>): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  for (const [name, check] of Object.entries(checks)) {
    try {
      results.push({ name, ok: true, detail: await check() });
    } catch (error) {
      const cause = (error as { cause?: { code?: string } }).cause?.code;
      results.push({ name, ok: false, detail: error instanceof CheckFailed ? error.message : `${(error as Error).message}${cause ? ` (${cause})` : ""}` });
    }
  }
  return results;
}

/** Resolves once the page answers 200 through the way in; routes can take a few seconds to reach the proxies. */
export async function waitForPage(base: string, seconds: number): Promise<void> {
  const deadline = Date.now() + seconds * 1000;
  let last = "";
  while (Date.now() < deadline) {
    try {
      const { response } = await get(base, "/");
      if (response.status === 200) return;
      last = `HTTP ${response.status}`;
    } catch (error) {
      last = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).message;
    }
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
  throw new Error(`${base}/ did not answer 200 within ${seconds} s (last: ${last})`);
}
