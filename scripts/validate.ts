/**
 * `npm run validate`: renders every overlay and argocd/ and validates all of it offline, as
 * `kubeconform -strict` would, plus the project's policy and reference checks.
 * `npm run validate -- FILE...` validates already-rendered multi-document YAML ("-" = stdin).
 * Prints one line per problem and a summary; exits 0 when valid, 1 otherwise.
 */
import { readFileSync } from "node:fs";
import { performance } from "node:perf_hooks";
import {
  KUBERNETES_VERSION,
  type SourceResult,
  findRenderer,
  formatProblem,
  pathRenderer,
  renderTargets,
  validateStream,
} from "./validate/index.js";

const USAGE = "usage: npm run validate [-- [--timing] [FILE... | -]]";

async function main(argv: string[]): Promise<number> {
  const timing = argv.includes("--timing");
  const files = argv.filter((a) => a !== "--timing");
  const unknown = files.find((f) => f.startsWith("--"));
  if (unknown) {
    console.error(`unknown option ${unknown}\n${USAGE}`);
    return 1;
  }
  const started = performance.now();
  const renderPath = pathRenderer(".");
  let inputs: { source: string; text: string }[];
  let renderer = "files";
  if (files.length > 0) {
    inputs = files.map((file) => ({ source: file === "-" ? "stdin" : file, text: readFileSync(file === "-" ? 0 : file, "utf8") }));
  } else {
    const kustomize = findRenderer();
    renderer = `${kustomize.name} (Kustomize)`;
    const targets = renderTargets(".");
    inputs = await Promise.all(targets.map(async (dir) => ({ source: dir, text: await kustomize.render(dir) })));
  }
  const rendered = performance.now();
  const results: SourceResult[] = await Promise.all(
    inputs.map(({ source, text }) => validateStream(text, source, { repoRoot: ".", renderPath })),
  );
  const problems = results.flatMap((r) => r.problems);
  for (const problem of problems) console.log(formatProblem(problem));
  const resources = results.reduce((n, r) => n + r.manifests.length, 0);
  console.log(
    `validate: ${results.length} sources (${results.map((r) => r.source).join(", ")}), ${resources} resources, ` +
      `${problems.length} problem${problems.length === 1 ? "" : "s"} [schemas: Kubernetes ${KUBERNETES_VERSION}; input: ${renderer}]`,
  );
  if (timing) {
    const done = performance.now();
    console.log(`timing: input ${(rendered - started).toFixed(0)} ms, checks ${(done - rendered).toFixed(0)} ms, total ${(done - started).toFixed(0)} ms`);
  }
  return problems.length === 0 ? 0 : 1;
}

main(process.argv.slice(2)).then(
  (code) => (process.exitCode = code),
  (error: Error) => {
    console.error(error.message);
    process.exitCode = 1;
  },
);
