/**
 * components/manual-secret: every overlay renders and validates with it (and, in validate.test.ts,
 * without it); with it the overlay needs no External Secrets CRD and ships no credential, and the
 * backend reads the Secret created by hand.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parse, parseAllDocuments, stringify } from "yaml";
import { MANUAL_SECRETS_ANNOTATION } from "../../scripts/validate/references.js";
import { findRenderer, formatProblem, validateStream } from "../../scripts/validate/index.js";
import { uriSecretRef } from "../helpers/uri-secret.js";
import { copyManifests } from "../helpers/repo-copy.js";

type Obj = { kind: string; apiVersion: string; metadata: { name: string; annotations?: Record<string, string> }; spec?: any };

const COMPONENT = "../../components/manual-secret";
const copy = copyManifests();
afterAll(() => copy.remove());

async function renderWithComponent(overlay: string) {
  const path = join(copy.path, "overlays", overlay, "kustomization.yaml");
  const kustomization = parse(readFileSync(join("overlays", overlay, "kustomization.yaml"), "utf8")) as { components?: string[] };
  kustomization.components = [...(kustomization.components ?? []), COMPONENT];
  writeFileSync(path, stringify(kustomization));
  const text = await findRenderer().render(join(copy.path, "overlays", overlay));
  return { text, objects: parseAllDocuments(text).map((d) => d.toJS() as Obj) };
}

// Each test renders and validates a whole overlay: seconds, more on a busy machine.
describe.each(["dev", "prod", "local"])("overlays/%s with components/manual-secret", { timeout: 30_000 }, (overlay) => {
  it("renders and validates with no problem, and the backend reads a Secret listed as made by hand", async () => {
    const { text, objects } = await renderWithComponent(overlay);
    const { problems } = await validateStream(text, `overlays/${overlay}`);
    expect(problems.map(formatProblem)).toEqual([]);
    expect(objects.some((o) => o.apiVersion.startsWith("external-secrets.io/"))).toBe(false);
    const backend = objects.find((o) => o.kind === "Deployment" && o.metadata.name === "guestbook-backend")!;
    const uri = uriSecretRef(backend.spec.template.spec);
    expect(backend.metadata.annotations?.[MANUAL_SECRETS_ANNOTATION]).toBe("guestbook-mongodb");
    if (overlay !== "local") {
      // The Secret exists only in the cluster: nothing in the overlay provides it.
      expect(uri).toEqual({ name: "guestbook-mongodb", key: "uri" });
      expect(objects.filter((o) => o.kind === "Secret")).toEqual([]);
    }
  });
});
