/**
 * The parts of scripts/e2e-kind.sh that need no Docker or cluster, run here as bash runs them:
 * the git server seeded from a shallow checkout as CI's, the commit Argo CD is shown, the load
 * around a disruption, and the wait on Argo CD's status (against a kubectl that replays one).
 */
import { spawn } from "node:child_process";
import { chmodSync, cpSync, readFileSync, renameSync, symlinkSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { parse, parseAllDocuments } from "yaml";
import { ensureLocalCredentials } from "../../scripts/lib/local-credentials.js";
import { freePort, startServer } from "../../scripts/lib/server-process.js";
import { findRenderer } from "../../scripts/validate/index.js";
import { tempDir } from "../helpers/app.js";
import { copyManifests } from "../helpers/repo-copy.js";

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

function scratch(prefix: string) {
  const dir = tempDir(prefix);
  cleanups.push(dir.remove);
  return dir.path;
}

/** Runs a bash script asynchronously (servers it talks to may live in this process). */
function bash(script: string, options: { cwd?: string; env?: Record<string, string> } = {}) {
  const child = spawn("bash", ["-c", script], { cwd: options.cwd ?? ".", env: { ...process.env, ...options.env }, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
  child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((done) => child.on("close", (code) => done({ code, stdout, stderr })));
}

// What scripts/e2e-kind.sh sets before the parts it sources run.
const PRELUDE = `set -o errexit -o nounset -o pipefail
log() { printf '== %s\\n' "$*"; }
fail() { echo "e2e-kind.sh: $*" >&2; return 1; }
`;

const value = (stdout: string, key: string) => new RegExp(`^${key}=(.*)$`, "m").exec(stdout)?.[1];

// What overlays/local generates its MongoDB Secrets from, never in Git (npm run local-credentials).
const LOCAL_INPUTS = ["mongodb-credentials.env", "mongodb-keyfile"];

/** The generate command of the run's config management plugin, as Argo CD's sidecar runs it. */
function pluginCommand(): string[] {
  const configMap = parse(readFileSync("scripts/e2e-kind/local-inputs-plugin.yaml", "utf8")) as { data: { "plugin.yaml": string } };
  const plugin = parse(configMap.data["plugin.yaml"]) as { metadata: { name: string }; spec: { generate: { command: string[]; args: string[] } } };
  return [...plugin.spec.generate.command, ...plugin.spec.generate.args];
}

/** `kustomize build DIR` for a machine that has kubectl's Kustomize only: the same code. */
function kustomizeShim(): string {
  const bin = scratch("guestbook-kustomize-");
  writeFileSync(join(bin, "kustomize"), '#!/bin/sh\n[ "$1" = build ] || exit 2\nshift\nexec kubectl kustomize "$@"\n');
  chmodSync(join(bin, "kustomize"), 0o755);
  return bin;
}

describe("scripts/e2e-kind/git-source.sh", () => {
  /**
   * A checkout as CI makes one (a clone, full or one commit deep) of a repository holding this
   * one's manifests in two commits, with the working scripts and installed packages beside it.
   */
  async function checkout(cloneArgs: string): Promise<string> {
    const origin = copyManifests({ git: true });
    cleanups.push(origin.remove);
    // As in Git: without the git-ignored inputs npm run local-credentials makes.
    await bash(
      `git rm -r -q --cached --ignore-unmatch ${LOCAL_INPUTS.map((f) => `overlays/local/${f}`).join(" ")} && git -c user.name=test -c user.email=test@example.com commit -q --allow-empty -m second`,
      { cwd: origin.path },
    );
    const dir = join(scratch("guestbook-checkout-"), "checkout");
    await bash(`git clone -q ${cloneArgs} "file://${origin.path}" "${dir}"`);
    cpSync("scripts", join(dir, "scripts"), { recursive: true });
    cpSync("package.json", join(dir, "package.json"));
    symlinkSync(resolve("node_modules"), join(dir, "node_modules"));
    return dir;
  }

  it("serves the checkout's revision so that Argo CD's fetch gets it, commits the replica change to it, and stops", async () => {
    const port = await freePort();
    const { code, stdout, stderr } = await bash(
      `${PRELUDE}
source scripts/e2e-kind/git-source.sh
PLUGIN=(${pluginCommand().map((w) => `'${w.replace(/'/g, "'\\''")}'`).join(" ")})
WORK_DIR="$(mktemp -d)"; GIT_PORT=${port}; GIT_BRANCH=e2e; E2E_REVISION="$(git rev-parse HEAD)"
require_full_history
choose_git_addresses
echo "url=$GIT_URL"
serve_git_repository
echo "served=$(git ls-remote "$GIT_URL" refs/heads/e2e | cut -f1)"
# What Argo CD's repo server runs (util/git/client.go): init, then fetch with tags, force and prune.
git init -q "$WORK_DIR/argocd" && git -C "$WORK_DIR/argocd" remote add origin "$GIT_URL"
git -C "$WORK_DIR/argocd" fetch -q origin --tags --force --prune
echo "fetched=$(git -C "$WORK_DIR/argocd" rev-parse refs/remotes/origin/e2e)"
commit_replicas guestbook-backend=2
echo "change=$CHANGE_REVISION"
git -C "$WORK_DIR/argocd" fetch -q origin --tags --force --prune
echo "refetched=$(git -C "$WORK_DIR/argocd" rev-parse refs/remotes/origin/e2e)"
echo "parent=$(git -C "$WORK_DIR/argocd" rev-parse refs/remotes/origin/e2e~1)"
git -C "$WORK_DIR/argocd" checkout -q refs/remotes/origin/e2e
echo "inputs-in-git=$(ls "$WORK_DIR/argocd/overlays/local" | grep -c mongodb- || true)"
# Rendered as the run's config management plugin does, given the inputs the run made here.
npm run --silent local-credentials -- local >/dev/null
mkdir "$WORK_DIR/inputs" && cp overlays/local/mongodb-* "$WORK_DIR/inputs/"
(cd "$WORK_DIR/argocd/overlays/local" && LOCAL_INPUTS="$WORK_DIR/inputs" PATH="$SHIM:$PATH" "\${PLUGIN[@]}") > "$WORK_DIR/rendered.yaml"
echo "rendered=$WORK_DIR/rendered.yaml"
echo "revision=$E2E_REVISION"
stop_git_server
if git ls-remote "$GIT_URL" >/dev/null 2>&1; then echo "stopped=no"; else echo "stopped=yes"; fi
`,
      { cwd: await checkout(""), env: { E2E_GIT_HOST: "127.0.0.1", E2E_GIT_BIND: "127.0.0.1", SHIM: kustomizeShim() } },
    );
    expect(stderr).toBe("");
    expect(code).toBe(0);
    expect(value(stdout, "url")).toBe(`http://127.0.0.1:${port}/guestbook.git`);
    const revision = value(stdout, "revision");
    expect(revision).toMatch(/^[0-9a-f]{40}$/);
    expect(value(stdout, "served")).toBe(revision);
    expect(value(stdout, "fetched")).toBe(revision);
    expect(value(stdout, "change")).toMatch(/^[0-9a-f]{40}$/);
    expect(value(stdout, "change")).not.toBe(revision);
    expect(value(stdout, "refetched")).toBe(value(stdout, "change"));
    expect(value(stdout, "parent")).toBe(revision);
    expect(value(stdout, "inputs-in-git")).toBe("0");
    const rendered = parseAllDocuments(readFileSync(value(stdout, "rendered")!, "utf8")).map(
      (d) => d.toJS() as { kind: string; metadata: { name: string }; spec: { replicas?: number } },
    );
    const replicas = Object.fromEntries(rendered.filter((o) => o.kind === "Deployment").map((o) => [o.metadata.name, o.spec.replicas]));
    expect(replicas).toEqual({ "guestbook-backend": 2, "guestbook-frontend": 1 });
    expect(value(stdout, "stopped")).toBe("yes");
  }, 90_000);

  it("refuses a shallow checkout in one line, before anything is created", async () => {
    const { code, stderr } = await bash(`${PRELUDE}\nsource scripts/e2e-kind/git-source.sh\nrequire_full_history`, { cwd: await checkout("--depth 1") });
    expect(stderr).toBe(
      "e2e-kind.sh: the checkout is shallow: Argo CD cannot fetch from a shallow repository (git fetch --unshallow, or actions/checkout with fetch-depth: 0)\n",
    );
    expect(code).toBe(1);
  }, 30_000);

  it("finds no address for the cluster without a kind network, and says what to set", async () => {
    const bin = scratch("guestbook-bin-");
    writeFileSync(join(bin, "docker"), "#!/bin/sh\necho 'fc00:f853:ccd:e793::1 '\n");
    chmodSync(join(bin, "docker"), 0o755);
    const { code, stderr } = await bash(`${PRELUDE}\nsource scripts/e2e-kind/git-source.sh\nGIT_PORT=8419\nchoose_git_addresses`, {
      env: { PATH: `${bin}:${process.env.PATH}` },
    });
    expect(code).toBe(1);
    expect(stderr).toBe("e2e-kind.sh: the kind network has no IPv4 gateway: set E2E_GIT_HOST to an address pods reach this machine at\n");
  });
});

describe("scripts/e2e-kind/local-inputs-plugin.yaml", () => {
  it("renders overlays/local from a clone without its git-ignored inputs, given them, as Kustomize does with them in place", async () => {
    const copy = copyManifests();
    cleanups.push(copy.remove);
    const overlay = join(copy.path, "overlays/local");
    ensureLocalCredentials(overlay);
    const expected = await findRenderer().render(overlay);
    const inputs = scratch("guestbook-inputs-");
    for (const file of LOCAL_INPUTS) renameSync(join(overlay, file), join(inputs, file));
    const [command, ...args] = pluginCommand();
    const { code, stdout, stderr } = await new Promise<{ code: number | null; stdout: string; stderr: string }>((done) => {
      const child = spawn(command!, args, { cwd: overlay, env: { ...process.env, LOCAL_INPUTS: inputs, PATH: `${kustomizeShim()}:${process.env.PATH}` } });
      let out = "";
      let err = "";
      child.stdout.on("data", (c: Buffer) => (out += c.toString()));
      child.stderr.on("data", (c: Buffer) => (err += c.toString()));
      child.on("close", (c) => done({ code: c, stdout: out, stderr: err }));
    });
    expect(stderr).toBe("");
    expect(code).toBe(0);
    expect(stdout).toBe(expected);
    const keyfile = (parseAllDocuments(stdout).map((d) => d.toJS()) as { kind: string; metadata: { name: string }; data?: Record<string, string> }[]).find(
      (o) => o.kind === "Secret" && o.metadata.name.startsWith("guestbook-mongodb-keyfile-"),
    );
    // Kustomize writes long data as a literal block; base64 decoding skips its line breaks.
    expect(keyfile?.data?.keyfile?.replace(/\n/g, "")).toBe(readFileSync(join(inputs, "mongodb-keyfile")).toString("base64"));
  });

  it("is the plugin scripts/e2e-kind.sh names and sets up", () => {
    const configMap = parse(readFileSync("scripts/e2e-kind/local-inputs-plugin.yaml", "utf8")) as { metadata: { name: string }; data: { "plugin.yaml": string } };
    const name = (parse(configMap.data["plugin.yaml"]) as { metadata: { name: string } }).metadata.name;
    expect(readFileSync("scripts/e2e-kind.sh", "utf8")).toContain(`readonly LOCAL_INPUTS_PLUGIN="${name}"`);
    expect(readFileSync("scripts/e2e-kind/argocd.sh", "utf8")).toContain(`configMap: {name: ${configMap.metadata.name}}`);
  });
});

describe("scripts/e2e-kind/under-load.sh", () => {
  async function underLoad(disruption: string, env: Record<string, string>) {
    return bash(
      `${PRELUDE}
source scripts/e2e-kind/under-load.sh
BASE_URL="$TARGET"; LOAD_READERS=2; LOAD_SIGNS_PER_MINUTE=120; LOAD_SETTLE_SECONDS=1; WORK_DIR="$(mktemp -d)"
disrupt() { ${disruption}; }
measure_under_load "the test's disruption" disrupt
echo "after=ok"`,
      { env },
    );
  }

  it("passes, with the load's counts printed, when the disruption costs nothing", async () => {
    const data = scratch("guestbook-load-");
    const server = await startServer({ DATA_DIR: data, RATE_LIMIT_PER_MINUTE: "0" }, { output: "ignore" });
    cleanups.push(() => server.child.kill("SIGKILL"));
    const { code, stdout } = await underLoad("sleep 1", { TARGET: server.url });
    expect(stdout).toMatch(/^== under load: the test's disruption$/m);
    expect(stdout).toMatch(/^started: 2 readers and 120 signs a minute against /m);
    expect(stdout).toMatch(/^load: \d+ requests .* 0 failed, 0 rate limited \(429\), 0 lost, slowest \d+ ms$/m);
    expect(value(stdout, "after")).toBe("ok");
    expect(code).toBe(0);
  }, 60_000);

  it("fails the run, naming the disruption, when requests fail during it", async () => {
    const data = scratch("guestbook-load-");
    const server = await startServer({ DATA_DIR: data, RATE_LIMIT_PER_MINUTE: "0" }, { output: "ignore" });
    cleanups.push(() => server.child.kill("SIGKILL"));
    const { code, stdout, stderr } = await underLoad(`kill -9 ${server.child.pid}`, { TARGET: server.url });
    expect(stdout).toMatch(/^load: .* [1-9]\d* failed, /m);
    expect(stderr).toMatch(/^e2e-kind\.sh: requests failed, were rate limited or signatures were lost during: the test's disruption$/m);
    expect(stdout).not.toContain("after=ok");
    expect(code).toBe(1);
  }, 60_000);
});

describe("scripts/e2e-kind/argocd.sh: wait_for_application", () => {
  const SHA = "0123456789abcdef0123456789abcdef01234567";
  const REPO = "https://github.com/someone/guestbook-gitops.git";

  /** A kubectl that answers each `get` with the next status line of a script, then the last one forever. */
  function replayingKubectl(states: string[]) {
    const bin = scratch("guestbook-kubectl-");
    writeFileSync(join(bin, "states"), `${states.join("\n")}\n`);
    writeFileSync(
      join(bin, "kubectl"),
      `#!/usr/bin/env bash
n=$(cat "${bin}/n" 2>/dev/null || echo 1)
if ((n <= $(wc -l < "${bin}/states"))); then sed -n "\${n}p" "${bin}/states"; else tail -n 1 "${bin}/states"; fi
echo $((n + 1)) > "${bin}/n"
`,
    );
    chmodSync(join(bin, "kubectl"), 0o755);
    return `${bin}:${process.env.PATH}`;
  }

  const wait = (path: string, timeout: number) =>
    bash(`${PRELUDE}\nsource scripts/e2e-kind/argocd.sh\nAPP=guestbook-e2e; SYNC_TIMEOUT=${timeout}\nsleep() { :; }\nwait_for_application ${SHA} ${REPO}`, {
      env: { PATH: path },
    });

  it("waits through each state until Synced and Healthy at the revision, from the repository", async () => {
    const { code, stdout } = await wait(
      replayingKubectl(["", `OutOfSync Missing ${SHA} ${REPO}`, `Synced Progressing ${SHA} ${REPO}`, `Synced Healthy ${SHA} ${REPO}`]),
      60,
    );
    expect(stdout.trim().split("\n").map((l) => l.replace(/^\s*\d\d:\d\d:\d\d /, ""))).toEqual([
      "no status yet",
      `OutOfSync Missing ${SHA} ${REPO}`,
      `Synced Progressing ${SHA} ${REPO}`,
      `Synced Healthy ${SHA} ${REPO}`,
    ]);
    expect(code).toBe(0);
  });

  it("does not take Synced and Healthy at another revision for done, and gives up after the timeout", async () => {
    const other = "fedcba9876543210fedcba9876543210fedcba98";
    const { code, stderr } = await wait(replayingKubectl([`Synced Healthy ${other} ${REPO}`]), 1);
    expect(stderr).toBe(`e2e-kind.sh: guestbook-e2e was not Synced and Healthy at ${SHA} of ${REPO} within 1 s\n`);
    expect(code).toBe(1);
  });
});

describe("scripts/e2e-kind.sh", () => {
  it("stops in one line naming what is missing on a machine without Docker", async () => {
    const { code, stdout, stderr } = await bash("bash scripts/e2e-kind.sh", { env: { PATH: "/usr/bin:/bin" } });
    expect(stdout).toBe("");
    expect(stderr).toMatch(/^e2e-kind\.sh: (docker|npm) not found on the PATH \(needs docker with buildx, kind, kubectl, git, npm\)\n$/);
    expect(code).toBe(1);
  });
});
