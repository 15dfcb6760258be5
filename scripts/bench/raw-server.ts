/**
 * Baseline "same store work": the same routes on bare node:http over the same SQLite store, with no
 * framework, validation, headers or logging. PORT and DATA_DIR as for the real server. Each insert
 * commits on its own, as stores without group commit do; GROUP_COMMIT=1 commits the inserts of
 * one event-loop turn together, as the guestbook's store does.
 */
import { randomUUID } from "node:crypto";
import { createServer } from "node:http";
import { openSqliteStore } from "../../src/api/store/sqlite.js";

const store = openSqliteStore(process.env.DATA_DIR ?? "./data", { groupCommit: process.env.GROUP_COMMIT === "1" });

createServer(async (req, res) => {
  if (req.url?.startsWith("/api/entries") && req.method === "GET") {
    const entries = await store.list({ limit: 20 });
    res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ entries, nextCursor: null }));
  } else if (req.url === "/api/entries" && req.method === "POST") {
    let body = "";
    for await (const chunk of req) body += chunk;
    const { name, message } = JSON.parse(body) as { name: string; message: string };
    const entry = { id: randomUUID(), name, message, createdAt: new Date().toISOString() };
    await store.insert(entry);
    res.writeHead(201, { "content-type": "application/json" }).end(JSON.stringify(entry));
  } else if (req.url === "/readyz") {
    res.writeHead(200).end("ok");
  } else {
    res.writeHead(404).end();
  }
}).listen(Number(process.env.PORT), "127.0.0.1");
