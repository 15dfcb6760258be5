/**
 * What the README's durability claim rests on, observed rather than assumed: the built server
 * fsyncs SQLite's write-ahead log before it answers 201. Traced with strace (kill -9 alone
 * cannot show it: the page cache survives a killed process, not a power cut).
 */
import { readFileSync } from "node:fs";
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

it("fsyncs SQLite's write-ahead log before each 201 reaches the socket", async () => {
  const strace = requireTool("strace", "install it (apt-get install strace) to trace the store's fsync calls.");
  dir = tempDir();
  const trace = join(dir.path, "trace.txt");
  running = await startServer(
    { DATA_DIR: join(dir.path, "data"), RATE_LIMIT_PER_MINUTE: "0" },
    { launcher: [strace, "-f", "-y", "-s", "16", "-e", "trace=fsync,fdatasync,write,writev,sendto,sendmsg", "-o", trace] },
  );
  serverPid = tracedPid(running.child.pid!);
  for (let i = 0; i < 3; i++) {
    const res = await fetch(`${running.url}/api/entries`, postJson({ name: `durable-${i}`, message: "on disk" }));
    expect(res.status).toBe(201);
  }
  process.kill(serverPid, "SIGTERM");
  expect(await running.exited).toBe(0);

  const events = readFileSync(trace, "utf8")
    .split("\n")
    .map((line) =>
      /\bf(data)?sync\(\d+<[^>]*guestbook\.sqlite-wal>\) = 0/.test(line)
        ? "fsync"
        : /<(socket|TCP):\[[^>]*>, (\[\{iov_base=)?"HTTP\/1\.1 201/.test(line)
          ? "201"
          : null,
    )
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
