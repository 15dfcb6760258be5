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

/** Most combining marks one character may carry: more than any living script's cluster needs. */
export const MAX_MARKS_PER_CHARACTER = 8;

// C0 controls, DEL and C1 controls. A message may keep tabs and line breaks; a name may not,
// nor the Unicode line and paragraph separators (U+2028, U+2029).
const NAME_FORBIDDEN = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/u;
const MESSAGE_FORBIDDEN = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/u;
// An unpaired surrogate: what String#isWellFormed finds, spelled so older browsers run it too.
// Stored as UTF-8 it would come back as U+FFFD, not as what was acknowledged.
const UNPAIRED_SURROGATE = /\p{Cs}/u;
// Embeddings, overrides and isolates reorder the text around them ("Trojan Source").
// The marks U+200E, U+200F and U+061C change no order and stay allowed.
const TEXT_DIRECTION_CONTROLS = /[\u202a-\u202e\u2066-\u2069]/u;
// What renders as nothing: default-ignorable code points (zero-width space and joiners,
// variation selectors, Hangul fillers, tags), white space and the blank braille pattern.
const INVISIBLE = /[\p{Default_Ignorable_Code_Point}\p{White_Space}\u2800]/gu;
const MARK = /\p{M}/u;
const MARKS = /\p{M}/gu;

// Absent only in browsers older than the UI supports; the API (Node) always has it. Made on
// first use: loading ICU's break rules costs ~9 ms, and only text with marks needs them.
let graphemes: Intl.Segmenter | null | undefined;
const graphemeSegmenter = () =>
  (graphemes ??= typeof Intl.Segmenter === "function" ? new Intl.Segmenter(undefined, { granularity: "grapheme" }) : null);

/** Length as a person counts it: code points, so an emoji is one character. */
export function characterCount(value: string): number {
  let count = 0;
  for (const _ of value) count++;
  return count;
}

/** The most marks any one user-perceived character (grapheme cluster) of `value` carries. */
export function mostMarksOnOneCharacter(value: string): number {
  if (!MARK.test(value)) return 0;
  const segmenter = graphemeSegmenter();
  if (!segmenter) return 0;
  let most = 0;
  for (const { segment } of segmenter.segment(value)) most = Math.max(most, segment.match(MARKS)?.length ?? 0);
  return most;
}

/**
 * Why a (trimmed) field value is not acceptable, or `null` when it is.
 * Messages are written to be shown to a visitor as they are.
 */
export function fieldProblem(field: EntryField, value: string): string | null {
  const { min, max } = ENTRY_LIMITS[field];
  const label = field === "name" ? "Name" : "Message";
  if (UNPAIRED_SURROGATE.test(value)) return `${label} contains broken text (an unpaired UTF-16 surrogate).`;
  const length = characterCount(value);
  if (length < min) return `${label} is required.`;
  if (length > max) return `${label} must be at most ${max} characters (it has ${length}).`;
  const forbidden = field === "name" ? NAME_FORBIDDEN : MESSAGE_FORBIDDEN;
  if (forbidden.test(value)) {
    return field === "name"
      ? `${label} must not contain control characters or line breaks.`
      : `${label} must not contain control characters (line breaks and tabs are fine).`;
  }
  if (TEXT_DIRECTION_CONTROLS.test(value)) return `${label} must not contain text-direction controls (U+202A–U+202E, U+2066–U+2069).`;
  if (value.replace(INVISIBLE, "") === "") return `${label} must contain visible characters.`;
  if (mostMarksOnOneCharacter(value) > MAX_MARKS_PER_CHARACTER) {
    return `${label} must not stack more than ${MAX_MARKS_PER_CHARACTER} marks on one character.`;
  }
  return null;
}
