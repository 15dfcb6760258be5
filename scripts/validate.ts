/**
 * `npm run validate`: renders every overlay and argocd/ and validates all of it offline, as
 * `kubeconform -strict` would against each targeted Kubernetes version, plus the project's
 * policy, reference and Argo CD checks.
 * `npm run validate -- FILE...` validates already-rendered multi-document YAML ("-" = stdin);
 * `--schema-only` keeps to YAML and schemas, for files that are not this repository's overlays.
 * Prints one line per problem and a summary; exits 0 when valid, 1 otherwise.
 */
import module from "node:module";

// V8 keeps the compiled code of the precompiled validators (megabytes of JavaScript) and the
// YAML parser between runs (in the OS temp folder), so later runs skip compiling them.
module.enableCompileCache?.();
const { main } = await import("./validate/cli.js");

main(process.argv.slice(2)).then(
  (code) => (process.exitCode = code),
  (error: Error) => {
    console.error(error.message);
    process.exitCode = 1;
  },
);
