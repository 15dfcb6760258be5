/** scripts/require-github-app.sh: the one clear error a workflow gives when its GitHub App is missing. */
import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";

const run = (env: Record<string, string>) =>
  spawnSync("bash", ["scripts/require-github-app.sh"], { encoding: "utf8", env: { PATH: process.env.PATH, ...env } });

const error = (what: string) =>
  `::error title=GitHub App not configured::${what} missing in Settings → Secrets and variables → Actions: ` +
  "create the App and set both as docs/delivery.md (The GitHub App) says\n";

describe("require-github-app.sh", () => {
  it("passes when the client ID and the private key are both set", () => {
    const result = run({ BOT_APP_CLIENT_ID: "Iv23abc", BOT_APP_PRIVATE_KEY_SET: "true" });
    expect(result.status).toBe(0);
    expect(result.stdout).toBe("GitHub App configured: client ID Iv23abc\n");
  });

  it.each([
    [{}, "the variable BOT_APP_CLIENT_ID and the secret BOT_APP_PRIVATE_KEY"],
    [{ BOT_APP_CLIENT_ID: "", BOT_APP_PRIVATE_KEY_SET: "false" }, "the variable BOT_APP_CLIENT_ID and the secret BOT_APP_PRIVATE_KEY"],
    [{ BOT_APP_PRIVATE_KEY_SET: "true" }, "the variable BOT_APP_CLIENT_ID"],
    [{ BOT_APP_CLIENT_ID: "Iv23abc", BOT_APP_PRIVATE_KEY_SET: "false" }, "the secret BOT_APP_PRIVATE_KEY"],
  ])("fails with one error annotation naming what is missing: %j", (env, what) => {
    const result = run(env);
    expect(result.status).toBe(1);
    expect(result.stdout).toBe(error(what));
    expect(result.stderr).toBe("");
  });
});
