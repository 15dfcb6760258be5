/**
 * Secrets an overlay generates from files Git must never hold (overlays/local's MongoDB
 * credentials). Kustomize's generator marks them with the file they came from; the credential
 * check lets their contents pass only because this check makes sure that file is git-ignored
 * and untracked, so what is rendered here can never be committed by accident.
 */
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join, matchesGlob } from "node:path";
import { type Manifest, problemAt } from "./documents.js";
import type { Problem } from "./problem.js";

/** The repository path of the file a generated Secret came from (generatorOptions annotation). */
export const GENERATED_FROM_ANNOTATION = "guestbook-gitops.io/generated-from";

export const generatedFrom = (m: Manifest): string | undefined =>
  m.object.kind === "Secret" ? m.object.metadata?.annotations?.[GENERATED_FROM_ANNOTATION] : undefined;

/**
 * Whether the root .gitignore's patterns match `path` (the last matching line wins, "!" lines
 * un-ignore): for copies of the repository that are not Git work trees.
 */
function matchedByGitignore(repoRoot: string, path: string): boolean {
  const file = join(repoRoot, ".gitignore");
  if (!existsSync(file)) return false;
  const segments = path.split("/");
  let ignored = false;
  for (const raw of readFileSync(file, "utf8").split("\n")) {
    const line = raw.trim();
    if (!line || line.startsWith("#")) continue;
    const negated = line.startsWith("!");
    let pattern = negated ? line.slice(1) : line;
    const directoryOnly = pattern.endsWith("/");
    pattern = pattern.replace(/\/$/, "");
    const anchored = pattern.includes("/");
    pattern = pattern.replace(/^\//, "");
    // Directory patterns match a parent folder; others also the file itself.
    const last = directoryOnly ? segments.length - 1 : segments.length;
    const candidates = anchored
      ? segments.slice(0, last).map((_, i) => segments.slice(0, i + 1).join("/"))
      : segments.slice(0, last);
    if (candidates.some((candidate) => matchesGlob(candidate, pattern))) ignored = !negated;
  }
  return ignored;
}

/** Whether Git ignores `path` in `repoRoot`; a tracked file never counts as ignored. */
export function isIgnored(repoRoot: string, path: string): boolean {
  const result = spawnSync("git", ["-C", repoRoot, "check-ignore", "--quiet", "--", path], { encoding: "utf8" });
  if (result.status === 0 || result.status === 1) return result.status === 0;
  // Not a Git work tree (a copy of the files): read .gitignore instead.
  return matchedByGitignore(repoRoot, path);
}

export function checkGeneratedSecrets(manifests: readonly Manifest[], repoRoot: string): Problem[] {
  const problems: Problem[] = [];
  for (const secret of manifests) {
    const path = generatedFrom(secret);
    if (path === undefined) continue;
    const at = ["metadata", "annotations", GENERATED_FROM_ANNOTATION];
    if (!path || path.startsWith("/") || path.split("/").includes("..")) {
      problems.push(problemAt(secret, at, `"${path}" is not a path inside the repository`, "policy/generated-secret-ignored"));
    } else if (!isIgnored(repoRoot, path)) {
      problems.push(
        problemAt(
          secret,
          at,
          `${path} is not git-ignored (or is tracked): the credentials generated into it would be committed; add it to .gitignore`,
          "policy/generated-secret-ignored",
        ),
      );
    }
  }
  return problems;
}
