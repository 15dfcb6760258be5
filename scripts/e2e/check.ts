/**
 * `npm run e2e:check -- URL [--wait-seconds N]`: waits until URL serves the page, then checks
 * what a visitor gets through the way in (scripts/e2e/gateway-checks.ts). One line per check;
 * exits 1 when any fails.
 */
import { parseArgs } from "node:util";
import { gatewayChecks, runChecks, waitForPage } from "./gateway-checks.js";

const USAGE = "usage: npm run e2e:check -- URL [--wait-seconds N]";

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: { "wait-seconds": { type: "string", default: "120" } } });
  const url = positionals[0];
  if (positionals.length !== 1 || !url || !/^https?:\/\/[^/]+$/.test(url)) throw new Error(`expected one base URL such as http://localhost:8080\n${USAGE}`);
  const wait = Number(values["wait-seconds"]);
  if (!Number.isInteger(wait) || wait < 0) throw new Error(`--wait-seconds must be a whole number (got "${values["wait-seconds"]}")`);
  try {
    await waitForPage(url, wait);
  } catch (error) {
    console.log(`failed: the page loads at /: ${(error as Error).message}`);
    return 1;
  }
  const results = await runChecks(gatewayChecks(url));
  for (const { name, ok, detail } of results) console.log(`${ok ? "ok" : "failed"}: ${name}: ${detail}`);
  const failed = results.filter((r) => !r.ok).length;
  console.log(`e2e:check: ${results.length - failed} of ${results.length} checks passed through ${url}`);
  return failed === 0 ? 0 : 1;
}

main(process.argv.slice(2)).then(
  (code) => (process.exitCode = code),
  (error: Error) => {
    console.error(`e2e:check: ${error.message}`);
    process.exitCode = 2;
  },
);
