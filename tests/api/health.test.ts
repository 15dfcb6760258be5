import { afterEach, describe, expect, it } from "vitest";
import { postJson, testApp } from "../helpers/app.js";

describe("probes and an unavailable store", () => {
  let ctx: ReturnType<typeof testApp>;
  let draining = false;
  afterEach(() => ctx.cleanup());

  it("answers /healthz and /readyz with 200 when the store is up", async () => {
    ctx = testApp();
    expect((await ctx.app.request("/healthz")).status).toBe(200);
    const ready = await ctx.app.request("/readyz");
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: "ready", store: "sqlite" });
  });

  it("fails readiness, and only readiness, once draining begins", async () => {
    ctx = testApp({ isDraining: () => draining });
    draining = true;
    expect((await ctx.app.request("/readyz")).status).toBe(503);
    expect((await ctx.app.request("/healthz")).status).toBe(200);
    expect((await ctx.app.request("/api/entries")).status).toBe(200);
    draining = false;
  });

  it("answers 503 on data routes and readiness when the store has gone away, and stays alive", async () => {
    ctx = testApp();
    await ctx.store.close(); // the real SQLite store, now refusing every call
    for (const res of [
      await ctx.app.request("/api/entries"),
      await ctx.app.request("/api/entries", postJson({ name: "Ann", message: "hi" })),
    ]) {
      expect(res.status).toBe(503);
      expect(res.headers.get("retry-after")).toBe("5");
      expect(await res.json()).toEqual({
        error: { code: "store_unavailable", message: expect.stringContaining("unavailable") },
      });
    }
    expect((await ctx.app.request("/readyz")).status).toBe(503);
    expect((await ctx.app.request("/healthz")).status).toBe(200);
  });
});
