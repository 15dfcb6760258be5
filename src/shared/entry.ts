/**
 * The one definition of what a guestbook entry may hold. The API validates against it and
 * the UI checks the form with it, so both sides always agree on the limits.
 */

export interface Entry {
  id: string;
  name: string;
  message: string;
  /** ISO-8601, UTC. */
  createdAt: string;
}

export type EntryField = "name" | "message";

export const ENTRY_LIMITS = {
  name: { min: 1, max: 80 },
  message: { min: 1, max: 1000 },
} as const satisfies Record<EntryField, { min: number; max: number }>;

export const PAGE_LIMITS = { default: 20, min: 1, max: 100 } as const;

/** Largest request body the API reads, in bytes. */
export const MAX_BODY_BYTES = 16 * 1024;

// C0 controls, DEL and C1 controls. A message may keep tabs and line breaks; a name may not.
const NAME_FORBIDDEN = /[\u0000-\u001f\u007f-\u009f]/u;
const MESSAGE_FORBIDDEN = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/u;

/** Length as a person counts it: code points, so an emoji is one character. */
export function characterCount(value: string): number {
  let count = 0;
  for (const _ of value) count++;
  return count;
}

/**
 * Why a (trimmed) field value is not acceptable, or `null` when it is.
 * Messages are written to be shown to a visitor as they are.
 */
export function fieldProblem(field: EntryField, value: string): string | null {
  const { min, max } = ENTRY_LIMITS[field];
  const label = field === "name" ? "Name" : "Message";
  const length = characterCount(value);
  if (length < min) return `${label} is required.`;
  if (length > max) return `${label} must be at most ${max} characters (it has ${length}).`;
  const forbidden = field === "name" ? NAME_FORBIDDEN : MESSAGE_FORBIDDEN;
  if (forbidden.test(value)) {
    return field === "name"
      ? `${label} must not contain control characters or line breaks.`
      : `${label} must not contain control characters (line breaks and tabs are fine).`;
  }
  return null;
}
