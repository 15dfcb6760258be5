/**
 * Read-only Git over smart HTTP, for the kind end-to-end run: Argo CD clones from here the
 * commits the run makes, so the GitOps loop can be shown without pushing anywhere. Each request
 * is handed to Git's own server side, `git http-backend`, as CGI; with no REMOTE_USER it refuses
 * pushes, so the repositories change only by commits made on this machine.
 */
import { spawn } from "node:child_process";
import { type IncomingMessage, type Server, type ServerResponse, createServer } from "node:http";

// A repository folder directly under the root, then a Git path inside it; nothing else is served.
const GIT_PATH = /^\/[\w.-]+\.git\/(?:info\/refs|git-upload-pack|git-receive-pack|HEAD|objects\/[\w./-]+)$/;

function headerEnd(buffer: Buffer): { at: number; length: number } | null {
  const crlf = buffer.indexOf("\r\n\r\n");
  const lf = buffer.indexOf("\n\n");
  if (crlf !== -1 && (lf === -1 || crlf < lf)) return { at: crlf, length: 4 };
  return lf === -1 ? null : { at: lf, length: 2 };
}

/** Answers one request with `git http-backend`, turning its CGI headers into the HTTP response. */
function serve(root: string, req: IncomingMessage, res: ServerResponse, log: (line: string) => void): void {
  const url = new URL(req.url ?? "/", "http://git.invalid");
  const path = decodeURIComponent(url.pathname);
  if (path.includes("..") || !GIT_PATH.test(path)) {
    res.writeHead(404, { "Content-Type": "text/plain" }).end("not a repository path\n");
    return;
  }
  const header = (name: string) => req.headers[name] as string | undefined;
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? "",
    GIT_PROJECT_ROOT: root,
    GIT_HTTP_EXPORT_ALL: "1",
    REQUEST_METHOD: req.method ?? "GET",
    PATH_INFO: path,
    QUERY_STRING: url.search.slice(1),
    REMOTE_ADDR: req.socket.remoteAddress ?? "",
    CONTENT_TYPE: header("content-type") ?? "",
    ...(header("content-length") ? { CONTENT_LENGTH: header("content-length")! } : {}),
    ...(header("content-encoding") ? { HTTP_CONTENT_ENCODING: header("content-encoding")! } : {}),
    // Protocol v2, which current Git clients (Argo CD's too) ask for.
    ...(header("git-protocol") ? { GIT_PROTOCOL: header("git-protocol")! } : {}),
  };
  const backend = spawn("git", ["http-backend"], { env, stdio: ["pipe", "pipe", "pipe"] });
  backend.stderr.on("data", (chunk: Buffer) => log(`git http-backend: ${chunk.toString().trim()}`));
  backend.on("error", (error) => {
    log(`git http-backend could not start: ${error.message}`);
    if (!res.headersSent) res.writeHead(500).end();
  });
  req.pipe(backend.stdin);
  backend.stdin.on("error", () => req.unpipe(backend.stdin));

  let head: Buffer | null = Buffer.alloc(0);
  backend.stdout.on("data", (chunk: Buffer) => {
    if (head === null) {
      res.write(chunk);
      return;
    }
    head = Buffer.concat([head, chunk]);
    const end = headerEnd(head);
    if (!end) return;
    let status = 200;
    const headers: Record<string, string> = {};
    for (const line of head.subarray(0, end.at).toString().split(/\r?\n/)) {
      const colon = line.indexOf(":");
      if (colon === -1) continue;
      const name = line.slice(0, colon).trim();
      const value = line.slice(colon + 1).trim();
      if (name.toLowerCase() === "status") status = Number.parseInt(value, 10) || 500;
      else headers[name] = value;
    }
    const rest = head.subarray(end.at + end.length);
    head = null;
    res.writeHead(status, headers);
    if (rest.length > 0) res.write(rest);
  });
  backend.on("close", (code) => {
    if (head !== null && !res.headersSent) res.writeHead(code === 0 ? 200 : 500);
    res.end();
  });
}

/** An HTTP server for every `NAME.git` folder under `root`; call listen() on it. */
export function gitHttpServer(root: string, log: (line: string) => void = (line) => console.error(line)): Server {
  return createServer((req, res) => serve(root, req, res, log));
}
