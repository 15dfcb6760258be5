import { type Accessor, createSignal, onCleanup } from "solid-js";

const UNITS: [Intl.RelativeTimeFormatUnit, number][] = [
  ["year", 365 * 24 * 3600],
  ["month", 30 * 24 * 3600],
  ["week", 7 * 24 * 3600],
  ["day", 24 * 3600],
  ["hour", 3600],
  ["minute", 60],
];

const relative = new Intl.RelativeTimeFormat(undefined, { numeric: "auto" });
const exact = new Intl.DateTimeFormat(undefined, { dateStyle: "full", timeStyle: "long" });

/**
 * The page's one clock: the time from `now`, read again every `tickMs` until the component
 * that created it is disposed. Every relative time on the page follows it.
 */
export function createClock(now: () => number = Date.now, tickMs = 30_000): Accessor<number> {
  const [time, setTime] = createSignal(now());
  const timer = setInterval(() => setTime(now()), tickMs);
  onCleanup(() => clearInterval(timer));
  return time;
}

/** "3 minutes ago", "yesterday", or "just now" for the last minute. */
export function relativeTime(iso: string, now: number | Date = Date.now()): string {
  // Never in the future: a visitor whose clock is behind the server's would read "in 2 minutes".
  const seconds = Math.min(0, Math.round((Date.parse(iso) - Number(now)) / 1000));
  for (const [unit, size] of UNITS) {
    if (-seconds >= size) return relative.format(Math.trunc(seconds / size), unit);
  }
  return "just now";
}

export const exactTime = (iso: string): string => exact.format(new Date(iso));
