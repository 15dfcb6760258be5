/** The Git change the kind end-to-end run commits: one replica count, the rest of the file kept, rendered for real. */
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { setReplicas } from "../../scripts/e2e/set-replicas.js";
import { findRenderer } from "../../scripts/validate/index.js";
import { copyManifests } from "../helpers/repo-copy.js";

let copy: ReturnType<typeof copyManifests> | undefined;
afterEach(() => copy?.remove());

const run = (...args: string[]) => spawnSync(resolve("node_modules/.bin/tsx"), ["scripts/e2e/set-replicas.ts", ...args], { encoding: "utf8" });

async function renderedReplicas(overlay: string): Promise<Record<string, number>> {
  const docs = parseAllDocuments(await findRenderer().render(overlay)).map((d) => d.toJS() as { kind: string; metadata: { name: string }; spec: { replicas?: number } });
  return Object.fromEntries(docs.filter((d) => d.kind === "Deployment").map((d) => [d.metadata.name, d.spec.replicas!]));
}

describe("npm run e2e:set-replicas", () => {
  it("scales one Deployment of the overlay and leaves the other as it was", async () => {
    copy = copyManifests();
    const overlay = join(copy.path, "overlays/local");
    const before = await renderedReplicas(overlay);
    const result = run(overlay, "guestbook-backend=2");
    expect(result.stderr).toBe("");
    expect(result.status).toBe(0);
    expect(await renderedReplicas(overlay)).toEqual({ ...before, "guestbook-backend": 2 });
    expect(before["guestbook-backend"]).not.toBe(2);
  });

  it("changes only the count's line; comments and layout stay", () => {
    const text = readFileSync("overlays/local/kustomization.yaml", "utf8");
    const changed = setReplicas(text, new Map([["guestbook-backend", 2]]));
    const differing = changed.split("\n").filter((line, i) => line !== text.split("\n")[i]);
    expect(differing).toEqual(["    count: 2"]);
    expect(changed.split("\n")).toHaveLength(text.split("\n").length);
  });

  it.each([
    [["guestbook-nothing=2"], /^e2e:set-replicas: no replicas: entry named "guestbook-nothing" \(has guestbook-backend, guestbook-frontend\)\n$/],
    [["guestbook-backend=two"], /^e2e:set-replicas: "guestbook-backend=two" is not NAME=COUNT\n$/],
    [[], /^e2e:set-replicas: usage: /],
  ])("refuses %j with one line and changes nothing", (assignments, message) => {
    copy = copyManifests();
    const file = join(copy.path, "overlays/local/kustomization.yaml");
    const before = readFileSync(file, "utf8");
    const result = run(...(assignments.length ? [join(copy.path, "overlays/local"), ...assignments] : []));
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(message);
    expect(readFileSync(file, "utf8")).toBe(before);
  });

  it("names a folder without a kustomization.yaml", () => {
    const result = run("/nonexistent/overlay", "guestbook-backend=2");
    expect(result.status).toBe(1);
    expect(result.stderr).toBe("e2e:set-replicas: /nonexistent/overlay/kustomization.yaml cannot be read\n");
  });
});
