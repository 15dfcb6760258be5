import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Entry } from "../../src/shared/entry.js";
import { MAX_BODY_BYTES } from "../../src/shared/entry.js";
import { fakeClock, postJson, testApp } from "../helpers/app.js";

type Page = { entries: Entry[]; nextCursor: string | null };
type ErrorBody = { error: { code: string; message: string } };

let ctx: ReturnType<typeof testApp>;
let clock: ReturnType<typeof fakeClock>;

beforeEach(() => {
  clock = fakeClock();
  ctx = testApp({ now: clock.now });
});
afterEach(() => ctx.cleanup());

const sign = (body: unknown, headers?: Record<string, string>) =>
  ctx.app.request("/api/entries", postJson(body, headers));

async function listAll(query = ""): Promise<Page> {
  const res = await ctx.app.request(`/api/entries${query}`);
  expect(res.status).toBe(200);
  return (await res.json()) as Page;
}

async function expectError(res: Response, status: number, code: string): Promise<string> {
  expect(res.status).toBe(status);
  expect(res.headers.get("content-type")).toMatch(/^application\/json/);
  const body = (await res.json()) as ErrorBody;
  expect(body.error.code).toBe(code);
  expect(body.error.message.length).toBeGreaterThan(0);
  return body.error.message;
}

async function expectNothingStored() {
  expect((await listAll()).entries).toEqual([]);
}

