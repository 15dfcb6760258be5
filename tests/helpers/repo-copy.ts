import { execFileSync } from "node:child_process";
import { cpSync } from "node:fs";
import { join } from "node:path";
import { tempDir } from "./app.js";

const DEPLOYABLE = ["base", "overlays", "components", "argocd"];

/** A scratch copy of the repository's manifests, optionally as a git repository with one commit. */
export function copyManifests(options: { git?: boolean } = {}) {
  const dir = tempDir("guestbook-manifests-");
  for (const folder of DEPLOYABLE) cpSync(folder, join(dir.path, folder), { recursive: true });
  if (options.git) {
    const git = (...args: string[]) => execFileSync("git", args, { cwd: dir.path, stdio: "pipe" });
    git("init", "-q");
    git("add", ".");
    git("-c", "user.name=test", "-c", "user.email=test@example.com", "commit", "-qm", "manifests");
  }
  return dir;
}
