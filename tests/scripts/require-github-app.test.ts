/** scripts/require-github-app.sh: the one clear error a workflow gives when its GitHub App is missing. */
import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";

const run = (env: Record<string, string>) =>
  spawnSync("bash", ["scripts/require-github-app.sh"], { encoding: "utf8", env: { PATH: process.env.PATH, ...env } });

const error = (what: string) =>
  `::error title=GitHub App not configured::${what} not set (Settings → Secrets and variables → Actions): ` +
  "create the App and set both as docs/delivery.md (The GitHub App) says\n";

describe("require-github-app.sh", () => {
  it("passes when the client ID and the private key are both set", () => {
    const result = run({ BOT_APP_CLIENT_ID_SET: "true", BOT_APP_PRIVATE_KEY_SET: "true" });
    expect(result.status).toBe(0);
    expect(result.stdout).toBe("GitHub App configured: BOT_APP_CLIENT_ID and BOT_APP_PRIVATE_KEY are set\n");
  });

  // Actions renders `secrets.X != ''` as "true" or "false"; an unset secret is also "false".
  it.each([
    [{}, "the secrets BOT_APP_CLIENT_ID and BOT_APP_PRIVATE_KEY are"],
    [{ BOT_APP_CLIENT_ID_SET: "false", BOT_APP_PRIVATE_KEY_SET: "false" }, "the secrets BOT_APP_CLIENT_ID and BOT_APP_PRIVATE_KEY are"],
    [{ BOT_APP_CLIENT_ID_SET: "false", BOT_APP_PRIVATE_KEY_SET: "true" }, "the secret BOT_APP_CLIENT_ID is"],
    [{ BOT_APP_CLIENT_ID_SET: "true", BOT_APP_PRIVATE_KEY_SET: "false" }, "the secret BOT_APP_PRIVATE_KEY is"],
  ])("fails with one error annotation naming what is missing: %j", (env, what) => {
    const result = run(env);
    expect(result.status).toBe(1);
    expect(result.stdout).toBe(error(what));
    expect(result.stderr).toBe("");
  });
});
