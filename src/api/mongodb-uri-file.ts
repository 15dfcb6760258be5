/**
 * MONGODB_URI_FILE: the connection string as a file, the way a Kubernetes Secret volume
 * provides it, read and checked like MONGODB_URI, and watched, so that a rotated password
 * reaches a running pod (the environment of a running process never changes).
 */
import { type FSWatcher, readFileSync, watch } from "node:fs";
import { dirname } from "node:path";
import { mongoUriProblem } from "./mongodb-uri.js";

/** The connection string a file holds, or what is wrong with it in words that never repeat it. */
export type UriFileContent = { uri: string } | { problem: string };

export function readUriFile(path: string): UriFileContent {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    return { problem: `MONGODB_URI_FILE (${path}) cannot be read (${code})` };
  }
  // A trailing newline is how most editors and `echo` leave a file.
  const uri = text.trim();
  if (!uri) return { problem: `MONGODB_URI_FILE (${path}) is empty` };
  const problem = mongoUriProblem(uri);
  return problem ? { problem: `MONGODB_URI_FILE (${path}) ${problem}` } : { uri };
}

/** How often the file is read whatever the events say. */
export const URI_FILE_POLL_MS = 30_000;

export interface UriFileWatchOptions {
  /** Events come in bursts (the kubelet's swap is several renames): read once they settle. */
  settleMs?: number;
  /** Read this often whatever the events say, in case one is missed. */
  pollMs?: number;
  /** Told when the folder cannot be watched; polling carries on. */
  onWatchError?: (error: Error) => void;
}

/**
 * Calls `onChange` whenever the file's content differs from the last content seen (`initial`
 * first). The kubelet updates a Secret volume by writing a new hidden folder and renaming a
 * `..data` symlink over the old one; the visible file is a symlink through `..data`, so a
 * watch on the file itself would stay on the old, deleted copy. This watches the folder.
 */
export function watchUriFile(
  path: string,
  initial: string,
  onChange: (content: UriFileContent) => void,
  { settleMs = 250, pollMs = URI_FILE_POLL_MS, onWatchError = () => undefined }: UriFileWatchOptions = {},
): { close(): void } {
  let last = initial;
  let settling: NodeJS.Timeout | undefined;

  const check = () => {
    const content = readUriFile(path);
    const seen = "uri" in content ? content.uri : content.problem;
    if (seen === last) return;
    last = seen;
    onChange(content);
  };
  const soon = () => {
    clearTimeout(settling);
    settling = setTimeout(check, settleMs).unref();
  };

  let watcher: FSWatcher | undefined;
  try {
    watcher = watch(dirname(path), { persistent: false }, soon);
    watcher.on("error", (error) => onWatchError(error));
  } catch (error) {
    onWatchError(error as Error); // for example ENOSPC: no inotify watches left on the node
  }
  const poll = setInterval(soon, pollMs).unref();

  return {
    close() {
      watcher?.close();
      clearInterval(poll);
      clearTimeout(settling);
    },
  };
}
