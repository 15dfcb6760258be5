// A stand-in for kubectl talking to a cluster, for testing scripts/preflight.sh where there is
// no cluster: answers get / api-resources / auth can-i from a JSON state file ($FAKE_CLUSTER),
// passes `kustomize` to the real kubectl ($REAL_KUBECTL), logs every call ($FAKE_KUBECTL_LOG),
// and refuses any other verb, so a test can prove the script only reads.
import { spawnSync } from "node:child_process";
import { appendFileSync, readFileSync } from "node:fs";

const args = process.argv.slice(2);
appendFileSync(process.env.FAKE_KUBECTL_LOG, `${JSON.stringify(args)}\n`);
const state = JSON.parse(readFileSync(process.env.FAKE_CLUSTER, "utf8"));

const out = (text) => process.stdout.write(text);
const fail = (text, code = 1) => {
  process.stderr.write(`${text}\n`);
  process.exit(code);
};

if (args[0] === "kustomize") {
  const real = spawnSync(process.env.REAL_KUBECTL, args, { encoding: "utf8", maxBuffer: 32 * 1024 * 1024 });
  out(real.stdout);
  process.stderr.write(real.stderr);
  process.exit(real.status ?? 1);
}
if (args[0] === "config" && args[1] === "current-context") {
  out("fake\n");
  process.exit(0);
}
if (state.unreachable) fail("The connection to the server 127.0.0.1:6443 was refused - did you specify the right host or port?");

if (args[0] === "api-resources") {
  out(state.apiResources.map((r) => `${r}\n`).join(""));
  process.exit(0);
}
if (args[0] === "auth" && args[1] === "can-i") {
  const allowed = (state.canI ?? []).includes(args.slice(2).join(" "));
  out(allowed ? "yes\n" : "no\n");
  process.exit(allowed ? 0 : 1);
}
if (args[0] !== "get") fail(`fake kubectl: refusing "${args[0]}": preflight must only read`, 99);

// get KIND [NAME] [-n NS] [-l SELECTOR] [-o OUTPUT]
const flags = {};
const positional = [];
for (let i = 1; i < args.length; i++) {
  if (["-n", "-l", "-o"].includes(args[i])) flags[args[i]] = args[++i];
  else positional.push(args[i]);
}
const [kind, name] = positional;
const namespace = flags["-n"] ?? "";
if (kind === "pods") {
  out((state.pods?.[`${namespace}/${flags["-l"]}`] ?? []).map((p) => `pod/${p}\n`).join(""));
  process.exit(0);
}
if (kind === "storageclass" && !name) {
  out((state.storageClasses ?? []).map((sc) => `${sc.default ? "true" : ""}\n`).join(""));
  process.exit(0);
}
const object = state.objects?.[`${kind}/${namespace}/${name}`];
if (!object) fail(`Error from server (NotFound): ${kind} "${name}" not found`);
const output = flags["-o"] ?? "";
if (output.includes('type=="Ready"')) out(object.ready ? "True" : "False");
else if (output.includes('type=="Available"')) out(object.available ? "True" : "False");
else if (!output) out(`NAME\n${name}\n`);
process.exit(0);
