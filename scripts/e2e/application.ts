/**
 * `npm run --silent e2e:application -- --repo URL --revision REV`: prints the AppProject and
 * Application that make Argo CD sync overlays/local from REV of URL, for `kubectl apply -f -`.
 * The project allows exactly the kinds the overlay renders to here; --plugin names the config
 * management plugin that renders it instead of Argo CD's built-in Kustomize.
 */
import { parseArgs } from "node:util";
import { parseManifests } from "../validate/documents.js";
import { findRenderer } from "../validate/render.js";
import { E2eInputError, OVERLAY, argoCdObjects, toYaml } from "./argocd-application.js";

const USAGE = "usage: npm run --silent e2e:application -- --repo URL --revision SHA|BRANCH [--plugin NAME]";

async function main(argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { repo: { type: "string" }, revision: { type: "string" }, plugin: { type: "string" } },
  });
  if (!values.repo || !values.revision || positionals.length > 0) throw new E2eInputError(`expected --repo and --revision\n${USAGE}`);
  const { manifests, problems } = parseManifests(await findRenderer().render(OVERLAY), OVERLAY);
  if (problems.length > 0) throw new Error(`${OVERLAY} did not render to valid YAML: ${problems[0]!.message}`);
  const source = { repoURL: values.repo, revision: values.revision, ...(values.plugin !== undefined ? { plugin: values.plugin } : {}) };
  process.stdout.write(toYaml(argoCdObjects(source, manifests)));
}

main(process.argv.slice(2)).catch((error: Error) => {
  console.error(`e2e:application: ${error.message}`);
  process.exitCode = 2;
});
