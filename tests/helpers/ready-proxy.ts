/**
 * What an ingress in front of a Service does during a rollout, in miniature: it sends each
 * request to one of the backends whose /readyz answers 200 (checked every 100 ms, as
 * endpoints follow readiness), over keep-alive connections, and never retries.
 */
import { Agent, type IncomingMessage, type ServerResponse, createServer, request } from "node:http";
import type { AddressInfo } from "node:net";

export async function startReadyProxy(initial: string[] = []) {
  const backends = new Set(initial);
  const ready = new Set<string>();
  const agent = new Agent({ keepAlive: true });
  let next = 0;

  const poll = setInterval(() => {
    for (const backend of backends) {
      fetch(`${backend}/readyz`).then(
        (r) => (r.ok ? ready.add(backend) : ready.delete(backend)),
        () => ready.delete(backend),
      );
    }
  }, 100);

  const forward = (req: IncomingMessage, res: ServerResponse) => {
    const targets = [...ready];
    const target = targets[next++ % Math.max(targets.length, 1)];
    if (!target) {
      res.writeHead(503).end("no ready backend");
      return;
    }
    const upstream = request(`${target}${req.url}`, { method: req.method, headers: req.headers, agent }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    upstream.on("error", () => res.headersSent ? res.destroy() : res.writeHead(502).end("upstream error"));
    req.pipe(upstream);
  };

  const server = createServer(forward);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    add: (backend: string) => void backends.add(backend),
    remove: (backend: string) => void (backends.delete(backend), ready.delete(backend)),
    /** Resolves once the backend is in rotation. */
    async waitReady(backend: string) {
      while (!ready.has(backend)) await new Promise((resolve) => setTimeout(resolve, 20));
    },
    close: async () => {
      clearInterval(poll);
      agent.destroy();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
