/**
 * npm run schemas:import -- --version X.Y.Z --repository OWNER/NAME --tag TAG --commit SHA --path PATH [FILE]
 * Imports one upstream Kubernetes swagger.json (FILE, fetched from that repository, tag and
 * path; by default v<version>.json in the folder KUBERNETES_OPENAPI_DIR names) into
 * schemas/kubernetes/v<version>.json. Run npm run schemas afterwards.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { BUNDLE_DIR, bundleText, importBundle } from "./kubernetes-bundle.js";

const USAGE = "usage: npm run schemas:import -- --version X.Y.Z --repository OWNER/NAME --tag TAG --commit SHA --path PATH [FILE]";

/** FILE, or the spec of that version in KUBERNETES_OPENAPI_DIR. */
function specFile(positionals: string[], version: string): string | undefined {
  if (positionals.length === 1) return positionals[0];
  const dir = process.env.KUBERNETES_OPENAPI_DIR;
  return positionals.length === 0 && dir ? join(dir, `v${version}.json`) : undefined;
}

function main(argv: string[]): number {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: Object.fromEntries(["version", "repository", "tag", "commit", "path"].map((name) => [name, { type: "string" as const }])),
    });
  } catch (error) {
    console.error(`${(error as Error).message}\n${USAGE}`);
    return 1;
  }
  const { values, positionals } = parsed;
  const { version, repository, tag, commit, path } = values as Record<string, string | undefined>;
  const file = version ? specFile(positionals, version) : undefined;
  if (!version || !repository || !tag || !commit || !path || !file || !/^\d+\.\d+\.\d+$/.test(version)) {
    console.error(`${USAGE}\n(FILE defaults to v<version>.json in KUBERNETES_OPENAPI_DIR)`);
    return 1;
  }
  let bundle;
  try {
    bundle = importBundle(readFileSync(file, "utf8"), version, { repository, tag, commit, path });
  } catch (error) {
    const { code, message } = error as NodeJS.ErrnoException;
    console.error(code ? `cannot read ${file}: ${code}` : `${file}: ${message}`);
    return 1;
  }
  const out = join(BUNDLE_DIR, `v${version}.json`);
  writeFileSync(out, bundleText(bundle));
  console.log(`wrote ${out}: ${Object.keys(bundle.kinds).length} kinds, ${Object.keys(bundle.definitions).length} definitions`);
  return 0;
}

process.exitCode = main(process.argv.slice(2));
