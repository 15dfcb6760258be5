import { resolve } from "node:path";
import { z } from "zod";

// The MongoDB driver, which checks a connection string, takes about a quarter of start-up to
// load: it is loaded only when MONGODB_URI or MONGODB_URI_FILE is set.
const uriChecks = () => import("./mongodb-uri.js");

export const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;

const wholeNumber = (min: number, max: number, also = "") =>
  z
    .string()
    .regex(/^\d+$/, `must be a whole number from ${min} to ${max}${also}`)
    .transform(Number)
    .pipe(z.number().min(min, `must be from ${min} to ${max}`).max(max, `must be from ${min} to ${max}`));

const integer = (min: number, max: number, fallback: number) => wholeNumber(min, max).default(fallback);

const nonEmpty = (fallback: string) => z.string().trim().min(1, "must not be empty").default(fallback);

/** Every environment variable the API reads, with its default. `server.ts` alone calls this. */
const environmentSchema = z.object({
  PORT: integer(1, 65535, 8080),
  HOST: nonEmpty("0.0.0.0"),
  // Empty means unset; anything else must be a string the MongoDB driver itself accepts.
  MONGODB_URI: z.preprocess(
    (value) => (typeof value === "string" && value.trim() === "" ? undefined : value),
    z
      .string()
      .trim()
      .superRefine(async (uri, ctx) => {
        const problem = (await uriChecks()).mongoUriProblem(uri);
        if (problem) ctx.addIssue({ code: "custom", message: problem });
      })
      .optional(),
  ),
  // The same, read from a file that may change while the process runs (a Secret volume).
  MONGODB_URI_FILE: z.preprocess(
    (value) => (typeof value === "string" && value.trim() === "" ? undefined : value),
    z.string().trim().optional(),
  ),
  MONGODB_DB: z.string().regex(/^[A-Za-z0-9_-]{1,63}$/, "must be 1-63 letters, digits, '_' or '-'").default("guestbook"),
  // Unset: 90% of REQUEST_TIMEOUT_MS, which leaves the rest for answering.
  MONGODB_TIMEOUT_MS: wholeNumber(100, 60_000).optional(),
  DATA_DIR: nonEmpty("./data"),
  LOG_LEVEL: z.enum(LOG_LEVELS, { error: `must be one of ${LOG_LEVELS.join(", ")}` }).default("info"),
  SHUTDOWN_DELAY_MS: integer(0, 60_000, 0),
  SHUTDOWN_TIMEOUT_MS: integer(1_000, 120_000, 20_000),
  REQUEST_TIMEOUT_MS: integer(100, 120_000, 10_000),
  RATE_LIMIT_PER_MINUTE: integer(0, 100_000, 30),
  CACHE_TTL_MS: integer(0, 60_000, 1000),
  TRUST_PROXY: z
    .string()
    .transform((v) => (v === "true" ? "1" : v === "false" ? "0" : v))
    .pipe(wholeNumber(0, 10, ", true or false"))
    .default(0),
});

export interface Config {
  port: number;
  host: string;
  /** `uriFile`: where the URI came from, watched for a new one (MONGODB_URI_FILE). */
  mongodb: { uri: string; uriFile?: string; dbName: string; timeoutMs: number } | undefined;
  dataDir: string;
  logLevel: (typeof LOG_LEVELS)[number];
  /** How long to keep serving after SIGTERM so that endpoints drain. */
  shutdownDelayMs: number;
  /** Hard stop: the process exits even if something hangs past this. */
  shutdownTimeoutMs: number;
  /** A request still running after this answers 503. */
  requestTimeoutMs: number;
  /** Entries one client may sign per minute; 0 turns the limit off. */
  rateLimitPerMinute: number;
  /** How many proxies in front of the API append to X-Forwarded-For (0: use the socket address). */
  trustedProxies: number;
  /** How long the newest page may be served from memory; 0 turns the cache off. */
  cacheTtlMs: number;
}

export class ConfigError extends Error {
  override name = "ConfigError";
}

// Values of these are never echoed: they may carry credentials.
const SECRET_VARIABLES = new Set(["MONGODB_URI"]);

/** Reads the configuration; rejects with one ConfigError naming the first bad variable. */
export async function loadConfig(env: Record<string, string | undefined>): Promise<Config> {
  const parsed = await environmentSchema.safeParseAsync(env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const variable = String(issue.path[0]);
    const got = env[variable];
    const shown = SECRET_VARIABLES.has(variable) || got === undefined ? "" : ` (got ${JSON.stringify(got)})`;
    throw new ConfigError(`Invalid configuration: ${variable} ${issue.message}${shown}`);
  }
  const e = parsed.data;
  const mongoTimeoutMs = e.MONGODB_TIMEOUT_MS ?? Math.floor(e.REQUEST_TIMEOUT_MS * 0.9);
  if (mongoTimeoutMs >= e.REQUEST_TIMEOUT_MS) {
    throw new ConfigError(
      `Invalid configuration: MONGODB_TIMEOUT_MS must be below REQUEST_TIMEOUT_MS (${e.REQUEST_TIMEOUT_MS}), ` +
        `so that no MongoDB call outlives its request (got "${mongoTimeoutMs}")`,
    );
  }
  const mongodbUri = await connectionString(e.MONGODB_URI, e.MONGODB_URI_FILE);
  return {
    port: e.PORT,
    host: e.HOST,
    mongodb: mongodbUri
      ? { uri: mongodbUri, uriFile: e.MONGODB_URI_FILE, dbName: e.MONGODB_DB, timeoutMs: mongoTimeoutMs }
      : undefined,
    dataDir: resolve(e.DATA_DIR),
    logLevel: e.LOG_LEVEL,
    shutdownDelayMs: e.SHUTDOWN_DELAY_MS,
    shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT_MS,
    requestTimeoutMs: e.REQUEST_TIMEOUT_MS,
    rateLimitPerMinute: e.RATE_LIMIT_PER_MINUTE,
    trustedProxies: e.TRUST_PROXY,
    cacheTtlMs: e.CACHE_TTL_MS,
  };
}

/** MONGODB_URI, or the content of MONGODB_URI_FILE; never both, and never echoed. */
async function connectionString(uri: string | undefined, file: string | undefined): Promise<string | undefined> {
  if (uri && file) {
    throw new ConfigError("Invalid configuration: set MONGODB_URI or MONGODB_URI_FILE, not both");
  }
  if (!file) return uri;
  const { readUriFile } = await import("./mongodb-uri-file.js");
  const content = readUriFile(file);
  if ("problem" in content) throw new ConfigError(`Invalid configuration: ${content.problem}`);
  return content.uri;
}

/** A connection string fit for logs: any password replaced by ***, by the driver's own parser. */
export async function redactUri(uri: string): Promise<string> {
  return (await uriChecks()).redactMongoUri(uri);
}
