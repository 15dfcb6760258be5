/**
 * Which Renovate manager keeps each version pin current: every pin found by version-pins.ts is
 * looked up among the dependencies Renovate's own managers extract, then run through the
 * config's package rules with Renovate's own code. A pin no manager extracts, or one a rule
 * turns off, is uncovered; the app's own images must be turned off by a rule.
 */
import { type Pin, POLICY_PINS, findPins } from "./version-pins.js";
import { type ExtractedDep, type ExtractedFile, extractDependencies, packageRules } from "./renovate.js";

export type Coverage =
  | { pin: Pin; status: "updated"; manager: string; source: string; group?: string }
  | { pin: Pin; status: "excluded"; manager: string }
  | { pin: Pin; status: "policy"; reason: string }
  | { pin: Pin; status: "uncovered"; problem: string };

/**
 * Skip reasons that come from extracting offline, not from the config: the hosted Renovate
 * has a GitHub token for looking up actions and GitHub releases.
 */
const OFFLINE_SKIPS = new Set(["github-token-required"]);

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** Whether this extracted dependency is this pin: same file, same name and value, same digest. */
function isPin(pin: Pin, manager: string, dep: ExtractedDep): boolean {
  if ((dep.currentDigest ?? undefined) !== pin.digest) return false;
  if ((dep.currentValue ?? "") !== pin.value) return false;
  switch (pin.kind) {
    case "image":
    case "action":
    case "npm":
    case "chart":
    case "manifest":
      return dep.depName === pin.name;
    case "nvmrc":
      return manager === "nvm";
    case "go-tool":
      return pin.name === dep.depName || pin.name.startsWith(`${dep.depName}/`);
    case "version":
      // A custom regex manager's match includes the assignment it read the value from.
      return new RegExp(`\\b${escape(pin.name)}\\s*[=:]`).test((dep as { replaceString?: string }).replaceString ?? "");
  }
}

export async function coverage(root = "."): Promise<Coverage[]> {
  const pins = findPins(root);
  const { files } = extractDependencies(root);
  const rules = await packageRules(root);
  const results: Coverage[] = [];
  for (const pin of pins) {
    if (pin.kind === "version" && POLICY_PINS[pin.name]) {
      results.push({ pin, status: "policy", reason: POLICY_PINS[pin.name]! });
      continue;
    }
    const found = files
      .filter((f: ExtractedFile) => f.packageFile === pin.file)
      .flatMap((f) => f.deps.map((dep) => ({ manager: f.manager, dep })))
      .find(({ manager, dep }) => isPin(pin, manager, dep));
    if (!found) {
      results.push({ pin, status: "uncovered", problem: "no Renovate manager extracts it" });
      continue;
    }
    const { manager, dep } = found;
    const applied = await rules({ ...dep, manager, packageFile: pin.file });
    const disabled = applied.enabled === false;
    if (pin.own) {
      results.push(
        disabled
          ? { pin, status: "excluded", manager }
          : { pin, status: "uncovered", problem: "an app image that no package rule excludes: CI and promotion own it" },
      );
    } else if (disabled) {
      results.push({ pin, status: "uncovered", problem: `a package rule turns it off (${manager})` });
    } else if (dep.skipReason && !OFFLINE_SKIPS.has(dep.skipReason)) {
      results.push({ pin, status: "uncovered", problem: `Renovate skips it: ${dep.skipReason} (${manager})` });
    } else {
      const group = typeof applied.groupName === "string" ? applied.groupName : undefined;
      results.push({ pin, status: "updated", manager, source: lookupSource(dep), ...(group ? { group } : {}) });
    }
  }
  return results;
}

/** Where Renovate looks new versions up: the datasource, and the registry when the pin names one. */
const lookupSource = (dep: ExtractedDep) => [dep.datasource ?? "(its manager's default)", ...(dep.registryUrls ?? [])].join(" ");

/** One line for a pin: where it is and what it pins. */
export const describePin = (pin: Pin) =>
  `${pin.file}:${pin.line} ${pin.name}${pin.value ? ` ${pin.value}` : ""}${pin.digest ? `@${pin.digest.slice(0, 19)}…` : ""}`;
