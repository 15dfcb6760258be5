/**
 * The git server of the kind end-to-end run, as Argo CD uses it: real git clients over HTTP
 * against `npm run e2e:git-server` as a real process.
 */
import { type ChildProcess, execFileSync, spawn, spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort } from "../../scripts/lib/server-process.js";
import { requireTool } from "../../scripts/lib/which.js";
import { tempDir } from "../helpers/app.js";

const git = (cwd: string, ...args: string[]) =>
  execFileSync(requireTool("git", "install git to test the end-to-end run's git server."), args, {
    cwd,
    encoding: "utf8",
    env: { ...process.env, GIT_AUTHOR_NAME: "t", GIT_AUTHOR_EMAIL: "t@example.com", GIT_COMMITTER_NAME: "t", GIT_COMMITTER_EMAIL: "t@example.com" },
  }).trim();
const gitStatus = (cwd: string, ...args: string[]) => spawnSync("git", args, { cwd, encoding: "utf8" });

let dir: ReturnType<typeof tempDir>;
let server: ChildProcess;
let url: string;
let work: string;
let output = "";

/** A commit on branch e2e of the served repository, made the way the run makes one: on this machine. */
function commit(file: string, text: string): string {
  writeFileSync(join(work, file), text);
  git(work, "add", file);
  git(work, "commit", "-q", "-m", `Change ${file}`);
  git(work, "push", "-q", "origin", "HEAD:e2e");
  return git(work, "rev-parse", "HEAD");
}

beforeAll(async () => {
  dir = tempDir("guestbook-git-");
  const root = join(dir.path, "served");
  mkdirSync(root);
  git(root, "init", "-q", "--bare", "guestbook.git");
  work = join(dir.path, "work");
  git(dir.path, "clone", "-q", join(root, "guestbook.git"), "work");
  commit("README.md", "first\n");
  const port = await freePort();
  server = spawn(resolve("node_modules/.bin/tsx"), ["scripts/e2e/git-server.ts", "--root", root, "--port", String(port)], { stdio: ["ignore", "pipe", "pipe"] });
  server.stdout!.on("data", (c: Buffer) => (output += c.toString()));
  server.stderr!.on("data", (c: Buffer) => (output += c.toString()));
  const deadline = Date.now() + 20_000;
  while (!output.includes("serving")) {
    if (Date.now() > deadline || server.exitCode !== null) throw new Error(`git server did not start: ${output}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  url = `http://127.0.0.1:${port}/guestbook.git`;
}, 30_000);

afterAll(() => {
  server?.kill("SIGTERM");
  dir?.remove();
});

describe("npm run e2e:git-server", () => {
  it("says where it serves", () => {
    expect(output).toMatch(/^e2e:git-server: serving \S+\/served on http:\/\/127\.0\.0\.1:\d+\/$/m);
  });

  it("lists the branch at its newest commit, every time it is asked (no cache between commits)", () => {
    const before = git(work, "rev-parse", "HEAD");
    expect(git(dir.path, "ls-remote", url, "refs/heads/e2e")).toBe(`${before}\trefs/heads/e2e`);
    const after = commit("replicas.txt", "2\n");
    expect(git(dir.path, "ls-remote", url, "refs/heads/e2e")).toBe(`${after}\trefs/heads/e2e`);
  });

  it("answers protocol v0 clients as well (Argo CD resolves branches with go-git, which speaks v0)", () => {
    const head = git(work, "rev-parse", "HEAD");
    expect(git(dir.path, "-c", "protocol.version=0", "ls-remote", url, "refs/heads/e2e")).toBe(`${head}\trefs/heads/e2e`);
  });

  it("serves a clone (protocol v2) with the committed files", () => {
    commit("change.txt", "from the run\n");
    const clone = join(dir.path, `clone-${Date.now()}`);
    git(dir.path, "-c", "protocol.version=2", "clone", "-q", "--branch", "e2e", url, clone);
    expect(readFileSync(join(clone, "change.txt"), "utf8")).toBe("from the run\n");
    expect(git(clone, "rev-parse", "HEAD")).toBe(git(work, "rev-parse", "HEAD"));
  });

  it("fetches one commit by SHA into an existing clone, as Argo CD does for a revision", () => {
    const clone = join(dir.path, `fetch-${Date.now()}`);
    git(dir.path, "clone", "-q", "--branch", "e2e", url, clone);
    const sha = commit("fetched.txt", "x\n");
    git(clone, "fetch", "-q", "origin", sha);
    expect(git(clone, "cat-file", "-t", sha)).toBe("commit");
  });

  it("accepts a gzip-encoded request, as git sends a long negotiation", async () => {
    const sha = git(work, "rev-parse", "HEAD");
    const pkt = (line: string) => `${(line.length + 4).toString(16).padStart(4, "0")}${line}`;
    const body = gzipSync(`${pkt(`want ${sha}\n`)}0000${pkt("done\n")}`);
    const response = await fetch(`${url}/git-upload-pack`, {
      method: "POST",
      headers: { "Content-Type": "application/x-git-upload-pack-request", "Content-Encoding": "gzip" },
      body,
    });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("application/x-git-upload-pack-result");
    const answer = Buffer.from(await response.arrayBuffer());
    expect(answer.subarray(0, 8).toString()).toBe("0008NAK\n");
    expect(answer.subarray(8, 12).toString()).toBe("PACK");
  });

  it("refuses pushes over HTTP: the repository changes only by commits made on this machine", () => {
    const result = gitStatus(work, "push", url, "HEAD:refs/heads/intruder");
    expect(result.status).not.toBe(0);
    expect(result.stderr).toMatch(/403|not enabled|unable to access/i);
    expect(git(dir.path, "ls-remote", url)).not.toContain("intruder");
  });

  it.each(["/guestbook.git/../../etc/passwd", "/guestbook.git/config", "/", "/nothing.git/info/refs?service=git-upload-pack"])(
    "answers 404 for %s",
    async (path) => {
      const response = await fetch(`${url.replace("/guestbook.git", "")}${path}`);
      expect(response.status).toBe(404);
    },
  );

  it("stops on SIGTERM with exit code 0", async () => {
    const port = await freePort();
    const child = spawn(resolve("node_modules/.bin/tsx"), ["scripts/e2e/git-server.ts", "--root", dir.path, "--port", String(port)], { stdio: ["ignore", "pipe", "inherit"] });
    await new Promise<void>((done) => child.stdout!.once("data", () => done()));
    child.kill("SIGTERM");
    expect(await new Promise((done) => child.on("exit", done))).toBe(0);
  });

  it.each([
    [[], /^e2e:git-server: expected --root DIR\nusage: /],
    [["--root", "/nonexistent/folder"], /^e2e:git-server: --root \/nonexistent\/folder is not a folder$/m],
    [["--root", ".", "--port", "http"], /^e2e:git-server: --port must be a port number \(got "http"\)$/m],
  ])("refuses %j with one line", (args, message) => {
    const result = spawnSync(resolve("node_modules/.bin/tsx"), ["scripts/e2e/git-server.ts", ...args], { encoding: "utf8" });
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(message);
  });

  it("names a taken port in one line", async () => {
    const taken = Number(new URL(url).port);
    const result = spawnSync(resolve("node_modules/.bin/tsx"), ["scripts/e2e/git-server.ts", "--root", ".", "--port", String(taken)], { encoding: "utf8" });
    expect(result.status).toBe(2);
    expect(result.stderr).toBe(`e2e:git-server: port ${taken} on 127.0.0.1 is taken (set another with --port)\n`);
  });
});
