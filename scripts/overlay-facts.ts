/**
 * `npm run overlay-facts -- ENV`: prints, as key=value lines, what overlays/ENV needs from a
 * cluster (scripts/lib/overlay-facts.ts); scripts/preflight.sh reads them.
 */
import { overlayFacts } from "./lib/overlay-facts.js";
import { OverlayError, kustomizationPath } from "./lib/overlay-images.js";

const USAGE = "usage: npm run overlay-facts -- ENV";

async function main(argv: string[]): Promise<number> {
  if (argv.length !== 1) {
    console.error(USAGE);
    return 1;
  }
  kustomizationPath(argv[0]!);
  for (const [key, value] of await overlayFacts(argv[0]!)) console.log(`${key}=${value}`);
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => (process.exitCode = code),
  (error: Error) => {
    console.error(`overlay-facts: ${error instanceof OverlayError ? error.message : error.message.split("\n")[0]}`);
    process.exitCode = 1;
  },
);
