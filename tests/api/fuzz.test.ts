/**
 * Property-based fuzzing of the API through app.request(): whatever arrives, the answer is
 * never a 5xx (the store is healthy), a 201 stores exactly the valid, trimmed entry, and a
 * refusal stores nothing. Each property also counts what its samples reached, so a
 * generator that stops producing (say) ill-formed text or valid pages fails the test.
 */
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Entry, fieldProblem } from "../../src/shared/entry.js";
import { postJson, testApp } from "../helpers/app.js";

type Page = { entries: Entry[]; nextCursor: string | null };

describe("fuzzing POST /api/entries", () => {
  let ctx: ReturnType<typeof testApp>;
  beforeAll(() => {
    // Every entry a millisecond after the last, so "newest" is always the one just stored.
    let time = Date.parse("2026-01-01T00:00:00Z");
    ctx = testApp({ now: () => new Date(time++) });
  });
  afterAll(() => ctx.cleanup());

  const newest = async () => ((await (await ctx.app.request("/api/entries?limit=1")).json()) as Page).entries[0];

  const loneSurrogate = fc.integer({ min: 0xd800, max: 0xdfff }).map((code) => String.fromCharCode(code));
  // Units that stress each rule: controls, white space, invisible and direction-changing
  // characters, combining marks, emoji (with joiners), unpaired surrogates, markup.
  const unit = fc.oneof(
    { weight: 6, arbitrary: fc.constantFrom("a", "Z", "é", "😀", "<", " ") },
    { weight: 2, arbitrary: fc.constantFrom("\t", "\n", "\r", "\u0000", "\u0085", "\u007f", "\u2028") },
    { weight: 2, arbitrary: fc.constantFrom("\u200b", "\u200d", "\u2060", "\ufe0f", "\u3164", "\u00a0") },
    { weight: 1, arbitrary: fc.constantFrom("\u202e", "\u202a", "\u2066", "\u2069", "\u200f") },
    { weight: 2, arbitrary: fc.constantFrom("\u0301", "\u0300", "\u0308", "\u20e3") },
    { weight: 1, arbitrary: loneSurrogate },
  );
  const tricky = fc.oneof(
    { weight: 4, arbitrary: fc.string({ unit, maxLength: 90 }) },
    { weight: 1, arbitrary: fc.string({ unit: fc.constantFrom("a", "\u0301"), maxLength: 40 }) },
    { weight: 1, arbitrary: fc.string({ unit: "binary", maxLength: 120 }) },
    { weight: 1, arbitrary: fc.string({ maxLength: 1100 }) },
  );
  const bodies = fc.oneof(
    { weight: 6, arbitrary: fc.record({ name: tricky, message: tricky }) },
    { weight: 1, arbitrary: fc.record({ name: tricky, message: tricky, extra: fc.jsonValue() }) },
    { weight: 1, arbitrary: fc.dictionary(fc.string({ maxLength: 10 }), fc.jsonValue(), { maxKeys: 4 }) },
    { weight: 1, arbitrary: fc.jsonValue() },
  );

  const isEntryInput = (body: unknown): body is { name: string; message: string } =>
    typeof body === "object" &&
    body !== null &&
    !Array.isArray(body) &&
    Object.keys(body).sort().join() === "message,name" &&
    typeof (body as { name: unknown }).name === "string" &&
    typeof (body as { message: unknown }).message === "string";

  it("never answers 5xx, accepts exactly what the shared rules allow, and stores exactly what it acknowledges", async () => {
    const reached = { created: 0, refused: 0, illFormed: 0 };
    await fc.assert(
      fc.asyncProperty(bodies, async (body) => {
        const before = await newest();
        const res = await ctx.app.request("/api/entries", postJson(JSON.stringify(body)));
        const after = await newest();
        const valid =
          isEntryInput(body) &&
          fieldProblem("name", body.name.trim()) === null &&
          fieldProblem("message", body.message.trim()) === null;
        const illFormed = isEntryInput(body) && !(body.name.isWellFormed() && body.message.isWellFormed());
        if (illFormed) reached.illFormed++;
        if (res.status === 201) {
          reached.created++;
          expect(valid).toBe(true);
          expect(illFormed).toBe(false);
          const entry = (await res.json()) as Entry;
          const { name, message } = body as { name: string; message: string };
          expect(entry).toMatchObject({ name: name.trim(), message: message.trim() });
          expect(after).toEqual(entry); // read back exactly as acknowledged
        } else {
          reached.refused++;
          expect(res.status).toBe(400);
          expect(valid).toBe(false);
          expect(after).toEqual(before);
        }
      }),
      { numRuns: 400 },
    );
    expect(reached.created).toBeGreaterThan(20);
    expect(reached.refused).toBeGreaterThan(20);
    expect(reached.illFormed).toBeGreaterThan(10);
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
          expect([201, 400, 413, 415]).toContain(res.status);
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe("fuzzing GET /api/entries", () => {
  const ENTRIES = 37;
  let ctx: ReturnType<typeof testApp>;
  /** Every entry, newest first, as the API orders them. */
  let all: Entry[];
  /** cursors[i]: the nextCursor after entry i, so the page it asks for starts at entry i + 1. */
  const cursors: string[] = [];

  beforeAll(async () => {
    // Entries three to a millisecond, so page boundaries fall inside a shared timestamp.
    let signed = 0;
    ctx = testApp({ now: () => new Date(Date.parse("2026-01-01T00:00:00Z") + Math.floor(signed++ / 3)) });
    for (let i = 0; i < ENTRIES; i++) {
      expect((await ctx.app.request("/api/entries", postJson({ name: `n${i}`, message: "hi" }))).status).toBe(201);
    }
    all = ((await (await ctx.app.request(`/api/entries?limit=${ENTRIES}`)).json()) as Page).entries;
    let cursor: string | null = null;
    do {
      const page = (await (await ctx.app.request(`/api/entries?limit=1${cursor ? `&before=${cursor}` : ""}`)).json()) as Page;
      cursor = page.nextCursor;
      if (cursor) cursors.push(cursor);
    } while (cursor);
  });
  afterAll(() => ctx.cleanup());

  const limits = fc.oneof(
    { weight: 3, arbitrary: fc.integer({ min: 1, max: 100 }).map(String) },
    { weight: 1, arbitrary: fc.constant(undefined) },
    { weight: 1, arbitrary: fc.string({ maxLength: 30 }) },
  );
  // Where a page starts: after a real cursor, at the top, or after garbage (start -1).
  type Position = { start: number; cursor?: number; garbage?: string };
  const befores: fc.Arbitrary<Position> = fc.oneof(
    { weight: 3, arbitrary: fc.nat({ max: ENTRIES - 2 }).map((i) => ({ start: i + 1, cursor: i })) },
    { weight: 2, arbitrary: fc.constant({ start: 0 }) },
    { weight: 1, arbitrary: fc.string({ unit: "binary", maxLength: 200 }).map((garbage) => ({ start: -1, garbage })) },
  );

  it("pages exactly like the model, or refuses with 400; never a 5xx", async () => {
    const reached = { pages: 0, lastPages: 0, refused: 0 };
    await fc.assert(
      fc.asyncProperty(limits, befores, async (limit, position) => {
        const before = position.cursor !== undefined ? cursors[position.cursor] : position.garbage;
        const query = new URLSearchParams();
        if (limit !== undefined) query.set("limit", limit);
        if (before !== undefined) query.set("before", before);
        const res = await ctx.app.request(`/api/entries?${query}`);
        const limitValid = limit === undefined || (/^\d+$/.test(limit) && Number(limit) >= 1 && Number(limit) <= 100);
        const cursorValid = position.start >= 0;
        if (!limitValid || !cursorValid) {
          reached.refused++;
          expect(res.status).toBe(400);
          expect(((await res.json()) as { error: { code: string } }).error.code).toBe("invalid_query");
          return;
        }
        expect(res.status).toBe(200);
        reached.pages++;
        const page = (await res.json()) as Page;
        const size = limit === undefined ? 20 : Number(limit);
        expect(page.entries).toEqual(all.slice(position.start, position.start + size));
        const more = position.start + size < all.length;
        if (!more) reached.lastPages++;
        expect(page.nextCursor).toBe(more ? cursors[position.start + size - 1] : null);
      }),
      { numRuns: 300 },
    );
    expect(reached.pages).toBeGreaterThan(100);
    expect(reached.lastPages).toBeGreaterThan(10);
    expect(reached.refused).toBeGreaterThan(20);
  });
});
