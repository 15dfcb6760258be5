/**
 * Profiling aid: the same two routes on Hono and @hono/node-server with no middleware at all.
 * The gap between this and node:http is the framework's; the gap between this and the
 * guestbook is what its middleware (validation, headers, ids, metrics, logs, limits) costs.
 */
import { randomUUID } from "node:crypto";
import { serve } from "@hono/node-server";
import { Hono } from "hono";
import { openSqliteStore } from "../../src/api/store/sqlite.js";

// Each insert commits on its own, like the "same store work" baseline it is compared with.
const store = openSqliteStore(process.env.DATA_DIR ?? "./data", { groupCommit: false });
const app = new Hono()
  .get("/api/entries", async (c) => c.json({ entries: await store.list({ limit: 20 }), nextCursor: null }))
  .post("/api/entries", async (c) => {
    const { name, message } = await c.req.json<{ name: string; message: string }>();
    const entry = { id: randomUUID(), name, message, createdAt: new Date().toISOString() };
    await store.insert(entry);
    return c.json(entry, 201);
  })
  .get("/readyz", (c) => c.text("ok"));

serve({ fetch: app.fetch, port: Number(process.env.PORT), hostname: "127.0.0.1" });