describe("POST /api/entries", () => {
  it("stores a trimmed entry and answers 201 with it", async () => {
    const res = await sign({ name: "  Ada  ", message: "\n Hello there \t" });
    expect(res.status).toBe(201);
    const entry = (await res.json()) as Entry;
    expect(entry).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      name: "Ada",
      message: "Hello there",
      createdAt: "2026-01-01T12:00:00.000Z",
    });
    expect((await listAll()).entries).toEqual([entry]);
  });

  it("keeps line breaks and tabs inside a message", async () => {
    const res = await sign({ name: "Lin", message: "line one\nline two\r\n\tindented" });
    expect(res.status).toBe(201);
    expect(((await res.json()) as Entry).message).toBe("line one\nline two\r\n\tindented");
  });

  it("stores HTML verbatim, as text", async () => {
    const message = `<img src=x onerror=alert(1)> & <script>alert("x")</script>`;
    const res = await sign({ name: "<b>Mallory</b>", message });
    expect(res.status).toBe(201);
    const [stored] = (await listAll()).entries;
    expect(stored).toMatchObject({ name: "<b>Mallory</b>", message });
  });

  it("accepts fields at their exact limits, counting an emoji as one character", async () => {
    const res = await sign({ name: "😀".repeat(80), message: "m".repeat(1000) });
    expect(res.status).toBe(201);
  });

  const refused: [string, unknown, RegExp][] = [
    ["a missing name", { message: "hi" }, /Name is required/],
    ["a missing message", { name: "Ann" }, /Message is required/],
    ["a name of only spaces", { name: "   ", message: "hi" }, /Name is required/],
    ["a name over 80 characters", { name: "n".repeat(81), message: "hi" }, /Name must be at most 80/],
    ["a message over 1000 characters", { name: "Ann", message: "m".repeat(1001) }, /at most 1000/],
    ["a number as name", { name: 42, message: "hi" }, /Name must be a string/],
    ["null as message", { name: "Ann", message: null }, /Message must be a string/],
    ["a line break in the name", { name: "An\nn", message: "hi" }, /control characters/],
    ["a NUL in the message", { name: "Ann", message: "h\u0000i" }, /control characters/],
    ["an escape in the message", { name: "Ann", message: "\u001b[31mred" }, /control characters/],
    ["a C1 control in the name", { name: "A\u0085nn", message: "hi" }, /control characters/],
    ["an unknown field", { name: "Ann", message: "hi", admin: true }, /Unknown field: admin/],
    ["an array body", [{ name: "Ann", message: "hi" }], /JSON object/],
    ["a string body", JSON.stringify("hello"), /JSON object/],
    ["null", "null", /JSON object/],
    ["an unpaired surrogate as the name", { name: "\ud800", message: "hi" }, /Name contains broken text/],
    ["an unpaired low surrogate in the message", { name: "Ann", message: "a\udc00b" }, /Message contains broken text/],
    ["a right-to-left override in the name", { name: "\u202eevil", message: "hi" }, /text-direction controls/],
    ["an embedding in the message", { name: "Ann", message: "x\u202ay\u202c" }, /text-direction controls/],
    ["an isolate in the message", { name: "Ann", message: "x\u2066y\u2069" }, /text-direction controls/],
    ["a name of one zero-width space", { name: "\u200b", message: "hi" }, /Name must contain visible characters/],
    ["a line separator in the name", { name: "Ada\u2028Lovelace", message: "hi" }, /Name must not contain control characters or line breaks/],
    ["a name of blank braille cells", { name: "\u2800\u2800", message: "hi" }, /Name must contain visible characters/],
    ["a message of joiners and variation selectors only", { name: "Ann", message: "\u200d\u2060\ufe0f\u3164" }, /Message must contain visible characters/],
    ["a character carrying 900 combining marks", { name: "Ann", message: `a${"\u0301".repeat(900)}` }, /more than 8 marks on one character/],
    ["a name with 9 marks on one letter", { name: `Z${"\u0300".repeat(9)}oe`, message: "hi" }, /more than 8 marks on one character/],
  ];
  it.each(refused)("refuses %s with 400 and stores nothing", async (_, body, reason) => {
    const message = await expectError(await sign(body), 400, "invalid_input");
    expect(message).toMatch(reason);
    await expectNothingStored();
  });

  it.each([
    ["a family emoji joined by zero-width joiners", "👩‍👩‍👧‍👦"],
    ["a keycap and a flag", "1️⃣ 🇳🇴"],
    ["Vietnamese with two stacked marks (decomposed)", "Nguye\u0302\u0303n"],
    ["a Devanagari conjunct", "स्त्री"],
    ["Hebrew with a right-to-left mark", "שלום\u200f"],
    ["a zero-width space between letters", "Ad\u200ba"],
  ])("accepts %s, and stores exactly what it acknowledged", async (_, name) => {
    const res = await sign({ name, message: name });
    expect(res.status).toBe(201);
    const entry = (await res.json()) as Entry;
    expect(entry).toMatchObject({ name, message: name });
    expect((await listAll()).entries).toEqual([entry]);
  });

  it.each([
    ["a Latin-1 é (0xE9)", [0xe9]],
    ["a lone continuation byte", [0x80]],
    ["a sequence cut short", [0xe2, 0x82]],
    ["an overlong '/'", [0xc0, 0xaf]],
    ["a UTF-16 surrogate encoded as UTF-8", [0xed, 0xa0, 0x80]],
  ])("refuses a body with %s with 400, instead of storing U+FFFD for it", async (_, bytes) => {
    const body = Buffer.concat([Buffer.from('{"name":"Zo'), Buffer.from(bytes), Buffer.from('","message":"hi"}')]);
    const res = await ctx.app.request("/api/entries", { method: "POST", headers: { "Content-Type": "application/json" }, body });
    const message = await expectError(res, 400, "invalid_input");
    expect(message).toBe("Request body must be UTF-8 JSON: it has bytes that are not valid UTF-8.");
    await expectNothingStored();
  });

  it("refuses malformed JSON with 400", async () => {
    await expectError(await sign("{ name: 'Ann'"), 400, "invalid_input");
    await expectNothingStored();
  });

  it.each([
    ["no content type", {}],
    ["text/plain", { "Content-Type": "text/plain" }],
    ["a form", { "Content-Type": "application/x-www-form-urlencoded" }],
  ])("refuses %s with 415", async (_, headers) => {
    const res = await ctx.app.request("/api/entries", {
      method: "POST",
      headers,
      body: JSON.stringify({ name: "Ann", message: "hi" }),
    });
    await expectError(res, 415, "unsupported_media_type");
    await expectNothingStored();
  });

  it.each(["application/json; charset=utf-8", 'application/json; charset="UTF-8"', "application/json;charset=utf8"])(
    "accepts %s",
    async (type) => {
      const res = await sign({ name: "Ann", message: "hi" }, { "Content-Type": type });
      expect(res.status).toBe(201);
    },
  );

  it.each(["iso-8859-1", "utf-16", "windows-1252", "no-such-charset"])(
    "refuses JSON declared as charset=%s with 415, instead of decoding it as UTF-8",
    async (charset) => {
      const res = await ctx.app.request("/api/entries", {
        method: "POST",
        headers: { "Content-Type": `application/json; charset=${charset}` },
        body: Buffer.from(JSON.stringify({ name: "Zoë", message: "hi" }), "latin1"),
      });
      expect(await expectError(res, 415, "unsupported_media_type")).toMatch(/UTF-8/);
      await expectNothingStored();
    },
  );

  it.each([
    "application/json; charset=utf-8; charset=latin1",
    'application/json; charset="UTF-8"; CHARSET=iso-8859-1',
    "application/json; charset=utf-8;charset=utf-8",
  ])("refuses %s with 415: a charset named twice names no one encoding", async (type) => {
    const res = await sign({ name: "Ann", message: "hi" }, { "Content-Type": type });
    const message = await expectError(res, 415, "unsupported_media_type");
    expect(message).toBe("Send the entry as UTF-8 JSON: Content-Type names charset more than once.");
    await expectNothingStored();
  });

  it("reads a quoted parameter value as one value, even one holding '; charset='", async () => {
    const res = await sign({ name: "Ann", message: "hi" }, { "Content-Type": 'application/json; note="a; charset=latin1"; charset=utf-8' });
    expect(res.status).toBe(201);
  });

  it("refuses a body over 16 KiB with 413", async () => {
    const body = JSON.stringify({ name: "Ann", message: "m".repeat(MAX_BODY_BYTES) });
    await expectError(await sign(body), 413, "payload_too_large");
    await expectNothingStored();
  });

  it("refuses an oversized body sent without a Content-Length", async () => {
    const chunk = new TextEncoder().encode(" ".repeat(4096));
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < 5; i++) controller.enqueue(chunk);
        controller.close();
      },
    });
    const res = await ctx.app.request("/api/entries", {
      method: "POST",
      headers: { "Content-Type": "application/json", "Transfer-Encoding": "chunked" },
      body: stream,
      duplex: "half",
    } as RequestInit);
    await expectError(res, 413, "payload_too_large");
  });
});

