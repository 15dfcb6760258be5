/**
 * Not a target: the "ceiling" baseline sending the guestbook's whole header set with its page
 * (the security headers, ETag, Cache-Control, a request id), from src/api's own modules, and
 * nothing else: no log line, no metrics. Next to the bare ceiling it shows what the headers
 * every response must carry cost node:http and autocannon, and so how much of the gap is left
 * to the guestbook's own work.
 */
import { randomUUID } from "node:crypto";
import { createServer } from "node:http";
import { PAGE_LIMITS } from "../../src/shared/entry.js";
import { pageOf, preparePage } from "../../src/api/newest-page.js";
import { openSqliteStore } from "../../src/api/store/sqlite.js";

const store = openSqliteStore(process.env.DATA_DIR ?? "./data");
const page = preparePage(pageOf(await store.list({ limit: PAGE_LIMITS.default + 1 }), PAGE_LIMITS.default));

createServer((req, res) => {
  if (req.url === "/api/entries" && req.method === "GET") {
    res.writeHead(200, [...page.headers.ok.flat, "x-request-id", randomUUID()]).end(page.body);
  } else if (req.url === "/readyz") {
    res.writeHead(200).end("ok");
  } else {
    res.writeHead(404).end();
  }
}).listen(Number(process.env.PORT), "127.0.0.1");
