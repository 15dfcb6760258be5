/**
 * The validator gives the verdict `kubeconform -strict` gives on the situations kubeconform's
 * own fixtures test (rewritten in kubeconform-cases/; its README says from where).
 */
import { spawnSync } from "node:child_process";
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { formatProblem, validateStream } from "../../scripts/validate/index.js";

const CASES = "tests/manifests/kubeconform-cases";
const cases = (verdict: "valid" | "invalid") =>
  readdirSync(join(CASES, verdict)).map((file) => ({ file, text: readFileSync(join(CASES, verdict, file), "utf8") }));

// JSON has no comments to say how many resources a file holds.
const resourceCount = (file: string, text: string) => Number(/^# resources: (\d+)$/m.exec(text)?.[1] ?? (file.endsWith(".json") ? 1 : NaN));

const schemaOnly = (text: string, file: string) => validateStream(text, file, { schemaOnly: true });

describe("the cases kubeconform -strict accepts", () => {
  it.each(cases("valid"))("$file: no problem, every resource counted", async ({ file, text }) => {
    const { problems, manifests } = await schemaOnly(text, file);
    expect(problems.map(formatProblem)).toEqual([]);
    expect(manifests.length).toBe(resourceCount(file, text));
  });

  it("blank.yaml: an empty file holds no resource and no problem", async () => {
    const { problems, manifests } = await schemaOnly("", "blank.yaml");
    expect([problems, manifests]).toEqual([[], []]);
  });
});

describe("the cases kubeconform -strict refuses", () => {
  it.each(cases("invalid"))("$file: refused, for the reason kubeconform gives", async ({ file, text }) => {
    const { problems } = await schemaOnly(text, file);
    const wanted = [...text.matchAll(/^# expect: ([a-z]+): (.+)$/gm)].map((m) => ({ rule: m[1]!, fragment: m[2]! }));
    expect(wanted.length).toBeGreaterThan(0);
    for (const { rule, fragment } of wanted) {
      expect(
        problems.some((p) => p.rule === rule && p.message.includes(fragment)),
        `expected ${rule}: ${fragment}\ngot:\n${problems.map(formatProblem).join("\n")}`,
      ).toBe(true);
    }
  });
});

describe("npm run validate -- --schema-only", () => {
  const run = (files: string[]) =>
    spawnSync(process.execPath, ["--import", "tsx", "scripts/validate.ts", "--schema-only", ...files], { encoding: "utf8", timeout: 60_000 });

  it("exits 0 on every valid case at once, as kubeconform does on the folder", () => {
    const files = cases("valid").map(({ file }) => join(CASES, "valid", file));
    const { status, stdout } = run(files);
    expect(stdout).toMatch(new RegExp(`^validate: ${files.length} sources \\(.*\\), \\d+ resources, 0 problems`, "m"));
    expect(status).toBe(0);
  });

  it("exits 1 on the invalid cases, with a problem for each of them", () => {
    const files = cases("invalid").map(({ file }) => join(CASES, "invalid", file));
    const { status, stdout } = run(files);
    expect(status).toBe(1);
    for (const file of files) expect(stdout, file).toMatch(new RegExp(`^${file}: .+ \\[(schema|yaml)\\]$`, "m"));
  });
});
