/**
 * Baseline "ceiling": bare node:http answering GET /api/entries with the same bytes the
 * guestbook sends for its first page, read from the same store once at start-up and then
 * served from memory: what any Node server serving the cached page could at best do.
 */
import { createServer } from "node:http";
import { PAGE_LIMITS } from "../../src/shared/entry.js";
import { pageOf } from "../../src/api/newest-page.js";
import { openSqliteStore } from "../../src/api/store/sqlite.js";

const store = openSqliteStore(process.env.DATA_DIR ?? "./data");
const body = Buffer.from(JSON.stringify(pageOf(await store.list({ limit: PAGE_LIMITS.default + 1 }), PAGE_LIMITS.default)));

createServer((req, res) => {
  if (req.url === "/api/entries" && req.method === "GET") {
    res.writeHead(200, { "content-type": "application/json", "content-length": body.byteLength }).end(body);
  } else if (req.url === "/readyz") {
    res.writeHead(200).end("ok");
  } else {
    res.writeHead(404).end();
  }
}).listen(Number(process.env.PORT), "127.0.0.1");
