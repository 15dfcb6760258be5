/**
 * `npm run local-credentials [-- OVERLAY...]`: makes the git-ignored credential files the
 * overlays generate their Secrets from (overlays/local: the in-cluster MongoDB's users and
 * replica-set key), once; existing files are kept. Run it before `kubectl apply -k overlays/local`
 * on a fresh clone (rendering through npm run validate or the tests does it too).
 */
import { join } from "node:path";
import { CredentialsError, ensureLocalCredentials, generatedInputs } from "./lib/local-credentials.js";
import { environments } from "./lib/overlay-images.js";

function main(argv: string[]): number {
  const overlays = argv.length > 0 ? argv : environments();
  for (const overlay of overlays) {
    if (!environments().includes(overlay)) {
      console.error(`local-credentials: unknown overlay "${overlay}": expected one of ${environments().join(", ")}`);
      return 1;
    }
    const dir = join("overlays", overlay);
    const inputs = generatedInputs(dir);
    if (inputs.length === 0) continue;
    const created = new Set(ensureLocalCredentials(dir));
    for (const file of inputs) console.log(`${created.has(join(dir, file)) ? "created" : "kept"} ${join(dir, file)}`);
  }
  return 0;
}

try {
  process.exitCode = main(process.argv.slice(2));
} catch (error) {
  console.error(`local-credentials: ${error instanceof CredentialsError ? error.message : (error as Error).message.split("\n")[0]}`);
  process.exitCode = 1;
}
