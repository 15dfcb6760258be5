/**
 * `npm run pr-comment -- --pr N --title TITLE --file DIFF`: shows a diff on pull request N as
 * one comment that every later push updates in place (found again by a hidden marker), cut
 * with a note where it would pass GitHub's comment size. The diff also goes to the job summary
 * ($GITHUB_STEP_SUMMARY), so a pull request whose token may not comment (from a fork, or by
 * Dependabot: GitHub answers 403) still shows it, with a warning instead of a failed job.
 * Needs GITHUB_REPOSITORY and GITHUB_TOKEN; GITHUB_API_URL defaults to https://api.github.com.
 */
import { appendFileSync, readFileSync } from "node:fs";
import { parseArgs } from "node:util";

/** Starts the one comment this script owns on a pull request. Invisible when rendered. */
export const MARKER = "<!-- guestbook-gitops:manifest-diff -->";
/** GitHub refuses a comment body longer than this many characters. */
export const COMMENT_LIMIT = 65_536;
/** GitHub drops a step summary larger than 1 MiB. */
export const SUMMARY_LIMIT = 1024 * 1024;

export class UsageError extends Error {
  override name = "UsageError";
}

export class GitHubError extends Error {
  override name = "GitHubError";
  constructor(
    readonly status: number,
    request: string,
    detail: string,
  ) {
    super(`GitHub answered ${status} to ${request}${detail ? `: ${detail}` : ""}`);
  }
}

export class UnreachableError extends Error {
  override name = "UnreachableError";
}

/** Size as GitHub counts a comment: UTF-16 code units, never fewer than the characters. */
export const characters = (text: string) => text.length;
/** Size as GitHub counts a step summary. */
export const bytes = (text: string) => Buffer.byteLength(text, "utf8");

const cutNote = (shown: number, total: number) =>
  `\n> [!NOTE]\n> ✂ **Cut here**: the diff is longer than GitHub shows in one place. ` +
  `These are its first ${shown} of ${total} lines; \`npm run diff\` prints all of it.\n`;

/** The longest prefix of whole lines (or, for one huge line, of whole characters) within budget. */
function head(text: string, budget: number, measure: (text: string) => number): string {
  let used = 0;
  let end = 0;
  for (const line of text.split(/(?<=\n)/)) {
    const size = measure(line);
    if (used + size > budget) break;
    used += size;
    end += line.length;
  }
  if (end > 0) return text.slice(0, end);
  for (const char of text) {
    const size = measure(char);
    if (used + size > budget) break;
    used += size;
    end += char.length;
  }
  return text.slice(0, end);
}

/**
 * The comment: marker, heading, the diff in a fence no line of it can close, and a cut note
 * when the whole would measure more than `limit`.
 */
