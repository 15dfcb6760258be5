import { isIP } from "node:net";
import { getConnInfo } from "@hono/node-server/conninfo";
import type { Context } from "hono";
import {
  convertIPv4BinaryToString,
  convertIPv4MappedIPv6ToIPv4,
  convertIPv6BinaryToString,
  convertIPv6ToBinary,
  isIPv4MappedIPv6,
} from "hono/utils/ipaddr";

/**
 * One rate-limit key per client address, however it is written: IPv4 as dotted decimal,
 * IPv4-mapped IPv6 as its IPv4 address, and IPv6 as its /64 network, since one subscriber
 * gets a whole /64 to choose from. `null` when `address` is not an IP address. At most 24
 * characters, so what the limiter remembers is bounded whatever a client sends.
 */
export function clientKey(address: string): string | null {
  const version = isIP(address);
  if (version === 4) return address; // isIP takes only canonical dotted decimal
  if (version !== 6) return null;
  let binary: bigint;
  try {
    binary = convertIPv6ToBinary(address);
  } catch {
    return null; // a zone id on an address that is not link-local, for instance
  }
  if (isIPv4MappedIPv6(binary)) return convertIPv4BinaryToString(convertIPv4MappedIPv6ToIPv4(binary));
  return `${convertIPv6BinaryToString((binary >> 64n) << 64n)}/64`;
}

/**
 * The client's key for rate limiting. Behind `trustedProxies` proxies (the Ingress is one),
 * the address is the entry those proxies appended to X-Forwarded-For, counted from the
 * right: entries further left are whatever the client chose to send and are never trusted.
 * An entry that is not an IP address means the request did not come through the proxy as
 * expected, so the socket's address (the peer that sent it) is used instead.
 */
export function clientAddress(c: Context, trustedProxies: number): string {
  if (trustedProxies > 0) {
    const hops = (c.req.header("X-Forwarded-For") ?? "").split(",");
    const key = clientKey(hops[hops.length - trustedProxies]?.trim() ?? "");
    if (key) return key;
  }
  return socketKey(c);
}

function socketKey(c: Context): string {
  try {
    return clientKey(getConnInfo(c).remote.address ?? "") ?? "unknown";
  } catch {
    return "unknown"; // no socket, as under app.request() in tests
  }
}
