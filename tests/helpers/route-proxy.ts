/**
 * The Gateway in miniature: routes each request by the PathPrefix rules of the repository's
 * HTTPRoute (components/gateway-api/httproute.yaml) to the process standing in for each
 * Service, the way Gateway API matches them (whole path segments, longest prefix wins).
 */
import { type IncomingMessage, type ServerResponse, createServer, request } from "node:http";
import type { AddressInfo } from "node:net";
import { readFileSync } from "node:fs";
import { parse } from "yaml";

interface Rule {
  prefix: string;
  service: string;
}

function routeRules(): Rule[] {
  const route = parse(readFileSync("components/gateway-api/httproute.yaml", "utf8")) as {
    spec: { rules: { matches: { path: { type: string; value: string } }[]; backendRefs: { name: string }[] }[] };
  };
  return route.spec.rules.flatMap((rule) =>
    rule.matches.filter((m) => m.path.type === "PathPrefix").map((m) => ({ prefix: m.path.value, service: rule.backendRefs[0]!.name })),
  );
}

const matches = (prefix: string, path: string) =>
  prefix === "/" || path === prefix || path.startsWith(prefix.endsWith("/") ? prefix : `${prefix}/`);

/** `services` maps each backendRef name to the base URL of the process that plays it. */
export async function startRouteProxy(services: Record<string, string>) {
  const rules = routeRules().sort((a, b) => b.prefix.length - a.prefix.length);
  const forward = (req: IncomingMessage, res: ServerResponse) => {
    const path = new URL(req.url ?? "/", "http://gateway.invalid").pathname;
    const rule = rules.find((r) => matches(r.prefix, path));
    const target = rule && services[rule.service];
    if (!target) {
      res.writeHead(404).end();
      return;
    }
    const upstream = request(`${target}${req.url}`, { method: req.method, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    upstream.on("error", () => (res.headersSent ? res.destroy() : res.writeHead(503).end("upstream connect error")));
    req.pipe(upstream);
  };
  const server = createServer(forward);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    services: [...new Set(rules.map((r) => r.service))].sort(),
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