export function renderComment(title: string, diff: string, limit = COMMENT_LIMIT, measure = characters): string {
  const longestTicks = [...diff.matchAll(/`+/g)].reduce((longest, m) => Math.max(longest, m[0].length), 0);
  const fence = "`".repeat(Math.max(3, longestTicks + 1));
  const body = diff.endsWith("\n") || diff === "" ? diff : `${diff}\n`;
  const frame = (content: string, note = "") => `${MARKER}\n### ${title}\n\n${fence}diff\n${content}${fence}\n${note}`;
  const whole = frame(body);
  if (measure(whole) <= limit) return whole;
  const lines = (text: string) => text.split("\n").length - 1;
  const total = lines(body);
  // The note for `total` is the longest it can be; one more unit closes a line cut midway.
  const budget = limit - measure(frame("", cutNote(total, total))) - 1;
  const shown = head(body, budget, measure).replace(/(?<!\n)$/, "\n");
  return frame(shown, cutNote(lines(shown), total));
}

interface Comment {
  id: number;
  body?: string;
  html_url?: string;
  /** "Bot" for a workflow's token (github-actions[bot]), "User" for a person. */
  user?: { type?: string };
}

/** A minimal GitHub REST client over fetch: the three issue-comment endpoints this needs. */
function client(api: string, token: string) {
  async function request<T>(method: string, url: string, body?: unknown): Promise<{ data: T; next: string | null }> {
    const target = url.startsWith("http") ? url : `${api}${url}`;
    const response = await fetch(target, {
      method,
      headers: {
        Accept: "application/vnd.github+json",
        Authorization: `Bearer ${token}`,
        "X-GitHub-Api-Version": "2022-11-28",
        "User-Agent": "guestbook-gitops-pr-comment",
        ...(body === undefined ? {} : { "Content-Type": "application/json" }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    }).catch((error: Error) => {
      throw new UnreachableError(`cannot reach ${new URL(target).origin}: ${(error.cause as Error | undefined)?.message ?? error.message}`);
    });
    const text = await response.text();
    if (!response.ok) {
      let detail = text.slice(0, 200);
      try {
        detail = (JSON.parse(text) as { message?: string }).message ?? detail;
      } catch {
        // not JSON: keep the start of the text
      }
      throw new GitHubError(response.status, `${method} ${new URL(url, api).pathname}`, detail);
    }
    const next = /<([^>]+)>;\s*rel="next"/.exec(response.headers.get("link") ?? "")?.[1] ?? null;
    return { data: JSON.parse(text) as T, next };
  }

  return {
    async *comments(repo: string, pr: number): AsyncGenerator<Comment> {
      let url: string | null = `/repos/${repo}/issues/${pr}/comments?per_page=100`;
      while (url) {
        const page: { data: Comment[]; next: string | null } = await request<Comment[]>("GET", url);
        yield* page.data;
        url = page.next;
      }
    },
    create: (repo: string, pr: number, body: string) => request<Comment>("POST", `/repos/${repo}/issues/${pr}/comments`, { body }),
    update: (repo: string, id: number, body: string) => request<Comment>("PATCH", `/repos/${repo}/issues/comments/${id}`, { body }),
  };
}

/** Updates this script's comment on the pull request, or creates it; says which. */
export async function upsertComment(options: { api: string; token: string; repo: string; pr: number; body: string }): Promise<string> {
  const github = client(options.api.replace(/\/+$/, ""), options.token);
  for await (const comment of github.comments(options.repo, options.pr)) {
    // Ours: posted by a bot (the workflow's token) and starting with the marker; a person's
    // comment is never edited, even one that starts with the marker.
    if (comment.user?.type === "Bot" && comment.body?.startsWith(MARKER)) {
      const { data } = await github.update(options.repo, comment.id, options.body);
      return `updated ${data.html_url ?? `comment ${comment.id}`}`;
    }
  }
  const { data } = await github.create(options.repo, options.pr, options.body);
  return `created ${data.html_url ?? `comment ${data.id}`}`;
}

function readOptions(argv: string[], env: NodeJS.ProcessEnv) {
  const usage = "usage: npm run pr-comment -- --pr N --title TITLE --file DIFF   (env GITHUB_REPOSITORY, GITHUB_TOKEN)";
  let values: { pr?: string; title?: string; file?: string };
  try {
    ({ values } = parseArgs({ args: argv, options: { pr: { type: "string" }, title: { type: "string" }, file: { type: "string" } } }));
  } catch {
    throw new UsageError(usage);
  }
  if (!values.pr || !values.title || !values.file) throw new UsageError(usage);
  if (!/^[1-9]\d*$/.test(values.pr)) throw new UsageError(`--pr must be a pull request number, not "${values.pr}"`);
  for (const name of ["GITHUB_REPOSITORY", "GITHUB_TOKEN"]) if (!env[name]) throw new UsageError(`${name} is not set`);
  if (!/^[\w.-]+\/[\w.-]+$/.test(env.GITHUB_REPOSITORY!)) throw new UsageError(`GITHUB_REPOSITORY must be OWNER/REPO, not "${env.GITHUB_REPOSITORY}"`);
  let diff: string;
  try {
    diff = readFileSync(values.file, "utf8");
  } catch (error) {
    throw new UsageError(`cannot read ${values.file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
  return { pr: Number(values.pr), title: values.title, diff, repo: env.GITHUB_REPOSITORY!, token: env.GITHUB_TOKEN! };
}

export async function main(argv: string[], env: NodeJS.ProcessEnv): Promise<number> {
  try {
    const { pr, title, diff, repo, token } = readOptions(argv, env);
    // First the job summary, so the diff is on the run whatever GitHub answers below.
    if (env.GITHUB_STEP_SUMMARY) appendFileSync(env.GITHUB_STEP_SUMMARY, renderComment(title, diff, SUMMARY_LIMIT, bytes));
    const body = renderComment(title, diff);
    console.log(await upsertComment({ api: env.GITHUB_API_URL || "https://api.github.com", token, repo, pr, body }));
    return 0;
  } catch (error) {
    if (error instanceof GitHubError && error.status === 403) {
      console.log(
        `::warning title=No manifest-diff comment::${error.message}. This pull request's token is read-only ` +
          "(a fork or Dependabot), so the diff is in this job's summary instead.",
      );
      return 0;
    }
    if (error instanceof UsageError || error instanceof GitHubError || error instanceof UnreachableError) {
      console.error(`pr-comment: ${error.message}`);
      return 1;
    }
    throw error;
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  process.exitCode = await main(process.argv.slice(2), process.env);
}
