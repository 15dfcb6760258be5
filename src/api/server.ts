/**
 * The process entry: the only place that reads the environment, opens a socket and handles
 * signals. Everything else is built by createRequestListener() and createApp(), and tested
 * without this file.
 */
import { existsSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import { pino } from "pino";
import { ConfigError, type Config, loadConfig, redactUri } from "./config.js";
import { createMetrics } from "./metrics.js";
import { createRequestListener } from "./request-listener.js";
import { openStore } from "./store/index.js";

async function readConfig(): Promise<Config> {
  try {
    return await loadConfig(process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
}

const config = await readConfig();
const logger = pino({
  level: config.logLevel,
  base: { service: "guestbook-api" },
  // Nothing logged under these keys ever reaches the output, whatever logs it.
  redact: { paths: ["uri", "*.uri", "password", "*.password", "headers.authorization"], censor: "[redacted]" },
});
// MONGODB_URI_FILE: a new connection string in the file (a rotated password) is followed.
const store = config.mongodb?.uriFile
  ? (await import("./mongodb-rotation.js")).openRotatingMongoStore({ ...config.mongodb, uriFile: config.mongodb.uriFile, logger })
  : await openStore(config, logger).catch((error: Error) => {
      // Only the embedded store can fail here: MONGODB_URI was checked with the driver's parser
      // when the configuration was read, and MongoDB connects in the background.
      process.stderr.write(`Cannot open the embedded store in DATA_DIR=${config.dataDir}: ${error.message}\n`);
      process.exit(1);
    });

// The built server (dist/api/server.js) serves the UI built next to it in dist/web. Run from
// source (npm run dev), src/web holds sources, which Vite serves instead.
const webRoot = fileURLToPath(new URL("../web/", import.meta.url));
const servesWeb = import.meta.url.endsWith(".js") && existsSync(`${webRoot}index.html`);

// Where entries go, for the first log line; the driver's parser redacts a connection string.
const database = config.mongodb ? await redactUri(config.mongodb.uri) : config.dataDir;

let draining = false;
const listener = createRequestListener({
  store,
  logger,
  metrics: createMetrics(),
  limits: config,
  isDraining: () => draining,
  webRoot: servesWeb ? webRoot : undefined,
  hostname: config.host,
});

const server = createServer(
  {
    // The proxy in front must drop idle upstream sockets sooner (60 s; docs/ingress-and-gateway.md
    // says how per controller), so it never reuses a socket we closed.
    keepAliveTimeout: 65_000,
    // Receiving a whole request may take a little longer than handling it may.
    requestTimeout: config.requestTimeoutMs + 5_000,
    headersTimeout: Math.min(10_000, config.requestTimeoutMs + 5_000),
  },
  listener,
);
server.listen(config.port, config.host, () => {
  const address = server.address() as AddressInfo;
  logger.info(
    {
      port: address.port,
      host: config.host,
      store: store.kind,
      database,
      uriFile: config.mongodb?.uriFile,
      web: servesWeb,
      rateLimitPerMinute: config.rateLimitPerMinute,
      trustedProxies: config.trustedProxies,
    },
    `guestbook listening on http://${config.host}:${address.port}`,
  );
});

server.on("error", (error) => {
  logger.fatal({ err: error }, "cannot listen");
  process.exit(1);
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Kubernetes-style drain: fail readiness, keep serving while endpoints update, then close.
 * A repeated signal changes nothing: the drain already under way ends on its own timer.
 */
async function shutdown(signal: string): Promise<void> {
  if (draining) {
    logger.info({ signal }, "already shutting down; signal ignored");
    return;
  }
  draining = true;
  logger.info({ signal, delayMs: config.shutdownDelayMs }, "shutting down: readiness now fails");
  setTimeout(() => {
    logger.error({ timeoutMs: config.shutdownTimeoutMs }, "shutdown timed out; exiting");
    process.exit(1);
  }, config.shutdownTimeoutMs).unref();

  await sleep(config.shutdownDelayMs);
  // close() stops accepting and resolves once in-flight requests have finished.
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await store.close();
  logger.info("shut down cleanly");
  process.exit(0);
}

// `on`, not `once`: after a once-listener fires, a second signal would kill the process mid-drain.
process.on("SIGTERM", () => void shutdown("SIGTERM"));
process.on("SIGINT", () => void shutdown("SIGINT"));
