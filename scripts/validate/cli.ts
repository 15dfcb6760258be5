/** The command line of npm run validate (scripts/validate.ts says what it does). */
import { readFileSync } from "node:fs";
import { performance } from "node:perf_hooks";
import { findRenderer, formatProblem, kubernetesVersions, renderTargets, validateSources } from "./index.js";

const USAGE = "usage: npm run validate [-- [--timing] [--schema-only] [FILE... | -]]";
const OPTIONS = new Set(["--timing", "--schema-only"]);

function readInput(file: string): { source: string; text: string } {
  try {
    return { source: file === "-" ? "stdin" : file, text: readFileSync(file === "-" ? 0 : file, "utf8") };
  } catch (error) {
    throw new Error(`cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
}

export async function main(argv: string[]): Promise<number> {
  if (argv.includes("--help") || argv.includes("-h")) {
    console.log(USAGE);
    return 0;
  }
  const unknown = argv.find((a) => a.startsWith("-") && a !== "-" && !OPTIONS.has(a));
  if (unknown) {
    console.error(`unknown option ${unknown}\n${USAGE}`);
    return 1;
  }
  const timing = argv.includes("--timing");
  const schemaOnly = argv.includes("--schema-only");
  const files = argv.filter((a) => !OPTIONS.has(a));

  const started = performance.now();
  let inputs: { source: string; text: string }[];
  let renderer = "files";
  if (files.length > 0) {
    inputs = files.map(readInput);
  } else {
    const kustomize = findRenderer();
    renderer = `${kustomize.name} (Kustomize)`;
    inputs = await Promise.all(renderTargets(".").map(async (dir) => ({ source: dir, text: await kustomize.render(dir) })));
  }
  const rendered = performance.now();
  const cpuBefore = process.cpuUsage();
  const results = await validateSources(inputs, { repoRoot: ".", schemaOnly });
  const done = performance.now();
  // CPU time as well as wall time: on a busy machine the wall time mostly measures the others.
  const cpu = process.cpuUsage(cpuBefore);

  const problems = results.flatMap((r) => r.problems);
  for (const problem of problems) console.log(formatProblem(problem));
  const resources = results.reduce((n, r) => n + r.manifests.length, 0);
  console.log(
    `validate: ${results.length} sources (${results.map((r) => r.source).join(", ")}), ${resources} resources, ` +
      `${problems.length} problem${problems.length === 1 ? "" : "s"} ` +
      `[schemas: Kubernetes ${kubernetesVersions().join(" and ")}${schemaOnly ? ", schema only" : ""}; input: ${renderer}]`,
  );
  if (timing) {
    const ms = (n: number) => `${n.toFixed(0)} ms`;
    console.log(
      `timing: input ${ms(rendered - started)}, checks ${ms(done - rendered)} (CPU ${ms((cpu.user + cpu.system) / 1000)}), total ${ms(done - started)}`,
    );
  }
  return problems.length === 0 ? 0 : 1;
}
