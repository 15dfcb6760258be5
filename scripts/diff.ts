/**
 * `npm run diff -- [REF]`: what Argo CD will change. Renders each overlay and argocd/ at REF
 * (default origin/main, else HEAD~1) and in the working tree, and prints a unified diff per
 * environment. The pull-request workflow posts this output.
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createTwoFilesPatch } from "diff";
import { copyLocalCredentials } from "./lib/local-credentials.js";
import { findRenderer, renderTargets } from "./validate/index.js";

const git = (args: string[], cwd = ".") => execFileSync("git", args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });

function resolveRef(requested: string | undefined): string {
  const candidates = requested ? [requested] : ["origin/main", "HEAD~1"];
  for (const ref of candidates) {
    try {
      git(["rev-parse", "--verify", "--quiet", `${ref}^{commit}`]);
      return ref;
    } catch {
      // try the next one
    }
  }
  throw new Error(requested ? `unknown git ref "${requested}"` : "no origin/main and no HEAD~1 to compare with: name a REF");
}

/** The repository's tree at REF, extracted to a temporary folder. */
function checkout(ref: string): string {
  const dir = mkdtempSync(join(tmpdir(), "guestbook-diff-"));
  execFileSync("sh", ["-c", `git archive "$1" | tar -x -C "$2"`, "sh", ref, dir]);
  return dir;
}

/** A target added or removed between the two trees renders as nothing on one side. */
const renderOrEmpty = (dir: string, target: string): Promise<string> =>
  existsSync(join(dir, target, "kustomization.yaml")) ? findRenderer().render(join(dir, target)) : Promise.resolve("");

export async function manifestDiff(ref: string | undefined): Promise<string> {
  const base = resolveRef(ref);
  const old = checkout(base);
  try {
    const targets = [...new Set([...renderTargets("."), ...renderTargets(old)])].sort();
    // REF's tree has no git-ignored local credentials: lend it this tree's, so the generated
    // Secrets (and the names that hash them) differ only when something real changed.
    for (const target of targets) copyLocalCredentials(target, join(old, target));
    const sections = await Promise.all(
      targets.map(async (target) => {
        const [before, after] = await Promise.all([renderOrEmpty(old, target), renderOrEmpty(".", target)]);
        if (before === after) return `# ${target}: no changes`;
        return createTwoFilesPatch(`${target}@${base}`, `${target}@working-tree`, before, after, "", "", { context: 3 }).replace(
          /^=+\n/,
          "",
        );
      }),
    );
    return sections.join("\n");
  } finally {
    rmSync(old, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  manifestDiff(process.argv[2]).then(
    (text) => console.log(text),
    (error: Error) => {
      console.error(`diff: ${error.message}`);
      process.exitCode = 1;
    },
  );
}
