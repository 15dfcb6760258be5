import { accessSync, constants } from "node:fs";
import { delimiter, join } from "node:path";

/** The first executable named `command` in PATH (then in `extraDirs`), or null. */
export function which(command: string, env: NodeJS.ProcessEnv = process.env, extraDirs: string[] = []): string | null {
  for (const dir of [...(env.PATH ?? "").split(delimiter).filter(Boolean), ...extraDirs]) {
    const path = join(dir, command);
    try {
      accessSync(path, constants.X_OK);
      return path;
    } catch {
      // not here; keep looking
    }
  }
  return null;
}

/** Like which(), but a missing tool is an error whose one line says what to install. */
export function requireTool(command: string, install: string, extraDirs: string[] = []): string {
  const path = which(command, process.env, extraDirs);
  if (!path) throw new Error(`${command} not found: ${install}`);
  return path;
}
