/**
 * npm run renovate:check — what the tests check, as a report: Renovate's validator on our
 * config, then every version pin with the manager and group that keep it current.
 * Exit 1 when the config is invalid or a pin is uncovered. Needs the npm registry once.
 */
import { validateConfig } from "./lib/renovate.js";
import { coverage, describePin } from "./lib/renovate-coverage.js";

const validation = validateConfig();
console.log(validation.ok ? "renovate-config-validator --strict: ok" : validation.output);

const results = await coverage();
for (const r of results.filter((r) => r.pin.kind !== "npm")) {
  const detail =
    r.status === "updated" ? `${r.manager} from ${r.source}${r.group ? `, group "${r.group}"` : ""}`
    : r.status === "excluded" ? `${r.manager}, turned off by a package rule`
    : r.status === "policy" ? r.reason
    : r.problem;
  console.log(`${r.status.padEnd(9)} ${describePin(r.pin)} (${detail})`);
}
const count = (status: string) => results.filter((r) => r.status === status).length;
console.log(
  `${results.length} pins: ${count("updated")} updated by Renovate (${results.filter((r) => r.pin.kind === "npm").length} of them npm packages), ` +
    `${count("excluded")} excluded (the app's images), ${count("policy")} policy, ${count("uncovered")} uncovered`,
);
if (!validation.ok || count("uncovered") > 0) process.exitCode = 1;
