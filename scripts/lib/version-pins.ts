/**
 * Every version pin in the repository, found without Renovate: base images, actions, images in
 * workflows and manifests, Go tools installed by CI, `NAME_VERSION` pins in scripts, .nvmrc,
 * package.json files, and the charts and release manifests the docs' install commands pin.
 * tests/scripts/renovate.test.ts proves each is updated by some Renovate manager.
 */
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { basename } from "node:path";
import { parse, parseAllDocuments } from "yaml";

export type PinKind = "image" | "action" | "go-tool" | "version" | "nvmrc" | "npm" | "chart" | "manifest";

export interface Pin {
  file: string;
  line: number;
  kind: PinKind;
  /** Image repository, action, Go module, variable, package or chart name (an OCI chart's path), GitHub repository. */
  name: string;
  /** Tag, version or range as written (an action's from its `# vX.Y.Z` comment). */
  value: string;
  /** `sha256:…` of an image, or an action's commit SHA. */
  digest?: string;
  /** One of the app's own images (set by CI and promotion, never by Renovate). */
  own?: boolean;
}

/**
 * `NAME_VERSION` pins that are policy, not "the newest release": Renovate must not move them.
 * Each needs a reason; any other `*_VERSION` pin must carry a `# renovate:` comment.
 */
export const POLICY_PINS: Record<string, string> = {
  UPSTREAM_VERSIONS:
    "the Kubernetes versions kubeconform checks follow upstream's support window (oldest supported and newest released minor), a decision for people, not the newest release",
};

/** Where Renovate does not look (config:recommended's ignorePaths): the tests and their fixtures. */
const IGNORED = /^(tests|node_modules)\/|\/node_modules\//;

/** Files git tracks, as Renovate sees a repository. */
export function trackedFiles(root = "."): string[] {
  return execFileSync("git", ["ls-files", "-z"], { cwd: root, encoding: "utf8" })
    .split("\0")
    .filter((f) => f && !IGNORED.test(f));
}

const IMAGE = /^(?<name>[\w.-]+(?::\d+)?(?:\/[\w.-]+)*)(?::(?<tag>[\w][\w.-]*))?(?:@(?<digest>sha256:[0-9a-f]{64}))?$/;