describe("GET /api/entries", () => {
  it("answers an empty book with no entries and no cursor", async () => {
    expect(await listAll()).toEqual({ entries: [], nextCursor: null });
  });

  it("lists newest first", async () => {
    for (const name of ["first", "second", "third"]) {
      await sign({ name, message: "hi" });
      clock.advance(1000);
    }
    expect((await listAll()).entries.map((e) => e.name)).toEqual(["third", "second", "first"]);
  });

  it("returns 20 entries by default", async () => {
    for (let i = 0; i < 25; i++) await sign({ name: `n${i}`, message: "hi" });
    const page = await listAll();
    expect(page.entries).toHaveLength(20);
    expect(page.nextCursor).toEqual(expect.any(String));
  });

  it("pages through every entry exactly once, also when entries share a timestamp", async () => {
    // Groups of entries with the same timestamp, so page boundaries fall inside a group.
    const signedIds: string[] = [];
    for (let i = 0; i < 23; i++) {
      const res = await sign({ name: `n${i}`, message: "hi" });
      signedIds.push(((await res.json()) as Entry).id);
      if (i % 5 === 4) clock.advance(1);
    }
    const seen: Entry[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const query: string = `?limit=4${cursor ? `&before=${encodeURIComponent(cursor)}` : ""}`;
      const page = await listAll(query);
      seen.push(...page.entries);
      cursor = page.nextCursor;
      pages++;
    } while (cursor);
    expect(pages).toBe(6);
    expect(seen.map((e) => e.id).sort()).toEqual([...signedIds].sort());
    const times = seen.map((e) => Date.parse(e.createdAt));
    expect(times).toEqual([...times].sort((a, b) => b - a));
  });

  it("gives no cursor when the page holds the last entry exactly", async () => {
    for (let i = 0; i < 3; i++) await sign({ name: `n${i}`, message: "hi" });
    expect((await listAll("?limit=3")).nextCursor).toBeNull();
  });

  it.each(["0", "101", "-1", "1.5", "abc", "", "1e2"])("refuses limit=%s with 400", async (limit) => {
    const message = await expectError(await ctx.app.request(`/api/entries?limit=${limit}`), 400, "invalid_query");
    expect(message).toMatch(/limit must be a whole number from 1 to 100/);
  });

  it("refuses a repeated limit with 400", async () => {
    await expectError(await ctx.app.request("/api/entries?limit=1&limit=2"), 400, "invalid_query");
  });

  it.each(["not-a-cursor", "!!!", Buffer.from("12:../../etc").toString("base64url"), "a".repeat(200)])(
    "refuses the cursor %s with 400",
    async (before) => {
      const res = await ctx.app.request(`/api/entries?before=${encodeURIComponent(before)}`);
      expect(await expectError(res, 400, "invalid_query")).toMatch(/before must be a nextCursor/);
    },
  );

  it("ignores unknown query parameters", async () => {
    expect((await ctx.app.request("/api/entries?_=123")).status).toBe(200);
  });
});

describe("routes that do not exist", () => {
  it.each([
    ["GET", "/api/nope"],
    ["GET", "/flush"],
    ["GET", "/api/flush"],
    ["DELETE", "/api/entries"],
    ["PUT", "/api/entries"],
    ["PATCH", "/api/entries"],
  ])("%s %s answers 404 in the error shape", async (method, path) => {
    await expectError(await ctx.app.request(path, { method }), 404, "not_found");
  });
});

describe("every response", () => {
  it.each([
    ["a success", "/healthz"],
    ["a 404", "/api/nope"],
    ["a 400", "/api/entries?limit=0"],
  ])("carries the security headers on %s", async (_, path) => {
    const res = await ctx.app.request(path);
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    expect(res.headers.get("x-frame-options")).toBe("DENY");
    expect(res.headers.get("content-security-policy")).toContain("default-src 'self'");
    expect(res.headers.get("referrer-policy")).toBe("no-referrer");
  });

  it("carries a generated request id", async () => {
    const res = await ctx.app.request("/healthz");
    expect(res.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("echoes the ingress's request id", async () => {
    const res = await ctx.app.request("/healthz", { headers: { "X-Request-Id": "abc-123" } });
    expect(res.headers.get("x-request-id")).toBe("abc-123");
  });
});
