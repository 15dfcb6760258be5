import type { Entry } from "../shared/entry.js";
import type { PageCursor } from "./store/index.js";

// Opaque to clients: base64url of "<createdAt ms>:<id>". The id breaks timestamp ties.
const CURSOR_FORMAT = /^(\d{1,15}):([A-Za-z0-9_-]{1,64})$/;

export function encodeCursor(entry: Entry): string {
  return Buffer.from(`${Date.parse(entry.createdAt)}:${entry.id}`, "utf8").toString("base64url");
}

/** The position a cursor names, or `null` when it is not one this API issued. */
export function decodeCursor(cursor: string): PageCursor | null {
  if (!/^[A-Za-z0-9_-]{1,128}$/.test(cursor)) return null;
  const match = CURSOR_FORMAT.exec(Buffer.from(cursor, "base64url").toString("utf8"));
  if (!match) return null;
  return { createdAtMs: Number(match[1]), id: match[2]! };
}
