import { execFile } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { ensureLocalCredentials } from "../lib/local-credentials.js";
import { which } from "../lib/which.js";

const run = promisify(execFile);

export interface Renderer {
  name: string;
  render(dir: string): Promise<string>;
}

/** kubectl (which embeds Kustomize) or kustomize; one clear line when neither is installed. */
export function findRenderer(env: NodeJS.ProcessEnv = process.env): Renderer {
  const [command, args] = which("kubectl", env)
    ? (["kubectl", ["kustomize"]] as const)
    : which("kustomize", env)
      ? (["kustomize", ["build"]] as const)
      : [null, null];
  if (!command) {
    throw new Error("Neither kubectl nor kustomize is on the PATH: install kubectl (it includes Kustomize) or kustomize 5.");
  }
  return {
    name: command,
    async render(dir) {
      // Git-ignored credentials an overlay generates its Secrets from (overlays/local) are made
      // on first use, as npm run local-credentials would, so a fresh clone renders.
      ensureLocalCredentials(dir);
      try {
        const { stdout } = await run(command, [...args, dir], { maxBuffer: 32 * 1024 * 1024, env });
        return stdout;
      } catch (error) {
        const stderr = String((error as { stderr?: string }).stderr ?? error).trim().split("\n")[0];
        throw new Error(`${command} ${args.join(" ")} ${dir} failed: ${stderr}`);
      }
    },
  };
}

/** Everything the repository deploys: each overlay and the Argo CD bootstrap. */
export function renderTargets(root = "."): string[] {
  const overlays = readdirSync(join(root, "overlays"), { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(join(root, "overlays", entry.name, "kustomization.yaml")))
    .map((entry) => join("overlays", entry.name))
    .sort();
  return existsSync(join(root, "argocd", "kustomization.yaml")) ? [...overlays, "argocd"] : overlays;
}
