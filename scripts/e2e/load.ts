/**
 * `npm run e2e:load -- URL`: steady reads and signatures against URL until SIGINT/SIGTERM or
 * --max-seconds, then reads every acknowledged signature back. Prints the counts and the
 * slowest request; exits 1 on any failed request or any lost signature. The kind end-to-end
 * run starts it in the background around each rollout.
 */
import { parseArgs } from "node:util";
import { missingEntries, startTraffic } from "./traffic.js";

const USAGE = "usage: npm run e2e:load -- URL [--readers N] [--signs-per-minute N] [--max-seconds N] [--max-requests N] [--fail-on-429]";

function options(argv: string[]) {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      readers: { type: "string", default: "4" },
      "signs-per-minute": { type: "string", default: "20" },
      "max-seconds": { type: "string", default: "600" },
      "max-requests": { type: "string", default: "500000" },
      // For a run whose sign rate is set below the API's limit: then a 429 is a failure too.
      "fail-on-429": { type: "boolean", default: false },
    },
  });
  const url = positionals[0];
  if (positionals.length !== 1 || !url || !/^https?:\/\/[^/]+$/.test(url)) throw new Error(`expected one base URL such as http://localhost:8080\n${USAGE}`);
  const number = (name: keyof typeof values) => {
    const value = Number(values[name]);
    if (!Number.isInteger(value) || value < 0) throw new Error(`--${name} must be a whole number (got "${values[name]}")`);
    return value;
  };
  return {
    url,
    readers: number("readers"),
    signsPerMinute: number("signs-per-minute"),
    maxSeconds: number("max-seconds"),
    maxRequests: number("max-requests"),
    failOn429: values["fail-on-429"],
    requestTimeoutMs: 10_000,
  };
}

async function main(argv: string[]): Promise<number> {
  const settings = options(argv);
  const traffic = startTraffic(settings);
  process.once("SIGINT", traffic.stop);
  process.once("SIGTERM", traffic.stop);
  // From here on a signal stops the load gracefully: whoever started it may begin the disruption.
  console.log(`started: ${settings.readers} readers and ${settings.signsPerMinute} signs a minute against ${settings.url}, until SIGINT, SIGTERM or ${settings.maxSeconds} s`);
  const report = await traffic.done;
  const missing = await missingEntries(settings.url, report.acknowledged).catch((error: Error) => [`(${error.message})`]);
  for (const failure of report.failures) console.log(`failed: ${failure.at} ${failure.request} → ${failure.outcome}`);
  for (const id of missing) console.log(`lost: acknowledged signature ${id} is not in the book`);
  console.log(
    `load: ${report.requests} requests in ${report.seconds.toFixed(1)} s (${report.reads} reads, ${report.signs} signs, ` +
      `${report.acknowledged.length} acknowledged), ${report.failures.length} failed, ${report.rateLimited} rate limited (429), ` +
      `${missing.length} lost, slowest ${report.slowestMs.toFixed(0)} ms`,
  );
  if (settings.failOn429 && report.rateLimited > 0) console.log(`failed: ${report.rateLimited} signs were rate limited although the sign rate was meant to stay below the limit (--fail-on-429)`);
  return report.failures.length === 0 && missing.length === 0 && !(settings.failOn429 && report.rateLimited > 0) ? 0 : 1;
}

main(process.argv.slice(2)).then(
  (code) => (process.exitCode = code),
  (error: Error) => {
    console.error(`e2e:load: ${error.message}`);
    process.exitCode = 2;
  },
);
