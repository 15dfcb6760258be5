/**
 * `npm run init -- --registry ghcr.io/acme --domain apps.acme.dev --repo https://github.com/acme/guestbook-gitops.git [--issuer NAME]`
 * makes the repository yours: rewrites every place that holds one of these values (overlay
 * images, the images workflow, hosts, Argo CD's repoURLs, prod's issuer) in one go and prints
 * what changed. Options left out keep their current value; running it twice changes nothing.
 */
import { readFileSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { parseArgs } from "node:util";
import { createTwoFilesPatch } from "diff";
import { type RepoSettings, SETTING_RULES, hostsFor, readSettings } from "./init/settings.js";

const USAGE =
  "usage: npm run init -- [--registry HOST/NAMESPACE] [--domain DOMAIN] [--repo GIT_URL] [--issuer CLUSTER_ISSUER]";

/** Folders whose files hold the deployable values; README and docs keep the examples. */
const MANAGED = ["base", "components", "overlays", "argocd", "cluster", ".github/workflows"];

class InitError extends Error {}

function parseOptions(argv: string[]): Partial<RepoSettings> {
  let values: Record<string, string | undefined>;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: { registry: { type: "string" }, domain: { type: "string" }, repo: { type: "string" }, issuer: { type: "string" } },
      strict: true,
      allowPositionals: false,
    }) as { values: Record<string, string | undefined> });
  } catch (error) {
    throw new InitError(`${(error as Error).message.split("\n")[0]}\n${USAGE}`);
  }
  for (const [key, value] of Object.entries(values)) {
    const rule = SETTING_RULES[key as keyof RepoSettings];
    if (value !== undefined && !rule.check(value)) throw new InitError(`--${key} must be ${rule.expected} (got "${value}")`);
  }
  return values as Partial<RepoSettings>;
}

/** Old string → new string for every value that changes, longest first so none shadows another. */
function replacements(current: RepoSettings, wanted: RepoSettings): [string, string][] {
  const pairs: [string, string][] = [
    [`${current.registry}/`, `${wanted.registry}/`],
    [current.repo, wanted.repo],
    [hostsFor(current.domain).dev, hostsFor(wanted.domain).dev],
    [hostsFor(current.domain).prod, hostsFor(wanted.domain).prod],
    [`cluster-issuer: ${current.issuer}`, `cluster-issuer: ${wanted.issuer}`],
    // The example ClusterIssuer in cluster/ carries the name prod's Ingress asks for.
    [`kind: ClusterIssuer\nmetadata:\n  name: ${current.issuer}\n`, `kind: ClusterIssuer\nmetadata:\n  name: ${wanted.issuer}\n`],
    // The images workflow names the registry and the image prefix once each.
    [`REGISTRY: ${current.registry.split("/")[0]}\n`, `REGISTRY: ${wanted.registry.split("/")[0]}\n`],
    [`IMAGE_PREFIX: ${current.registry}\n`, `IMAGE_PREFIX: ${wanted.registry}\n`],
  ];
  return pairs.filter(([from, to]) => from !== to).sort(([a], [b]) => b.length - a.length);
}

function filesUnder(root: string, folder: string): string[] {
  const path = join(root, folder);
  try {
    statSync(path);
  } catch {
    return [];
  }
  return readdirSync(path, { recursive: true, encoding: "utf8" })
    .map((name) => join(path, name))
    .filter((file) => statSync(file).isFile() && /\.(ya?ml|json5?)$/.test(file));
}

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

export async function init(argv: string[], root = "."): Promise<string> {
  const options = parseOptions(argv);
  const current = await readSettings(root);
  const wanted: RepoSettings = { ...current, ...Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) };
  const pairs = replacements(current, wanted);
  if (pairs.length === 0) return `nothing to change: ${describe(current)}`;
  const pattern = new RegExp(pairs.map(([from]) => escape(from)).join("|"), "g");
  const lookup = new Map(pairs);
  const patches: string[] = [];
  for (const file of MANAGED.flatMap((folder) => filesUnder(root, folder))) {
    const before = readFileSync(file, "utf8");
    const after = before.replace(pattern, (match) => lookup.get(match)!);
    if (after === before) continue;
    writeFileSync(file, after);
    const name = relative(root, file);
    patches.push(createTwoFilesPatch(name, name, before, after, "", "", { context: 0 }).split("\n").slice(2).join("\n"));
  }
  return `${patches.join("")}\n${describe(wanted)}`;
}

const describe = (s: RepoSettings) =>
  `registry ${s.registry}, hosts ${hostsFor(s.domain).dev} (dev) and ${hostsFor(s.domain).prod} (prod), repo ${s.repo}, issuer ${s.issuer}`;

if (import.meta.url === `file://${process.argv[1]}`) {
  init(process.argv.slice(2)).then(
    (report) => console.log(report),
    (error: Error) => {
      console.error(error instanceof InitError ? `init: ${error.message}` : `init: ${error.message.split("\n")[0]}`);
      process.exitCode = 1;
    },
  );
}
