/**
 * scripts/kubeconform.sh checks every render target against the oldest Kubernetes minor in
 * upstream support, the newest release, and every version the offline validator checks. The real
 * kubeconform cannot run here (it downloads its schemas), so a stand-in on PATH records how the
 * script calls it; CI runs the real one.
 */
import { spawnSync } from "node:child_process";
import { chmodSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { tempDir } from "../../scripts/lib/temp-dir.js";
import { kubernetesVersions, renderTargets } from "../../scripts/validate/index.js";

let bin: ReturnType<typeof tempDir>;
beforeEach(() => {
  bin = tempDir("kubeconform-stub-");
  const stub = join(bin.path, "kubeconform");
  // Records its arguments; fails when asked to, so the script's failure path runs too.
  writeFileSync(stub, `#!/bin/sh\necho "$*" >> "${bin.path}/calls"\n[ -z "$STUB_FAIL" ] || case "$*" in *"$STUB_FAIL"*) exit 1;; esac\n`);
  chmodSync(stub, 0o755);
});
afterEach(() => bin.remove());

const run = (env: Record<string, string> = {}) =>
  spawnSync("bash", ["scripts/kubeconform.sh"], {
    encoding: "utf8",
    env: { ...process.env, PATH: `${bin.path}:/usr/bin:/bin`, ...env },
  });
const calls = () => readFileSync(join(bin.path, "calls"), "utf8").trim().split("\n");
const checkedVersions = () => spawnSync("bash", ["scripts/kubeconform.sh", "--versions"], { encoding: "utf8" }).stdout.trim().split("\n");

describe("scripts/kubeconform.sh", () => {
  it("names the versions it checks, oldest first: 1.35 (oldest supported), the validator's, 1.37 (newest)", () => {
    const result = spawnSync("bash", ["scripts/kubeconform.sh", "--versions"], { encoding: "utf8", env: { ...process.env, PATH: "/usr/bin:/bin" } });
    expect(result.status).toBe(0);
    const versions = result.stdout.trim().split("\n");
    expect(versions[0]).toBe("1.35.0");
    expect(versions.at(-1)).toBe("1.37.0");
    for (const version of kubernetesVersions()) expect(versions).toContain(version);
    expect([...versions].sort((a, b) => a.localeCompare(b, "en", { numeric: true }))).toEqual(versions);
    expect(new Set(versions).size).toBe(versions.length);
  });

  it("runs kubeconform -strict on every target against each of those versions", () => {
    const result = run();
    expect(result.stderr).toBe("");
    expect(result.status).toBe(0);
    const versions = checkedVersions();
    const used = calls().map((args) => /-kubernetes-version (\S+)/.exec(args)?.[1]);
    expect(used).toEqual(renderTargets(".").flatMap(() => versions));
    for (const args of calls()) expect(args).toMatch(/^-strict -summary -kubernetes-version \S+ -schema-location default -schema-location \S+ \S+rendered\.yaml$/);
    expect(result.stdout).toContain(`kubeconform: ${renderTargets(".").length * versions.length} checks (every target against Kubernetes ${versions.join(" ")}), 0 failed`);
  });

  it("exits 1 and counts the failures when kubeconform refuses a version", () => {
    const oldest = checkedVersions()[0]!;
    const result = run({ STUB_FAIL: `-kubernetes-version ${oldest} ` });
    expect(result.status).toBe(1);
    expect(result.stdout).toContain(`, ${renderTargets(".").length} failed`);
  });
});
