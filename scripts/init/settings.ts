/**
 * The values that make this repository someone's own: where images live, the hosts each
 * environment serves, the Git repository Argo CD syncs from, and the certificate issuer. Read
 * from the repository as it is, so `npm run init` is idempotent and tests can take their
 * expectations from the repository instead of from the example values.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse, parseAllDocuments } from "yaml";
import { readImages } from "../lib/overlay-images.js";
import { findRenderer } from "../validate/render.js";

export interface RepoSettings {
  /** Registry host and namespace the app's images are pushed to, e.g. ghcr.io/acme. */
  registry: string;
  /** Base domain: dev serves guestbook-dev.<domain>, prod guestbook.<domain>. */
  domain: string;
  /** Git URL of this repository, as Argo CD clones it. */
  repo: string;
  /** cert-manager ClusterIssuer that signs prod's certificate. */
  issuer: string;
}

export const hostsFor = (domain: string) => ({ dev: `guestbook-dev.${domain}`, prod: `guestbook.${domain}` });

type Rendered = { kind?: string; metadata?: { annotations?: Record<string, string> }; spec?: { rules?: { host?: string }[] } };

async function renderedIngress(root: string, overlay: string): Promise<Rendered> {
  const text = await findRenderer().render(join(root, "overlays", overlay));
  const ingress = parseAllDocuments(text)
    .map((doc) => doc.toJS() as Rendered)
    .find((object) => object?.kind === "Ingress");
  if (!ingress) throw new Error(`overlays/${overlay} renders no Ingress`);
  return ingress;
}

export async function readSettings(root = "."): Promise<RepoSettings> {
  const api = readImages("dev", root).find((image) => image.name === "guestbook-api");
  if (!api?.newName) throw new Error("overlays/dev has no images: entry for guestbook-api with a newName");
  const application = parse(readFileSync(join(root, "argocd/application-dev.yaml"), "utf8")) as { spec: { source: { repoURL: string } } };
  const prod = await renderedIngress(root, "prod");
  const prodHost = prod.spec?.rules?.[0]?.host ?? "";
  return {
    registry: api.newName.slice(0, api.newName.lastIndexOf("/")),
    domain: prodHost.replace(/^guestbook\./, ""),
    repo: application.spec.source.repoURL,
    issuer: prod.metadata?.annotations?.["cert-manager.io/cluster-issuer"] ?? "",
  };
}

/** Each setting's rule, as one line a person can act on; null when the value is fine. */
export const SETTING_RULES: Record<keyof RepoSettings, { example: string; check: (value: string) => boolean; expected: string }> = {
  registry: {
    example: "ghcr.io/acme",
    // Registry host (optionally with a port), then one or more lowercase path components:
    // registries such as GHCR refuse upper case.
    check: (v) => /^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+(:[0-9]{1,5})?(\/[a-z0-9]+([._-][a-z0-9]+)*)+$/.test(v),
    expected: "a lowercase registry host and namespace such as ghcr.io/acme",
  },
  domain: {
    example: "apps.acme.dev",
    check: (v) => v.length <= 240 && /^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/.test(v),
    expected: "a lowercase DNS domain such as apps.acme.dev",
  },
  repo: {
    example: "https://github.com/acme/guestbook-gitops.git",
    check: (v) => /^(https:\/\/[a-z0-9.-]+(:[0-9]+)?\/[\w.\-/]+|git@[a-z0-9.-]+:[\w.\-/]+|ssh:\/\/[\w.@-]+(:[0-9]+)?\/[\w.\-/]+)$/i.test(v),
    expected: "a Git URL Argo CD can clone, such as https://github.com/acme/guestbook-gitops.git or git@github.com:acme/guestbook-gitops.git",
  },
  issuer: {
    example: "letsencrypt",
    check: (v) => v.length <= 253 && /^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/.test(v),
    expected: "a ClusterIssuer name (lowercase letters, digits, '-' and '.')",
  },
};
