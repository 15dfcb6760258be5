/**
 * What the README's durability claim rests on, observed rather than assumed: the built server
 * fsyncs SQLite's write-ahead log before it answers 201, also for signs committed together in
 * one group. Traced with strace (kill -9 alone cannot show it: the page cache survives a killed
 * process, not a power cut).
 */
import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { connect } from "node:net";
import { join } from "node:path";
import { afterEach, expect, it } from "vitest";
import { requireTool } from "../../scripts/lib/which.js";
import { type RunningServer, startServer } from "../../scripts/lib/server-process.js";
import { postJson, tempDir } from "../helpers/app.js";

let running: RunningServer | undefined;
let serverPid: number | undefined;
let dir: ReturnType<typeof tempDir> | undefined;
afterEach(() => {
  // Killing strace would leave the server running, detached: stop the server itself.
  if (serverPid && running?.child.exitCode === null) process.kill(serverPid, "SIGKILL");
  dir?.remove();
});

/** The pid of the process strace started (its only child). */
const tracedPid = (stracePid: number) =>
  Number(readFileSync(`/proc/${stracePid}/task/${stracePid}/children`, "utf8").trim().split(" ")[0]);

/** The built server under strace: its fsyncs, its writes (`bytes` of each shown) and what it sent. */
async function tracedServer(syscalls: string, bytes: number): Promise<{ url: string; events: () => Promise<string[]> }> {
  const strace = requireTool("strace", "install it (apt-get install strace) to trace the store's fsync calls.");
  dir = tempDir();
  const trace = join(dir.path, "trace.txt");
  running = await startServer(
    { DATA_DIR: join(dir.path, "data"), RATE_LIMIT_PER_MINUTE: "0" },
    { launcher: [strace, "-f", "-y", "-s", String(bytes), "-e", `trace=${syscalls}`, "-o", trace] },
  );
  serverPid = tracedPid(running.child.pid!);
  const { url, exited } = running;
  return {
    url,
    events: async () => {
      process.kill(serverPid!, "SIGTERM");
      expect(await exited).toBe(0);
      return readFileSync(trace, "utf8").split("\n");
    },
  };
}

const WAL_FSYNC = /\bf(data)?sync\(\d+<[^>]*guestbook\.sqlite-wal>\) = 0/;
const SENT_201 = /<(socket|TCP):\[[^>]*>, (\[\{iov_base=)?"HTTP\/1\.1 201/;

it("fsyncs SQLite's write-ahead log before each 201 reaches the socket", async () => {
  const server = await tracedServer("fsync,fdatasync,write,writev,sendto,sendmsg", 16);
  for (let i = 0; i < 3; i++) {
    const res = await fetch(`${server.url}/api/entries`, postJson({ name: `durable-${i}`, message: "on disk" }));
    expect(res.status).toBe(201);
  }

  const events = (await server.events())
    .map((line) => (WAL_FSYNC.test(line) ? "fsync" : SENT_201.test(line) ? "201" : null))
    .filter(Boolean);
  const created = events.filter((e) => e === "201").length;
  expect(created).toBe(3);
  // Every 201 is preceded, since the previous 201, by an fsync of the log.
  let synced = false;
  for (const event of events) {
    if (event === "fsync") synced = true;
    else {
      expect(synced).toBe(true);
      synced = false;
    }
  }
});

/** Sends `requests` pipelined on one connection, in one write, and resolves with all it got back. */
function pipelined(url: string, requests: string[]): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    let received = "";
    const socket = connect(Number(port), hostname, () => socket.write(requests.join("")));
    socket.setEncoding("utf8");
    socket.on("data", (chunk: string) => (received += chunk));
    socket.on("end", () => resolve(received));
    socket.on("error", reject);
  });
}

it("fsyncs the log holding each entry before its 201, when signs arriving together share one commit", async () => {
  const server = await tracedServer("fsync,fdatasync,pwrite64,write,writev,sendto,sendmsg", 8192);
  const names = Array.from({ length: 6 }, (_, i) => `together-${i}-${randomUUID().slice(0, 8)}`);
  // One write holding every request: the server reads them in one turn of its event loop.
  const requests = names.map((name, i) => {
    const body = JSON.stringify({ name, message: "signed together" });
    const close = i === names.length - 1 ? "Connection: close\r\n" : "";
    return `POST /api/entries HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n${close}\r\n${body}`;
  });
  const answers = await pipelined(server.url, requests);
  expect(answers.match(/HTTP\/1\.1 \d{3}/g)).toEqual(names.map(() => "HTTP/1.1 201"));

  // In order: the log's fsyncs, each entry's first write into the log, each entry's 201.
  const events: string[] = [];
  for (const line of await server.events()) {
    if (WAL_FSYNC.test(line)) events.push("fsync");
    else if (/^\d+\s+pwrite64\(\d+<[^>]*guestbook\.sqlite-wal>/.test(line)) {
      for (const name of names) if (line.includes(name)) events.push(`write ${name}`);
    } else if (SENT_201.test(line)) {
      for (const name of names) if (line.includes(name)) events.push(`201 ${name}`);
    }
  }
  for (const name of names) {
    const written = events.indexOf(`write ${name}`);
    const answered = events.indexOf(`201 ${name}`);
    expect(written, `${name} reached the log`).toBeGreaterThanOrEqual(0);
    expect(answered, `${name} was answered`).toBeGreaterThan(written);
    expect(events.slice(written, answered), `the log was fsynced between ${name} reaching it and its 201`).toContain("fsync");
  }
  // They shared commits: fewer fsyncs from the first entry's write to the last 201 than entries.
  const first = Math.min(...names.map((name) => events.indexOf(`write ${name}`)));
  const last = Math.max(...names.map((name) => events.indexOf(`201 ${name}`)));
  expect(events.slice(first, last).filter((event) => event === "fsync").length).toBeLessThan(names.length);
});
