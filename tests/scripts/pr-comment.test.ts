/**
 * scripts/pr-comment.ts against a small local server that answers like GitHub's REST API for
 * the endpoints the script uses: list, create and update issue comments, with GitHub's page
 * links, its 65,536-character body limit, and its 403 for a read-only token.
 */
import { spawn } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { type IncomingMessage, type Server, createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { join, resolve } from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { COMMENT_LIMIT, MARKER, SUMMARY_LIMIT, bytes, main, renderComment } from "../../scripts/pr-comment.js";
import { tempDir } from "../../scripts/lib/temp-dir.js";

const REPO = "acme/guestbook";
const PR = 7;
const TOKEN = "test-token";
const PAGE_SIZE = 2; // GitHub's is up to 100; small here so a few comments span pages

interface FakeComment {
  id: number;
  body: string;
  user: { type: "Bot" | "User" };
}

/** The subset of GitHub's REST API the script talks to. */
function fakeGitHub(options: { readOnly?: boolean; status?: number } = {}) {
  const comments: FakeComment[] = [];
  const requests: string[] = [];
  let nextId = 100;
  const read = async (req: IncomingMessage) => {
    let text = "";
    for await (const chunk of req) text += chunk;
    return text ? (JSON.parse(text) as { body: string }) : null;
  };
  const server: Server = createServer(async (req, res) => {
    const url = new URL(req.url!, `http://${req.headers.host}`);
    requests.push(`${req.method} ${url.pathname}${url.search}`);
    const reply = (status: number, data: unknown, headers: Record<string, string> = {}) => {
      res.writeHead(status, { "Content-Type": "application/json", ...headers });
      res.end(JSON.stringify(data));
    };
    if (req.headers.authorization !== `Bearer ${TOKEN}`) return reply(401, { message: "Bad credentials" });
    if (options.status) return reply(options.status, { message: "Server Error" });
    const body = await read(req);
    const list = `/repos/${REPO}/issues/${PR}/comments`;
    const single = /^\/repos\/acme\/guestbook\/issues\/comments\/(\d+)$/.exec(url.pathname);
    const writable = () => {
      if (options.readOnly) reply(403, { message: "Resource not accessible by integration" });
      else if ((body?.body.length ?? 0) > COMMENT_LIMIT) reply(422, { message: "Body is too long (maximum is 65536 characters)" });
      else return true;
      return false;
    };
    if (req.method === "GET" && url.pathname === list) {
      const page = Number(url.searchParams.get("page") ?? "1");
      const size = Math.min(Number(url.searchParams.get("per_page") ?? "30"), PAGE_SIZE);
      const next: Record<string, string> =
        page * size < comments.length ? { Link: `<http://${req.headers.host}${list}?per_page=${size}&page=${page + 1}>; rel="next"` } : {};
      return reply(200, comments.slice((page - 1) * size, page * size), next);
    }
    if (req.method === "POST" && url.pathname === list && writable()) {
      const comment: FakeComment = { id: nextId++, body: body!.body, user: { type: "Bot" } };
      comments.push(comment);
      return reply(201, { ...comment, html_url: `https://github.com/${REPO}/pull/${PR}#issuecomment-${comment.id}` });
    }
    if (req.method === "PATCH" && single && writable()) {
      const comment = comments.find((c) => c.id === Number(single[1]));
      if (!comment) return reply(404, { message: "Not Found" });
      comment.body = body!.body;
      return reply(200, { ...comment, html_url: `https://github.com/${REPO}/pull/${PR}#issuecomment-${comment.id}` });
    }
    if (!res.headersSent) reply(404, { message: "Not Found" });
  });
  return { server, comments, requests };
}

let github: ReturnType<typeof fakeGitHub>;
let dir: ReturnType<typeof tempDir>;
let api: string;

async function start(options?: Parameters<typeof fakeGitHub>[0]) {
  github = fakeGitHub(options);
  await new Promise<void>((done) => github.server.listen(0, "127.0.0.1", done));
  api = `http://127.0.0.1:${(github.server.address() as AddressInfo).port}`;
}

beforeEach(() => {
  dir = tempDir("guestbook-pr-comment-");
});
afterEach(async () => {
  if (github?.server.listening) await new Promise((done) => github.server.close(done));
  dir.remove();
  vi.restoreAllMocks();
});

const summaryPath = () => join(dir.path, "summary.md");

/** Runs the script in-process with the environment a workflow step gives it. */
async function post(diff: string, env: NodeJS.ProcessEnv = {}) {
  const file = join(dir.path, "manifest-diff.txt");
  writeFileSync(file, diff);
  const out: string[] = [];
  const err: string[] = [];
  vi.spyOn(console, "log").mockImplementation((line: string) => void out.push(line));
  vi.spyOn(console, "error").mockImplementation((line: string) => void err.push(line));
  const status = await main(["--pr", String(PR), "--title", "What Argo CD will change", "--file", file], {
    GITHUB_API_URL: api,
    GITHUB_REPOSITORY: REPO,
    GITHUB_TOKEN: TOKEN,
    GITHUB_STEP_SUMMARY: summaryPath(),
    ...env,
  });
  vi.restoreAllMocks();
  return { status, stdout: out.join("\n"), stderr: err.join("\n") };
}

describe("pr-comment", () => {
  it("creates one comment, then updates that same comment on the next push", async () => {
    await start();
    const first = await post("+ replicas: 2\n");
    expect(first).toEqual({ status: 0, stdout: `created https://github.com/${REPO}/pull/${PR}#issuecomment-100`, stderr: "" });
    const second = await post("+ replicas: 3\n");
    expect(second).toEqual({ status: 0, stdout: `updated https://github.com/${REPO}/pull/${PR}#issuecomment-100`, stderr: "" });
    expect(github.comments).toHaveLength(1);
    expect(github.comments[0]!.body).toBe(`${MARKER}\n### What Argo CD will change\n\n\`\`\`diff\n+ replicas: 3\n\`\`\`\n`);
    expect(github.requests.filter((r) => !r.startsWith("GET"))).toEqual([
      `POST /repos/${REPO}/issues/${PR}/comments`,
      `PATCH /repos/${REPO}/issues/comments/100`,
    ]);
  });

  it("finds its comment on a later page and leaves everyone else's alone, even one quoting or copying the marker", async () => {
    await start();
    github.comments.push(
      { id: 1, body: "looks good", user: { type: "User" } },
      { id: 2, body: `> ${MARKER}\n> quoted by a reviewer`, user: { type: "User" } },
      { id: 3, body: `${MARKER}\npasted by a person`, user: { type: "User" } },
      { id: 4, body: `${MARKER}\nthe old diff`, user: { type: "Bot" } },
      { id: 5, body: "after it", user: { type: "User" } },
    );
    const result = await post("+ new\n");
    expect(result.stdout).toBe(`updated https://github.com/${REPO}/pull/${PR}#issuecomment-4`);
    expect(github.comments.map((c) => c.body.includes("+ new"))).toEqual([false, false, false, true, false]);
    expect(github.comments[2]!.body).toBe(`${MARKER}\npasted by a person`);
    expect(github.comments[1]!.body).toBe(`> ${MARKER}\n> quoted by a reviewer`);
    expect(github.requests.filter((r) => r.startsWith("GET"))).toEqual([
      `GET /repos/${REPO}/issues/${PR}/comments?per_page=100`,
      `GET /repos/${REPO}/issues/${PR}/comments?per_page=2&page=2`,
    ]);
  });

  it("cuts a diff longer than GitHub accepts at a whole line, closes the fence and says so", async () => {
    await start();
    const lines = Array.from({ length: 3000 }, (_, i) => `+        image: ghcr.io/acme/guestbook-api:${String(i).padStart(40, "0")}`);
    const result = await post(`${lines.join("\n")}\n`);
    expect(result.status).toBe(0);
    const body = github.comments[0]!.body;
    expect(body.length).toBeLessThanOrEqual(COMMENT_LIMIT);
    expect(body.length).toBeGreaterThan(COMMENT_LIMIT - 200);
    const [diffPart, note] = body.split("\n```\n");
    const shown = diffPart!.split("```diff\n")[1]!.split("\n");
    expect(shown.every((line) => lines.includes(line))).toBe(true);
    expect(note).toBe(
      `\n> [!NOTE]\n> ✂ **Cut here**: the diff is longer than GitHub shows in one place. ` +
        `These are its first ${shown.length} of 3000 lines; \`npm run diff\` prints all of it.\n`,
    );
  });

  it("gives a read-only token's pull request (a fork) the diff in the job summary, and a warning instead of a failure", async () => {
    await start({ readOnly: true });
    writeFileSync(summaryPath(), "earlier step\n");
    const result = await post("+ from a fork\n");
    expect(result.status).toBe(0);
    expect(result.stderr).toBe("");
    expect(result.stdout).toBe(
      `::warning title=No manifest-diff comment::GitHub answered 403 to POST /repos/${REPO}/issues/${PR}/comments: ` +
        "Resource not accessible by integration. This pull request's token is read-only (a fork or Dependabot), so the diff is in this job's summary instead.",
    );
    expect(github.comments).toEqual([]);
    expect(readFileSync(summaryPath(), "utf8")).toBe(`earlier step\n${renderComment("What Argo CD will change", "+ from a fork\n")}`);
  });

  it("fails in one line on any other error from GitHub", async () => {
    await start({ status: 500 });
    const result = await post("+ x\n");
    expect(result).toEqual({ status: 1, stdout: "", stderr: `pr-comment: GitHub answered 500 to GET /repos/${REPO}/issues/${PR}/comments: Server Error` });
    // The summary was written before GitHub was asked.
    expect(readFileSync(summaryPath(), "utf8")).toContain("+ x\n");
  });

  it("fails in one line when GitHub cannot be reached", async () => {
    await start();
    await new Promise((done) => github.server.close(done));
    const result = await post("+ x\n");
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(new RegExp(`^pr-comment: cannot reach ${api}: .*ECONNREFUSED`));
  });

  it.each([
    [{ GITHUB_TOKEN: "" }, "pr-comment: GITHUB_TOKEN is not set"],
    [{ GITHUB_REPOSITORY: "" }, "pr-comment: GITHUB_REPOSITORY is not set"],
    [{ GITHUB_REPOSITORY: "not a repo" }, 'pr-comment: GITHUB_REPOSITORY must be OWNER/REPO, not "not a repo"'],
  ])("refuses a missing setting in one line: %j", async (env, message) => {
    await start();
    expect(await post("+ x\n", env)).toEqual({ status: 1, stdout: "", stderr: message });
    expect(github.requests).toEqual([]);
  });

  it("as a command: exits 1 with the usage line on bad arguments, 0 after posting", async () => {
    await start();
    const run = (args: string[]) =>
      new Promise<{ status: number | null; stdout: string; stderr: string }>((done) => {
        const child = spawn(resolve("node_modules/.bin/tsx"), [resolve("scripts/pr-comment.ts"), ...args], {
          env: { ...process.env, GITHUB_API_URL: api, GITHUB_REPOSITORY: REPO, GITHUB_TOKEN: TOKEN, GITHUB_STEP_SUMMARY: "" },
        });
        let stdout = "";
        let stderr = "";
        child.stdout.on("data", (chunk) => (stdout += chunk));
        child.stderr.on("data", (chunk) => (stderr += chunk));
        child.on("close", (status) => done({ status, stdout, stderr }));
      });
    const bad = await run(["--pr", "7"]);
    expect(bad).toEqual({
      status: 1,
      stdout: "",
      stderr: "pr-comment: usage: npm run pr-comment -- --pr N --title TITLE --file DIFF   (env GITHUB_REPOSITORY, GITHUB_TOKEN)\n",
    });
    const file = join(dir.path, "d.txt");
    writeFileSync(file, "+ y\n");
    const ok = await run(["--pr", "7", "--title", "T", "--file", file]);
    expect(ok).toEqual({ status: 0, stdout: `created https://github.com/${REPO}/pull/${PR}#issuecomment-100\n`, stderr: "" });
  });
});

describe("renderComment", () => {
  it("fences a diff that itself contains backticks with a longer fence", () => {
    const body = renderComment("T", "+ data: ```\n+ more ````x\n");
    expect(body).toBe(`${MARKER}\n### T\n\n\`\`\`\`\`diff\n+ data: \`\`\`\n+ more \`\`\`\`x\n\`\`\`\`\`\n`);
  });

  it("cuts one huge line between characters, never inside one", () => {
    const line = `+ ${"😀".repeat(40_000)}`; // 80,002 UTF-16 units, one line
    const body = renderComment("T", line);
    expect(body.length).toBeLessThanOrEqual(COMMENT_LIMIT);
    expect(body).toContain("These are its first 1 of 1 lines");
    expect(body).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/);
  });

  it("measures the job summary in bytes, cut at 1 MiB", () => {
    const lines = Array.from({ length: 20_000 }, (_, i) => `+ é ${i} ${"x".repeat(60)}`).join("\n");
    const body = renderComment("T", lines, SUMMARY_LIMIT, bytes);
    expect(bytes(body)).toBeLessThanOrEqual(SUMMARY_LIMIT);
    expect(bytes(body)).toBeGreaterThan(SUMMARY_LIMIT - 200);
    expect(body).toContain("of 20000 lines");
  });
});
