/**
 * Two replicas of the built server on one real MongoDB replica set: a sign on one shows on the
 * other within moments, although each keeps its newest page for a minute, because the change
 * stream drops it. Needs MONGODB_URI_TEST (CI runs a one-member replica set); reported as
 * skipped otherwise. The same wiring against the wire-protocol responder runs everywhere
 * (tests/store/mongo-changes.test.ts).
 */
import { randomUUID } from "node:crypto";
import { MongoClient } from "mongodb";
import { afterAll, describe, expect, it } from "vitest";
import { type RunningServer, startServer } from "../../scripts/lib/server-process.js";

const mongoUri = process.env.MONGODB_URI_TEST;
const SKIPPED = " (skipped: set MONGODB_URI_TEST to a MongoDB replica set to run it)";
const dbName = `guestbook_test_${randomUUID().slice(0, 8)}`;
const servers: RunningServer[] = [];

afterAll(async () => {
  for (const server of servers) server.child.kill("SIGKILL");
  if (!mongoUri) return;
  const client = await MongoClient.connect(mongoUri);
  await client.db(dbName).dropDatabase();
  await client.close();
});

const names = async (server: RunningServer) =>
  ((await (await fetch(`${server.url}/api/entries`)).json()) as { entries: { name: string }[] }).entries.map((e) => e.name);

describe.skipIf(!mongoUri)(`replicas on one MongoDB replica set${mongoUri ? "" : SKIPPED}`, { timeout: 30_000 }, () => {
  it("show each other's signs within seconds although each keeps its page for a minute", async () => {
    for (let i = 0; i < 2; i++) {
      const server = await startServer({ MONGODB_URI: mongoUri!, MONGODB_DB: dbName, CACHE_TTL_MS: "60000", RATE_LIMIT_PER_MINUTE: "0" });
      servers.push(server);
    }
    const [writer, reader] = servers as [RunningServer, RunningServer];
    expect(await names(reader)).toEqual([]); // kept for a minute from now
    const res = await fetch(`${writer.url}/api/entries`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ name: "Ann", message: "on the other replica" }),
    });
    expect(res.status).toBe(201);
    const signed = performance.now();
    await expect.poll(() => names(reader), { timeout: 5_000, interval: 100 }).toEqual(["Ann"]);
    expect(performance.now() - signed).toBeLessThan(5_000);
  });
});
