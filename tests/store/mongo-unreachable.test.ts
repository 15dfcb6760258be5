/**
 * The real MongoDB driver against databases that are not there: a closed port, and a port
 * that accepts connections but never answers. The process must stay up, not ready, and
 * answer 503 within the configured timeout.
 */
import { type AddressInfo, type Server, type Socket, createServer } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../../src/api/app.js";
import { mongoClientOptions, openMongoStore } from "../../src/api/store/mongo.js";
import { StoreUnavailableError } from "../../src/api/store/types.js";
import { postJson } from "../helpers/app.js";

const TIMEOUT_MS = 300;

async function listen(onConnection: (socket: Socket) => void): Promise<Server> {
  const server = createServer(onConnection);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return server;
}

async function closedPort(): Promise<number> {
  const server = await listen(() => undefined);
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function timed<T>(run: () => Promise<T> | T): Promise<{ value: T; ms: number }> {
  const started = performance.now();
  const value = await run();
  return { value, ms: performance.now() - started };
}

it("bounds every wait by the store's deadline, and names the app", () => {
  expect(mongoClientOptions(9000)).toMatchObject({
    appName: "guestbook-api",
    serverSelectionTimeoutMS: 9000,
    waitQueueTimeoutMS: 9000,
    socketTimeoutMS: 9000,
    connectTimeoutMS: 5000,
  });
  // A deadline shorter than the connect timeout bounds that too.
  expect(mongoClientOptions(1500)).toMatchObject({ connectTimeoutMS: 1500, socketTimeoutMS: 1500 });
});

it("states its durability: majority and journaled writes, majority reads, primary preferred", () => {
  const options = mongoClientOptions(9000);
  expect(options.writeConcern).toEqual({ w: "majority", journal: true });
  expect(options.readConcern).toEqual({ level: "majority" });
  expect(options.readPreference).toBe("primaryPreferred");
  expect(options).toMatchObject({ retryWrites: true, retryReads: true });
});

const sockets: Socket[] = [];
const cases: { name: string; uri: () => Promise<string> }[] = [];
let silent: Server;

beforeAll(async () => {
  silent = await listen((socket) => sockets.push(socket)); // accepts, never answers
});
afterAll(async () => {
  for (const socket of sockets) socket.destroy();
  await new Promise((resolve) => silent.close(resolve));
});

cases.push(
  { name: "a closed port", uri: async () => `mongodb://127.0.0.1:${await closedPort()}/?directConnection=true` },
  {
    name: "a port that accepts but never answers",
    uri: async () => `mongodb://127.0.0.1:${(silent.address() as AddressInfo).port}/?directConnection=true`,
  },
);

describe.each(cases)("MongoDB at $name", ({ uri }) => {
  it("stays alive: /healthz 200, /readyz and data routes 503 within the timeout", async () => {
    const store = openMongoStore({ uri: await uri(), dbName: "guestbook", timeoutMs: TIMEOUT_MS });
    const app = createApp({ store });
    try {
      expect((await app.request("/healthz")).status).toBe(200);
      for (const request of [
        () => app.request("/readyz"),
        () => app.request("/api/entries"),
        () => app.request("/api/entries", postJson({ name: "Ann", message: "hi" })),
      ]) {
        const { value: res, ms } = await timed(request);
        expect(res.status).toBe(503);
        expect(ms).toBeLessThan(TIMEOUT_MS * 10);
      }
      await expect(store.ping()).rejects.toBeInstanceOf(StoreUnavailableError);
    } finally {
      await store.close();
    }
  });
});
