/** scripts/commit-and-push.sh against a local bare repository standing in for GitHub. */
import { execFileSync, spawnSync } from "node:child_process";
import { chmodSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { tempDir } from "../../scripts/lib/temp-dir.js";

const SCRIPT = resolve("scripts/commit-and-push.sh");
const IDENTITY = {
  GIT_AUTHOR_NAME: "bot",
  GIT_AUTHOR_EMAIL: "bot@example.com",
  GIT_COMMITTER_NAME: "bot",
  GIT_COMMITTER_EMAIL: "bot@example.com",
};

let dir: ReturnType<typeof tempDir>;
let origin: string;
let work: string;
let other: string;

const git = (cwd: string, ...args: string[]) =>
  execFileSync("git", args, { cwd, encoding: "utf8", env: { ...process.env, ...IDENTITY }, stdio: ["ignore", "pipe", "pipe"] }).trim();
const write = (cwd: string, path: string, text: string) => writeFileSync(join(cwd, path), text);
const originLog = () => git(origin, "log", "--format=%s", "main").split("\n");

/** A second clone pushes a commit to origin, as a merge landing during the build would. */
function pushFromOther(path: string, text: string, message: string) {
  git(other, "pull", "--quiet", "--rebase", "origin", "main");
  write(other, path, text);
  git(other, "commit", "--quiet", "-am", message);
  git(other, "push", "--quiet", "origin", "HEAD:main");
}

function run(args: string[], env: NodeJS.ProcessEnv = {}) {
  return spawnSync("bash", [SCRIPT, ...args], { cwd: work, encoding: "utf8", env: { ...process.env, ...IDENTITY, ...env } });
}

beforeEach(() => {
  dir = tempDir("guestbook-push-");
  origin = join(dir.path, "origin.git");
  work = join(dir.path, "work");
  other = join(dir.path, "other");
  git(dir.path, "init", "--quiet", "--bare", "--initial-branch=main", origin);
  git(dir.path, "clone", "--quiet", origin, work);
  git(work, "switch", "--quiet", "-c", "main");
  write(work, "dev.yaml", "newTag: one\n");
  write(work, "README.md", "# readme\n");
  git(work, "add", ".");
  git(work, "commit", "--quiet", "-m", "initial");
  git(work, "push", "--quiet", "-u", "origin", "main");
  git(dir.path, "clone", "--quiet", origin, other);
});
afterEach(() => dir.remove());

describe("commit-and-push.sh", () => {
  it("makes no commit when nothing changed", () => {
    const result = run(["Deploy to dev", "dev.yaml"]);
    expect(result.stderr).toBe("");
    expect(result.status).toBe(0);
    expect(result.stdout).toBe("nothing changed in dev.yaml: no commit\n");
    expect(originLog()).toEqual(["initial"]);
    expect(git(work, "rev-list", "--count", "HEAD")).toBe("1");
  });

  it("commits only the named paths and pushes them", () => {
    write(work, "dev.yaml", "newTag: two\n");
    write(work, "README.md", "# an unrelated edit\n");
    const result = run(["Deploy two to dev", "dev.yaml"]);
    expect(result.stderr).toBe("");
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/^pushed [0-9a-f]+ to main \(attempt 1 of 3\)\n$/);
    expect(originLog()).toEqual(["Deploy two to dev", "initial"]);
    expect(git(origin, "show", "main:dev.yaml")).toBe("newTag: two");
    expect(git(origin, "show", "main:README.md")).toBe("# readme");
  });

  it("rebases onto origin and pushes when a merge landed meanwhile", () => {
    pushFromOther("README.md", "# merged meanwhile\n", "merged meanwhile");
    write(work, "dev.yaml", "newTag: two\n");
    const result = run(["Deploy two to dev", "dev.yaml"]);
    expect(result.status).toBe(0);
    expect(result.stdout).toContain("origin's main moved on: rebasing and trying again\n");
    expect(result.stdout).toMatch(/pushed [0-9a-f]+ to main \(attempt 2 of 3\)\n$/);
    expect(originLog()).toEqual(["Deploy two to dev", "merged meanwhile", "initial"]);
    expect(git(origin, "show", "main:README.md")).toBe("# merged meanwhile");
  });

  it("retries when origin moves while the push is on its way", () => {
    // A pre-push hook lets another push land after our push read origin's state, twice.
    const counter = join(dir.path, "races");
    writeFileSync(counter, "");
    const hook = join(work, ".git/hooks/pre-push");
    writeFileSync(
      hook,
      `#!/usr/bin/env bash\nset -o errexit -o nounset -o pipefail\n` +
        `if [[ $(wc -l < "${counter}") -lt 2 ]]; then\n  echo race >> "${counter}"\n` +
        `  cd "${other}" && git pull -q --rebase origin main && echo "race $(wc -l < "${counter}")" > README.md && git commit -qam race && git push -q origin HEAD:main\nfi\n`,
    );
    chmodSync(hook, 0o755);
    write(work, "dev.yaml", "newTag: two\n");
    const result = run(["Deploy two to dev", "dev.yaml"]);
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/pushed [0-9a-f]+ to main \(attempt 3 of 3\)\n$/);
    expect(originLog()).toEqual(["Deploy two to dev", "race", "race", "initial"]);
  });

  it("gives up, pushing nothing, when origin keeps moving for PUSH_ATTEMPTS attempts", () => {
    pushFromOther("README.md", "# merged meanwhile\n", "merged meanwhile");
    write(work, "dev.yaml", "newTag: two\n");
    const result = run(["Deploy two to dev", "dev.yaml"], { PUSH_ATTEMPTS: "1" });
    expect(result.status).toBe(1);
    expect(result.stderr.trim().split("\n").at(-1)).toBe("commit-and-push.sh: origin's main kept moving: gave up after 1 attempt(s), nothing pushed");
    expect(originLog()).toEqual(["merged meanwhile", "initial"]);
  });

  it("fails, pushing nothing and leaving no rebase behind, when the rebase conflicts", () => {
    pushFromOther("dev.yaml", "newTag: by-hand\n", "pin dev by hand");
    write(work, "dev.yaml", "newTag: two\n");
    const result = run(["Deploy two to dev", "dev.yaml"]);
    expect(result.status).toBe(1);
    expect(result.stderr.trim().split("\n").at(-1)).toBe(
      "commit-and-push.sh: rebasing onto origin's main conflicts with a change made there: nothing pushed",
    );
    expect(originLog()).toEqual(["pin dev by hand", "initial"]);
    expect(existsSync(join(work, ".git/rebase-merge")) || existsSync(join(work, ".git/rebase-apply"))).toBe(false);
  });

  it("fails at once with git's message when origin refuses the push itself (a protected branch)", () => {
    const attemptsSeen = join(dir.path, "hook-calls");
    const hook = join(origin, "hooks/pre-receive");
    writeFileSync(hook, `#!/usr/bin/env bash\necho call >> "${attemptsSeen}"\necho "GH006: Protected branch update failed for refs/heads/main." >&2\nexit 1\n`);
    chmodSync(hook, 0o755);
    write(work, "dev.yaml", "newTag: two\n");
    const result = run(["Deploy two to dev", "dev.yaml"]);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain("GH006: Protected branch update failed");
    expect(result.stderr.trim().split("\n").at(-1)).toBe(
      "commit-and-push.sh: origin refused the push to main (see git's message above): not a race another push can fix",
    );
    expect(readFileSync(attemptsSeen, "utf8")).toBe("call\n");
    expect(originLog()).toEqual(["initial"]);
  });

  it.each([
    [[], {}, 2, "usage: scripts/commit-and-push.sh MESSAGE PATH...   (PUSH_ATTEMPTS, default 3)"],
    [["message", "dev.yaml"], { PUSH_ATTEMPTS: "0" }, 1, 'commit-and-push.sh: PUSH_ATTEMPTS must be a positive whole number, not "0"'],
  ])("refuses bad input %j in one line", (args, env, status, message) => {
    const result = run(args as string[], env);
    expect(result.status).toBe(status);
    expect(result.stderr).toBe(`${message}\n`);
  });

  it("refuses a detached HEAD", () => {
    git(work, "switch", "--quiet", "--detach");
    write(work, "dev.yaml", "newTag: two\n");
    const result = run(["Deploy two to dev", "dev.yaml"]);
    expect(result.status).toBe(1);
    expect(result.stderr).toBe("commit-and-push.sh: HEAD is detached: check out the branch to push to\n");
  });
});
