/**
 * Property-based fuzzing of the API through app.request(): whatever arrives, the answer is
 * never a 5xx (the store is healthy), a 201 stores exactly the valid, trimmed entry, and a
 * refusal stores nothing.
 */
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Entry, fieldProblem } from "../../src/shared/entry.js";
import { postJson, testApp } from "../helpers/app.js";

let ctx: ReturnType<typeof testApp>;
beforeAll(() => {
  // Every entry a millisecond after the last, so "newest" is always the one just stored.
  let time = Date.parse("2026-01-01T00:00:00Z");
  ctx = testApp({ now: () => new Date(time++) });
});
afterAll(() => ctx.cleanup());

const newest = async () =>
  ((await (await ctx.app.request("/api/entries?limit=1")).json()) as { entries: Entry[] }).entries[0];

// Strings that stress the rules: control characters, whitespace, astral characters, markup.
const tricky = fc.oneof(
  fc.string({ unit: "binary", maxLength: 120 }),
  fc.string({ unit: fc.constantFrom(" ", "\t", "\n", "\r", "\u0000", "\u0085", "\u007f", "😀", "<", "a"), maxLength: 90 }),
  fc.string({ maxLength: 1100 }),
);

const bodies = fc.oneof(
  fc.record({ name: tricky, message: tricky }),
  fc.record({ name: tricky, message: tricky, extra: fc.jsonValue() }),
  fc.dictionary(fc.string({ maxLength: 10 }), fc.jsonValue(), { maxKeys: 4 }),
  fc.jsonValue(),
);

describe("fuzzing POST /api/entries", () => {
  it("never answers 5xx, and stores exactly what it acknowledges", async () => {
    await fc.assert(
      fc.asyncProperty(bodies, async (body) => {
        const before = await newest();
        const res = await ctx.app.request("/api/entries", postJson(JSON.stringify(body)));
        expect(res.status).toBeLessThan(500);
        const after = await newest();
        if (res.status === 201) {
          const entry = (await res.json()) as Entry;
          const { name, message } = body as { name: string; message: string };
          expect(entry.name).toBe(name.trim());
          expect(entry.message).toBe(message.trim());
          expect(fieldProblem("name", entry.name)).toBeNull();
          expect(fieldProblem("message", entry.message)).toBeNull();
          expect(after).toEqual(entry);
        } else {
          expect(res.status).toBe(400);
          expect(after).toEqual(before);
        }
      }),
      { numRuns: 300 },
    );
  });

  it("never answers 5xx to raw bytes in any content type", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ maxLength: 300 }),
        fc.constantFrom("application/json", "text/plain", "application/json; charset=latin1", ""),
        async (bytes, type) => {
          const res = await ctx.app.request("/api/entries", {
            method: "POST",
            headers: type ? { "Content-Type": type } : {},
            body: bytes,
          });
          expect(res.status).toBeLessThan(500);
          expect([201, 400, 413, 415]).toContain(res.status);
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe("fuzzing GET /api/entries", () => {
  it("answers 200 or 400 to any limit and cursor, never a 5xx", async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ maxLength: 30 }), fc.string({ unit: "binary", maxLength: 200 }), async (limit, before) => {
        const query = new URLSearchParams({ limit, before }).toString();
        const res = await ctx.app.request(`/api/entries?${query}`);
        expect([200, 400]).toContain(res.status);
        if (res.status === 400) expect(((await res.json()) as { error: { code: string } }).error.code).toBe("invalid_query");
      }),
      { numRuns: 300 },
    );
  });
});
