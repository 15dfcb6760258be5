/**
 * `npm run serve`: the built server, as the api image runs it, after checking that dist/ is
 * there and newer than the sources, so a missing or stale build is one line, not a stack trace.
 * The server runs in this process: signals reach it directly.
 */
import { SERVER_ENTRY, withBuild } from "./lib/server-process.js";

await withBuild("npm run serve", async () => {
  await import(`../${SERVER_ENTRY}`);
});
