/**
 * `npm run image-inputs-changed -- SHA`: whether the images workflow has to build SHA. It does
 * when something that goes into an image (the Dockerfile, .dockerignore, and every path the
 * .dockerignore allow-list lets into the build context) differs between SHA and the commit
 * overlays/dev runs now (its image tag is that commit). Prints why; writes build=true|false to
 * $GITHUB_OUTPUT when that is set. Run from the repository root, on the branch dev is bumped on.
 */
import { execFileSync } from "node:child_process";
import { appendFileSync } from "node:fs";
import { OverlayError, readImages } from "./lib/overlay-images.js";

export interface BuildDecision {
  build: boolean;
  reason: string;
}

const git = (root: string, ...args: string[]) => execFileSync("git", args, { cwd: root, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });

function succeeds(root: string, ...args: string[]): boolean {
  try {
    git(root, ...args);
    return true;
  } catch {
    return false;
  }
}

const isCommit = (root: string, ref: string) => succeeds(root, "cat-file", "-e", `${ref}^{commit}`);
const isAncestor = (root: string, older: string, newer: string) => succeeds(root, "merge-base", "--is-ancestor", older, newer);

/**
 * Git pathspecs for what reaches the image build at SHA: Dockerfile, .dockerignore, and the
 * allow-list's `!pattern` lines. Without a .dockerignore, or with one that is not an
 * allow-list (no leading `*`), everything goes in, so every path counts.
 */
export function imageInputs(root: string, sha: string): string[] {
  if (!succeeds(root, "cat-file", "-e", `${sha}:.dockerignore`)) return ["."];
  const patterns = git(root, "show", `${sha}:.dockerignore`)
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith("#"));
  if (patterns[0] !== "*") return ["."];
  const allowed = patterns
    .filter((p) => p.startsWith("!"))
    .map((p) => p.slice(1).replace(/^\/+|\/+$/g, ""))
    .filter(Boolean);
  // :(glob) gives the pattern .dockerignore's meaning: `*` stays inside one path component.
  return ["Dockerfile", ".dockerignore", ...allowed].flatMap((p) => [`:(glob)${p}`, `:(glob)${p}/**`]);
}

/** The commit overlays/dev's images were built from, or why there is none. */
function devCommit(root: string): { sha: string } | { reason: string } {
  const tags = [...new Set(readImages("dev", root).map((image) => image.newTag ?? "(no tag)"))];
  if (tags.length !== 1) return { reason: `overlays/dev's images carry different tags (${tags.join(", ")})` };
  const tag = tags[0]!;
  if (!/^[0-9a-f]{40}$/.test(tag) || !isCommit(root, tag)) return { reason: `overlays/dev runs tag "${tag}", which is not a commit of this repository` };
  return { sha: tag };
}

export function decide(sha: string, root = "."): BuildDecision {
  if (!/^[0-9a-f]{40}$/.test(sha) || !isCommit(root, sha)) throw new OverlayError(`"${sha}" is not the full SHA of a commit in this repository`);
  const running = devCommit(root);
  if ("reason" in running) return { build: true, reason: `${running.reason}: building ${sha}` };
  const dev = running.sha;
  if (dev === sha) return { build: false, reason: `overlays/dev already runs ${sha}` };
  if (isAncestor(root, sha, dev)) return { build: false, reason: `overlays/dev already runs ${dev}, which is newer than ${sha}` };
  if (!isAncestor(root, dev, sha)) return { build: true, reason: `overlays/dev runs ${dev}, which is not an ancestor of ${sha}: building` };
  const changed = git(root, "diff", "--name-only", dev, sha, "--", ...imageInputs(root, sha))
    .split("\n")
    .filter(Boolean);
  if (changed.length === 0) return { build: false, reason: `nothing that goes into an image changed between ${dev} (dev) and ${sha}` };
  const shown = changed.slice(0, 10).join(", ") + (changed.length > 10 ? `, and ${changed.length - 10} more` : "");
  return { build: true, reason: `image inputs changed between ${dev} (dev) and ${sha}: ${shown}` };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [sha, ...rest] = process.argv.slice(2);
  try {
    if (!sha || rest.length > 0) throw new OverlayError("usage: npm run image-inputs-changed -- SHA");
    const { build, reason } = decide(sha);
    console.log(`${build ? "build" : "skip"}: ${reason}`);
    if (process.env.GITHUB_OUTPUT) appendFileSync(process.env.GITHUB_OUTPUT, `build=${build}\n`);
  } catch (error) {
    if (!(error instanceof OverlayError)) throw error;
    console.error(`image-inputs-changed: ${error.message}`);
    process.exitCode = 1;
  }
}
