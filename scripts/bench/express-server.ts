/**
 * Baseline "peer": the seed tutorial's Express backend, on Express 5, over the same SQLite
 * store: express.json(), a list route and an insert route, as the tutorial wrote them.
 */
import { randomUUID } from "node:crypto";
import express from "express";
import { openSqliteStore } from "../../src/api/store/sqlite.js";

// Each insert commits on its own, as the tutorial's store did.
const store = openSqliteStore(process.env.DATA_DIR ?? "./data", { groupCommit: false });
const app = express();
app.use(express.json());
app.get("/api/entries", async (_req, res) => {
  res.json({ entries: await store.list({ limit: 20 }), nextCursor: null });
});
app.post("/api/entries", async (req, res) => {
  const entry = { id: randomUUID(), ...req.body, createdAt: new Date().toISOString() };
  await store.insert(entry);
  res.status(201).json(entry);
});
app.get("/readyz", (_req, res) => {
  res.send("ok");
});
app.listen(Number(process.env.PORT), "127.0.0.1");
