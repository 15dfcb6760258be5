/**
 * A rotated MongoDB connection string reaching a running server: `npm run serve` as a real
 * process with MONGODB_URI_FILE in a Secret volume laid out and swapped as the kubelet does,
 * the real driver, and two wire-protocol responders standing for the string before (A) and
 * after (B) the rotation.
 */
import { spawnSync } from "node:child_process";
import { afterEach, describe, expect, it } from "vitest";
import { type RunningServer, SERVER_ENTRY, requireBuild, startServer } from "../../scripts/lib/server-process.js";
import { postJson, tempDir } from "../helpers/app.js";
import { MongoResponder } from "../helpers/mongo-responder.js";
import { ProjectedSecret } from "../helpers/projected-secret.js";

// The watch settles for 250 ms, then the new client connects and passes a readiness check.
const SWITCH_BOUND_MS = 5_000;

let running: RunningServer | undefined;
let stopTraffic: (() => Promise<number[]>) | undefined;
const responders: MongoResponder[] = [];
const dirs: ReturnType<typeof tempDir>[] = [];
afterEach(async () => {
  await stopTraffic?.();
  running?.child.kill("SIGKILL");
  running = undefined;
  for (const responder of responders.splice(0)) await responder.stop();
  for (const dir of dirs.splice(0)) dir.remove();
});

async function responder(): Promise<MongoResponder> {
  const r = await MongoResponder.reserve();
  responders.push(r);
  await r.start();
  return r;
}

function secretVolume(uri: string): ProjectedSecret {
  const dir = tempDir();
  dirs.push(dir);
  const secret = new ProjectedSecret(`${dir.path}/etc/guestbook/mongodb`);
  secret.write({ uri });
  return secret;
}

const serve = (secret: ProjectedSecret) =>
  startServer({ MONGODB_URI_FILE: secret.path("uri"), MONGODB_TIMEOUT_MS: "1000", RATE_LIMIT_PER_MINUTE: "0", LOG_LEVEL: "info" });

async function until(condition: () => boolean, withinMs: number): Promise<void> {
  const started = performance.now();
  while (!condition()) {
    if (performance.now() - started > withinMs) throw new Error(`condition not met within ${withinMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Reads, signs and readiness probes over HTTP, back to back, until stopped: every status seen (0: no answer). */
function steadyTraffic(url: string) {
  const statuses: number[] = [];
  let going = true;
  const loop = (async () => {
    for (let i = 0; going; i++) {
      const batch = await Promise.all(
        [
          fetch(`${url}/api/entries`),
          fetch(`${url}/api/entries`, postJson({ name: `rotation-${i}`, message: "while the password rotates" })),
          fetch(`${url}/readyz`),
        ].map((sent) => sent.then((res) => res.status, () => 0)),
      );
      statuses.push(...batch);
    }
  })();
  stopTraffic = async () => {
    going = false;
    stopTraffic = undefined;
    await loop;
    return statuses;
  };
  return stopTraffic;
}

const logLines = (server: RunningServer) =>
  server
    .output()
    .split("\n")
    .filter((line) => line.startsWith("{"))
    .map((line) => JSON.parse(line) as { level: number; msg: string });

describe("MONGODB_URI_FILE, with npm run serve", { timeout: 20_000 }, () => {
  it("moves requests to the new string when the kubelet swaps the file, fails none, and closes the old client's connections", async () => {
    const [a, b] = [await responder(), await responder()];
    const secret = secretVolume(a.uri());
    running = await serve(secret);
    const stop = steadyTraffic(running.url);
    await until(() => a.count("find") > 3, SWITCH_BOUND_MS);

    secret.write({ uri: b.uri() });
    await until(() => b.count("find") > 3 && b.count("insert") > 3, SWITCH_BOUND_MS);
    await until(() => a.openConnections === 0, SWITCH_BOUND_MS);
    const servedByA = [a.count("find"), a.count("insert")];
    await new Promise((resolve) => setTimeout(resolve, 300));
    const statuses = await stop();

    expect(statuses.length).toBeGreaterThan(30);
    expect(statuses.filter((status) => status < 200 || status >= 400)).toEqual([]);
    expect([a.count("find"), a.count("insert")]).toEqual(servedByA);
    // The child's log reaches us through a pipe, possibly a little after what it reports.
    await until(() => logLines(running!).some((line) => line.msg === "Closed the store that was replaced"), 2_000);
    expect(logLines(running).map((line) => line.msg)).toEqual(
      expect.arrayContaining([expect.stringMatching(/^The new connection string in MONGODB_URI_FILE .* works: new requests use it/)]),
    );
  });

  it("keeps serving from the old string when the new one is refused, with one warning that never shows it", async () => {
    const a = await responder();
    const secret = secretVolume(a.uri());
    running = await serve(secret);
    secret.write({ uri: "mongodb+srv://app:n3w-s3cret@cluster0.example.net:27017/" });
    await until(() => logLines(running!).some((line) => line.level === 40), SWITCH_BOUND_MS);
    expect((await fetch(`${running.url}/api/entries`)).status).toBe(200);
    expect((await fetch(`${running.url}/readyz`)).status).toBe(200);
    expect(logLines(running).filter((line) => line.level >= 40)).toEqual([
      expect.objectContaining({
        msg: `MONGODB_URI_FILE (${secret.path("uri")}) is not a connection string the MongoDB driver accepts: mongodb+srv URI cannot have port number; still using the previous connection string`,
      }),
    ]);
    expect(running.output()).not.toContain("n3w-s3cret");
  });

  it("stops at start-up with one line when MONGODB_URI is set as well", () => {
    requireBuild();
    const secret = secretVolume("mongodb://127.0.0.1:27017/");
    const result = spawnSync(process.execPath, [SERVER_ENTRY], {
      env: { PATH: process.env.PATH ?? "", MONGODB_URI_FILE: secret.path("uri"), MONGODB_URI: "mongodb://127.0.0.1:27017/" },
      encoding: "utf8",
      timeout: 10_000,
    });
    expect(result.status).toBe(1);
    expect(result.stderr).toBe("Invalid configuration: set MONGODB_URI or MONGODB_URI_FILE, not both\n");
  });
});
