import { Writable } from "node:stream";
import { type Logger, pino } from "pino";

/** A real pino logger whose JSON lines land in `lines`, as they would on stdout. */
export function capturedLogger(level = "info"): { logger: Logger; lines: Record<string, unknown>[]; text: () => string } {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split("\n").filter(Boolean)) lines.push(JSON.parse(line));
      done();
    },
  });
  return { logger: pino({ level }, stream), lines, text: () => lines.map((line) => JSON.stringify(line)).join("\n") };
}
