import { hc } from "hono/client";
import { afterEach, beforeEach, expect, it } from "vitest";
import type { AppType } from "../../src/api/app.js";
import { testApp } from "../helpers/app.js";

let ctx: ReturnType<typeof testApp>;
beforeEach(() => {
  ctx = testApp();
});
afterEach(() => ctx.cleanup());

it("serves Hono's typed client, which the UI uses, end to end", async () => {
  const client = hc<AppType>("http://guestbook.test", { fetch: ctx.app.request });
  const key = "typed-client-key-0001";
  const created = await client.api.entries.$post({ json: { name: "Typed", message: "client" }, header: { "idempotency-key": key } });
  expect(created.status).toBe(201);
  if (created.status !== 201) return;
  const entry = await created.json();
  expect(entry.id).toBe(key);
  const listed = await client.api.entries.$get({ query: { limit: "5" } });
  expect(listed.status).toBe(200);
  if (listed.status !== 200) return;
  expect((await listed.json()).entries).toEqual([entry]);
});