/** `registry/name:tag@sha256:…` split into its parts, or null when it is not an image reference. */
export function parseImage(reference: string): { name: string; tag?: string; digest?: string } | null {
  const match = IMAGE.exec(reference.trim().replace(/^["']|["']$/g, ""));
  if (!match?.groups) return null;
  const { name, tag, digest } = match.groups;
  return { name: name!, ...(tag ? { tag } : {}), ...(digest ? { digest } : {}) };
}

const lines = (text: string) => text.split("\n").map((line, i) => ({ text: line, line: i + 1 }));

function imagePin(file: string, line: number, reference: string, ownNames: Set<string>): Pin | null {
  const image = parseImage(reference);
  if (!image) return null;
  return {
    file,
    line,
    kind: "image",
    name: image.name,
    value: image.tag ?? "",
    ...(image.digest ? { digest: image.digest } : {}),
    ...(ownNames.has(image.name) ? { own: true } : {}),
  };
}

/** FROM images (directly or through an ARG default) and the `# syntax=` frontend. */
function dockerfilePins(file: string, text: string, ownNames: Set<string>): Pin[] {
  const pins: Pin[] = [];
  const args = new Map<string, { value: string; line: number }>();
  const stages = new Set<string>();
  for (const { text: raw, line } of lines(text)) {
    const syntax = /^#\s*syntax=(\S+)/.exec(raw);
    const frontend = syntax && imagePin(file, line, syntax[1]!, ownNames);
    if (frontend) pins.push(frontend);
    const arg = /^ARG\s+(\w+)=(\S+)/i.exec(raw);
    if (arg) args.set(arg[1]!, { value: arg[2]!, line });
    const from = /^FROM\s+(?:--platform=\S+\s+)?(\S+)(?:\s+AS\s+(\S+))?/i.exec(raw);
    if (!from) continue;
    const variable = /^\$\{?(\w+)\}?$/.exec(from[1]!);
    const source = variable ? args.get(variable[1]!) : { value: from[1]!, line };
    if (source && !stages.has(source.value) && source.value !== "scratch") {
      const pin = imagePin(file, source.line, source.value, ownNames);
      if (pin && !pins.some((p) => p.line === pin.line)) pins.push(pin);
    }
    if (from[2]) stages.add(from[2]);
  }
  return pins;
}

/** Actions by SHA and version comment, job and service images, and `go install` tools. */
function workflowPins(file: string, text: string, ownNames: Set<string>): Pin[] {
  const pins: Pin[] = [];
  for (const { text: raw, line } of lines(text)) {
    const uses = /^\s*-?\s*uses:\s*["']?([^\s"'@]+)@([^\s"']+)["']?\s*(?:#\s*(\S+))?/.exec(raw);
    if (uses && !uses[1]!.startsWith("./")) {
      const [, name, ref, comment] = uses;
      const sha = /^[0-9a-f]{40}$/.test(ref!);
      pins.push({ file, line, kind: "action", name: name!, value: sha ? (comment ?? "") : ref!, ...(sha ? { digest: ref! } : {}) });
    }
    const image = /^\s*-?\s*image:\s*(\S+)/.exec(raw);
    const pin = image && !image[1]!.includes("${{") && imagePin(file, line, image[1]!, ownNames);
    if (pin) pins.push(pin);
    for (const tool of raw.matchAll(/go install ([^\s@]+)@(\S+)/g)) {
      pins.push({ file, line, kind: "go-tool", name: tool[1]!, value: tool[2]! });
    }
  }
  return pins;
}

/** `image:` in any manifest, and the entries of a kustomization's `images:`. */
function manifestPins(file: string, text: string, ownNames: Set<string>): Pin[] {
  const pins: Pin[] = [];
  for (const { text: raw, line } of lines(text)) {
    const image = /^\s*-?\s*image:\s*(\S+)/.exec(raw);
    const pin = image && imagePin(file, line, image[1]!, ownNames);
    if (pin) pins.push(pin);
  }
  if (basename(file).startsWith("kustomization.")) {
    const entries = ((parse(text) ?? {}) as { images?: { name: string; newName?: string; newTag?: string; digest?: string }[] }).images ?? [];
    for (const entry of entries) {
      const line = text.split("\n").findIndex((l) => l.includes(`name: ${entry.name}`)) + 1;
      pins.push({
        file,
        line,
        kind: "image",
        name: entry.newName ?? entry.name,
        value: entry.newTag ?? "",
        ...(entry.digest ? { digest: entry.digest } : {}),
        ...(ownNames.has(entry.name) ? { own: true } : {}),
      });
    }
  }
  return pins;
}

/** `NAME_VERSION=…` (shell, Dockerfile ARG, workflow env) or `NAME_VERSION = "…"` (TypeScript). */
function versionPins(file: string, text: string): Pin[] {
  const pins: Pin[] = [];
  for (const { text: raw, line } of lines(text)) {
    const match = /^\s*(?:[A-Za-z]+\s+)*([A-Z0-9_]+_VERSIONS?)\s*[=:]\s*(.+?)\s*;?\s*(?:#.*)?$/.exec(raw);
    if (!match) continue;
    // A literal, possibly as a shell default (`${NAME:-1.2.3}`); a reference to another variable is not a pin.
    // A shell array of versions (`NAME_VERSIONS=(1.35.0 1.37.0)`) is one pin.
    const literal =
      /^["']?(?:\$\{\w+:-)?([^"'${}\s]*\d[^"'${}\s]*)\}?["']?$/.exec(match[2]!) ?? /^\(([\d.\sv]*\d)\)$/.exec(match[2]!);
    if (!literal) continue;
    const [value, digest] = literal[1]!.split("@") as [string, string | undefined];
    pins.push({ file, line, kind: "version", name: match[1]!, value, ...(digest ? { digest } : {}) });
  }
  return pins;
}

/**
 * Install commands in the docs' code blocks, each logical line (backslash continuations joined):
 * `helm install|upgrade --install RELEASE CHART --version X` (CHART as written: `repo/chart`, a
 * chart name with `--repo URL`, or `oci://…`), and `-f https://raw.githubusercontent.com/OWNER/REPO/vX/…`.
 */
function docPins(file: string, text: string): Pin[] {
  const pins: Pin[] = [];
  let start = 0;
  let command = "";
  let inCode = false;
  for (const { text: raw, line } of lines(text)) {
    if (/^\s*```/.test(raw)) inCode = !inCode;
    if (!inCode) continue;
    if (!command) start = line;
    command += raw.endsWith("\\") ? `${raw.slice(0, -1)} ` : raw;
    if (raw.endsWith("\\")) continue;
    const helm = /\bhelm\s+(?:upgrade\s+--install|install)\s+(\S+)\s+(\S+)(.*)/.exec(command);
    const version = helm && /\s--version[\s=]+(\S+)/.exec(helm[3]!);
    if (helm && version) pins.push({ file, line: start, kind: "chart", name: helm[2]!.replace(/^oci:\/\//, ""), value: version[1]! });
    for (const manifest of command.matchAll(/\s-f\s+https:\/\/raw\.githubusercontent\.com\/([^/\s]+\/[^/\s]+)\/(v?\d[^/\s]*)\//g)) {
      pins.push({ file, line: start, kind: "manifest", name: manifest[1]!, value: manifest[2]! });
    }
    command = "";
  }
  return pins;
}

function packageJsonPins(file: string, text: string): Pin[] {
  const pkg = JSON.parse(text) as Record<string, Record<string, string> | undefined>;
  return (["dependencies", "devDependencies", "optionalDependencies"] as const).flatMap((field) =>
    Object.entries(pkg[field] ?? {}).map(([name, range]) => ({
      file,
      line: text.split("\n").findIndex((l) => l.includes(`"${name}":`)) + 1,
      kind: "npm" as const,
      name,
      value: range,
    })),
  );
}

/** The app's own images: the ones base/'s workloads name and the overlays point elsewhere. */
export function ownImageNames(root = "."): Set<string> {
  const names = new Set<string>();
  for (const file of trackedFiles(root).filter((f) => /^base\/.+\.ya?ml$/.test(f))) {
    for (const doc of parseAllDocuments(readFileSync(`${root}/${file}`, "utf8"))) {
      const spec = (doc.toJS() as { spec?: { template?: { spec?: { containers?: { image?: string }[] } } } } | null)?.spec;
      for (const container of spec?.template?.spec?.containers ?? []) {
        const image = container.image && parseImage(container.image);
        if (image) names.add(image.name);
      }
    }
  }
  return names;
}

/** Every version pin in the repository at `root`. */
export function findPins(root = "."): Pin[] {
  const ownNames = ownImageNames(root);
  const pins: Pin[] = [];
  for (const file of trackedFiles(root)) {
    const read = () => readFileSync(`${root}/${file}`, "utf8");
    if (/(^|\/)(Dockerfile|Containerfile)[^/]*$/.test(file)) pins.push(...dockerfilePins(file, read(), ownNames), ...versionPins(file, read()));
    else if (/^\.github\/workflows\/.+\.ya?ml$/.test(file)) pins.push(...workflowPins(file, read(), ownNames), ...versionPins(file, read()));
    else if (/^(base|components|overlays|argocd)\/.+\.ya?ml$/.test(file)) pins.push(...manifestPins(file, read(), ownNames));
    else if (/^scripts\/.+\.(sh|ts)$/.test(file) || file === ".ci/run") pins.push(...versionPins(file, read()));
    else if (file === ".nvmrc") pins.push({ file, line: 1, kind: "nvmrc", name: "node", value: read().trim() });
    else if (basename(file) === "package.json") pins.push(...packageJsonPins(file, read()));
    else if (file === "README.md" || /^docs\/.+\.md$/.test(file)) pins.push(...docPins(file, read()));
  }
  return pins;
}
