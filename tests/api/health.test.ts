import { afterEach, describe, expect, it } from "vitest";
import { createMetrics } from "../../src/api/metrics.js";
import { postJson, testApp } from "../helpers/app.js";
import { capturedLogger } from "../helpers/log-capture.js";

const storeUp = async (app: ReturnType<typeof testApp>["app"]) =>
  (await (await app.request("/metrics")).text()).match(/^guestbook_store_up (\d)$/m)?.[1];

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

  it("fails readiness, and only readiness, once draining begins, even with the store up", async () => {
    ctx = testApp({ isDraining: () => draining });
    expect((await ctx.app.request("/readyz")).status).toBe(200);
    draining = true;
    expect((await ctx.app.request("/readyz")).status).toBe(503);
    expect((await ctx.app.request("/healthz")).status).toBe(200);
    expect((await ctx.app.request("/api/entries")).status).toBe(200);
    draining = false;
  });

  it("is not ready before the store has answered once, and stays alive", async () => {
    ctx = testApp();
    await ctx.store.close(); // the real SQLite store, now refusing every call
    for (let i = 0; i < 2; i++) {
      const ready = await ctx.app.request("/readyz");
      expect(ready.status).toBe(503);
      expect(await ready.json()).toEqual({ status: "store_unavailable" });
    }
    expect((await ctx.app.request("/api/entries")).status).toBe(503);
    expect((await ctx.app.request("/healthz")).status).toBe(200);
  });

  it("after the store has answered once, an outage keeps /readyz 200 while data routes answer the API's JSON 503", async () => {
    const log = capturedLogger();
    ctx = testApp({ logger: log.logger, metrics: createMetrics() });
    expect((await ctx.app.request("/readyz")).status).toBe(200);
    expect(await storeUp(ctx.app)).toBe("1");

    await ctx.store.close(); // the database goes away
    for (const res of [
      await ctx.app.request("/api/entries"),
      await ctx.app.request("/api/entries", postJson({ name: "Ann", message: "hi" })),
    ]) {
      expect(res.status).toBe(503);
      expect(res.headers.get("content-type")).toMatch(/^application\/json/);
      expect(res.headers.get("retry-after")).toBe("5");
      expect(await res.json()).toEqual({
        error: { code: "store_unavailable", message: expect.stringContaining("unavailable") },
      });
    }
    for (let i = 0; i < 3; i++) {
      const ready = await ctx.app.request("/readyz");
      expect(ready.status).toBe(200);
      expect(await ready.json()).toEqual({ status: "store_unavailable", store: "sqlite" });
    }
    expect(await storeUp(ctx.app)).toBe("0");
    const outage = log.lines.filter((line) => String(line.msg).startsWith("The store is unavailable"));
    expect(outage).toHaveLength(1); // once per outage, not once per probe
    expect(outage[0]).toMatchObject({ level: 40, msg: expect.stringContaining("staying ready") });
  });
});
