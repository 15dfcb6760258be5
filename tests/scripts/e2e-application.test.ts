/**
 * The Argo CD objects the kind end-to-end run applies: generated from the run's repository and
 * revision, valid for the repository's own validator, and fenced to what overlays/local deploys.
 */
import { spawnSync } from "node:child_process";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { APPLICATION, argoCdObjects, checkSource, kindsOf, toYaml } from "../../scripts/e2e/argocd-application.js";
import { parseManifests } from "../../scripts/validate/documents.js";
import { findRenderer, formatProblem, validateStream } from "../../scripts/validate/index.js";

const FORK = { repoURL: "https://github.com/someone/guestbook-gitops.git", revision: "0123456789abcdef0123456789abcdef01234567" };

function generate(...args: string[]) {
  const result = spawnSync(resolve("node_modules/.bin/tsx"), ["scripts/e2e/application.ts", ...args], { encoding: "utf8", timeout: 60_000 });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

const renderLocal = async () => parseManifests(await findRenderer().render("overlays/local"), "overlays/local").manifests;

type Objects = { kind: string; metadata: { name: string }; spec: Record<string, any> }[];

describe("npm run e2e:application", () => {
  it("prints an AppProject then an Application that the repository's validator accepts", async () => {
    const { code, stdout, stderr } = generate("--repo", FORK.repoURL, "--revision", FORK.revision);
    expect(stderr).toBe("");
    expect(code).toBe(0);
    const objects = parseAllDocuments(stdout).map((d) => d.toJS()) as Objects;
    expect(objects.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual([`AppProject/${APPLICATION}`, `Application/${APPLICATION}`]);
    const { problems, manifests } = await validateStream(stdout, "e2e:application");
    expect(problems.map(formatProblem)).toEqual([]);
    expect(manifests).toHaveLength(2);
  });

  it("syncs overlays/local from exactly the given repository and revision, pruning and self-healing", async () => {
    const [project, app] = argoCdObjects(FORK, await renderLocal()) as Objects;
    expect(app!.spec.source).toEqual({ repoURL: FORK.repoURL, targetRevision: FORK.revision, path: "overlays/local" });
    expect(app!.spec.syncPolicy.automated).toEqual({ prune: true, selfHeal: true });
    expect(app!.spec.destination).toEqual({ server: "https://kubernetes.default.svc", namespace: "guestbook-local" });
    expect(project!.spec.sourceRepos).toEqual([FORK.repoURL]);
    expect(project!.spec.destinations).toEqual([app!.spec.destination]);
  });

  it("lets the project deploy every kind overlays/local renders to, and nothing cluster-wide but its Namespace", async () => {
    const rendered = await renderLocal();
    const [project] = argoCdObjects(FORK, rendered) as Objects;
    const allowed = [...project!.spec.clusterResourceWhitelist, ...project!.spec.namespaceResourceWhitelist].map((g: { kind: string }) => g.kind);
    expect(new Set(allowed)).toEqual(new Set(rendered.map((m) => String(m.object.kind))));
    expect(project!.spec.clusterResourceWhitelist).toEqual([{ group: "", kind: "Namespace" }]);
    expect(allowed).toEqual(expect.arrayContaining(["StatefulSet", "HTTPRoute", "Secret"]));
    expect(allowed).not.toContain("Ingress");
  });

  it("is refused by the validator when the project would not allow a kind the overlay deploys", async () => {
    const rendered = await renderLocal();
    const withoutStatefulSet = rendered.filter((m) => m.object.kind !== "StatefulSet");
    const objects = argoCdObjects(FORK, withoutStatefulSet);
    const { problems } = await validateStream(toYaml(objects), "e2e:application");
    expect(problems.map((p) => p.rule)).toEqual(["argocd/resource-whitelist"]);
    expect(problems[0]!.message).toContain("apps/StatefulSet");
  });

  it("names the config management plugin that renders the overlay, when given one, and still validates", async () => {
    const { code, stdout } = generate("--repo", FORK.repoURL, "--revision", FORK.revision, "--plugin", "guestbook-local-inputs");
    expect(code).toBe(0);
    const app = (parseAllDocuments(stdout).map((d) => d.toJS()) as Objects)[1]!;
    expect(app.spec.source).toEqual({ repoURL: FORK.repoURL, targetRevision: FORK.revision, path: "overlays/local", plugin: { name: "guestbook-local-inputs" } });
    expect((await validateStream(stdout, "e2e:application")).problems.map(formatProblem)).toEqual([]);
  });

  it("accepts the run's own git server and a branch to follow", () => {
    expect(() => checkSource({ repoURL: "http://172.18.0.1:8419/guestbook.git", revision: "e2e" })).not.toThrow();
  });

  it.each([
    [["--repo", "git@github.com:someone/guestbook-gitops.git", "--revision", FORK.revision], /^e2e:application: --repo "git@github\.com:someone\/guestbook-gitops\.git" is not a URL/],
    [["--repo", "file:///srv/guestbook.git", "--revision", FORK.revision], /^e2e:application: --repo "file:\/\/\/srv\/guestbook\.git" must be an http\(s\) URL/],
    [["--repo", "https://token:x@github.com/a/b.git", "--revision", FORK.revision], /without credentials/],
    [["--repo", FORK.repoURL, "--revision", "0123abc"], /^e2e:application: --revision "0123abc" must be a full 40-character commit SHA or a branch name/],
    [["--repo", FORK.repoURL, "--revision=--force"], /--revision "--force"/],
    [["--repo", FORK.repoURL], /^e2e:application: expected --repo and --revision\nusage: /],
    [["--repo", FORK.repoURL, "--revision", FORK.revision, "--plugin", "Local Inputs"], /^e2e:application: --plugin "Local Inputs" is not a plugin name/],
  ])("refuses %j with one line and prints nothing", (args, message) => {
    const { code, stdout, stderr } = generate(...args);
    expect(code).toBe(2);
    expect(stdout).toBe("");
    expect(stderr).toMatch(message);
  });

  it("finds the overlay's namespaces and splits kinds by scope the way Kustomize leaves them", async () => {
    const { namespaces, clusterScoped } = kindsOf(await renderLocal());
    expect(namespaces).toEqual(["guestbook-local"]);
    expect(clusterScoped.map((g) => g.kind)).toEqual(["Namespace"]);
  });
});
