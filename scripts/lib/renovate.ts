/**
 * Renovate itself, for checking our configuration the way Renovate reads it: its config
 * validator, and its own managers extracting the pins from the repository (offline: the
 * `local` platform with `--dry-run=extract` looks nothing up).
 *
 * The package is large (about 300 MB installed), so it is not a devDependency: it is installed
 * once from the npm registry into a cache folder, without its optional native re2 and without
 * install scripts, and reused from then on.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import JSON5 from "json5";
import { tempDir } from "./temp-dir.js";

// renovate: datasource=npm depName=renovate
export const RENOVATE_VERSION = "44.121.2";

/** Where Renovate looks for a repository's config, in its order; ours is the one that exists. */
const CONFIG_FILES = [
  "renovate.json",
  "renovate.json5",
  ".github/renovate.json",
  ".github/renovate.json5",
  ".gitlab/renovate.json",
  ".gitlab/renovate.json5",
  ".renovaterc",
  ".renovaterc.json",
  ".renovaterc.json5",
];

/** The repository's Renovate config file; there must be exactly one. */
export function configFile(root = "."): string {
  const found = CONFIG_FILES.filter((file) => existsSync(join(root, file)));
  if (found.length !== 1) throw new Error(`expected one Renovate config file, found ${found.length ? found.join(", ") : "none"}`);
  return found[0]!;
}

export function readConfig(root = "."): RenovateConfig {
  return JSON5.parse(readFileSync(join(root, configFile(root)), "utf8")) as RenovateConfig;
}

export interface RenovateConfig {
  customManagers?: { customType: string; managerFilePatterns: string[]; matchStrings: string[] }[];
  packageRules?: Record<string, unknown>[];
  [option: string]: unknown;
}

let installFailure: Error | undefined;

/** The installed renovate package folder, installing it first when this machine has none. */
export function renovatePackage(): string {
  if (installFailure) throw installFailure; // tried once in this process: say so again at once
  const cache = join(process.env.XDG_CACHE_HOME ?? join(homedir(), ".cache"), "guestbook-gitops", `renovate-${RENOVATE_VERSION}`);
  const pkg = join(cache, "node_modules", "renovate");
  if (existsSync(join(pkg, "package.json"))) return pkg;
  // Installed beside, then moved into place, so an interrupted install is never reused.
  mkdirSync(join(cache, ".."), { recursive: true });
  const partial = `${cache}.partial-${process.pid}`;
  const npm = spawnSync(
    "npm",
    [
      "install",
      "--prefix",
      partial,
      "--no-save",
      "--no-audit",
      "--no-fund",
      "--omit=optional",
      "--ignore-scripts",
      "--loglevel=error",
      // A machine without the registry finds out in seconds, not minutes of back-off.
      "--fetch-retry-maxtimeout=10000",
      `renovate@${RENOVATE_VERSION}`,
    ],
    { encoding: "utf8", timeout: 600_000 },
  );
  if (npm.status !== 0) {
    rmSync(partial, { recursive: true, force: true });
    const reason = `${npm.stderr ?? ""}${npm.error?.message ?? ""}`.split("\n").find((l) => /\S/.test(l) && !/^npm (warn|notice)/.test(l));
    installFailure = new Error(
      `renovate@${RENOVATE_VERSION} could not be installed from the npm registry (this check needs it): ${reason ?? `npm exited ${npm.status}`}`,
    );
    throw installFailure;
  }
  if (existsSync(join(pkg, "package.json"))) {
    rmSync(partial, { recursive: true, force: true }); // another process won the race
  } else {
    rmSync(cache, { recursive: true, force: true });
    renameSync(partial, cache);
  }
  return pkg;
}

/** The environment Renovate runs in: ours, without the caller's own Renovate settings (tokens, platform, presets). */
const renovateEnv = (settings: Record<string, string>) => ({
  ...Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith("RENOVATE_"))),
  ...settings,
});

/** Renovate's own validator, strict, on the repository's config: ok, or its errors. */
export function validateConfig(root = "."): { ok: boolean; output: string } {
  const result = spawnSync(process.execPath, [join(renovatePackage(), "dist", "config-validator.js"), "--strict"], {
    cwd: root,
    encoding: "utf8",
    env: renovateEnv({ LOG_LEVEL: "info", LOG_FORMAT: "pretty" }),
    timeout: 120_000,
  });
  return { ok: result.status === 0, output: `${result.stdout}${result.stderr}` };
}

export interface ExtractedDep {
  depName?: string;
  packageName?: string;
  currentValue?: string;
  currentDigest?: string;
  datasource?: string;
  registryUrls?: string[];
  depType?: string;
  skipReason?: string;
}

export interface ExtractedFile {
  manager: string;
  packageFile: string;
  deps: ExtractedDep[];
}

/**
 * What Renovate's managers extract from the git repository at `root` (tracked files only, as
 * Renovate sees a repository), with nothing looked up.
 */
export function extractDependencies(root = "."): { files: ExtractedFile[]; configFile: string } {
  const work = tempDir("guestbook-renovate-");
  // An empty global config, so nothing but the repository's own config is read.
  writeFileSync(join(work.path, "global.json"), "{}\n");
  try {
    const run = spawnSync(process.execPath, [join(renovatePackage(), "dist", "renovate.js"), "--platform=local", "--dry-run=extract"], {
      cwd: resolve(root),
      encoding: "utf8",
      maxBuffer: 256 * 1024 * 1024,
      timeout: 180_000,
      env: renovateEnv({
        LOG_LEVEL: "debug",
        LOG_FORMAT: "json",
        RENOVATE_BASE_DIR: work.path,
        RENOVATE_CONFIG_FILE: join(work.path, "global.json"),
      }),
    });
    const logs = run.stdout
      .split("\n")
      .filter((line) => line.startsWith("{"))
      .map((line) => JSON.parse(line) as { msg: string; level: number; fileName?: string; packageFiles?: Record<string, ExtractedFile[]> });
    const fatal = logs.find((l) => l.level >= 50);
    if (run.status !== 0 || fatal) throw new Error(`renovate --dry-run=extract failed: ${fatal?.msg ?? run.stderr.split("\n")[0] ?? `exit ${run.status}`}`);
    const config = logs.find((l) => l.msg === "Repository config");
    const extracted = logs.find((l) => l.msg === "Extracted dependencies");
    if (!config?.fileName) throw new Error("Renovate found no repository config: it would run on its defaults");
    if (!extracted?.packageFiles) throw new Error("Renovate logged no extracted dependencies");
    const files = Object.entries(extracted.packageFiles).flatMap(([manager, list]) => list.map((f) => ({ ...f, manager })));
    return { files, configFile: config.fileName };
  } finally {
    work.remove();
  }
}

const resolved = new Map<string, Promise<Record<string, unknown>>>();

type ApplyPackageRules = (config: Record<string, unknown>) => Promise<Record<string, unknown>>;
type ResolvePresets = (config: Record<string, unknown>) => Promise<{ config: Record<string, unknown> }>;

/**
 * The repository's config with its presets resolved, and a function that applies its package
 * rules to one dependency, both from Renovate's own code.
 */
export async function packageRules(root = "."): Promise<(dep: ExtractedDep & { manager: string; packageFile: string }) => Promise<Record<string, unknown>>> {
  const dist = join(renovatePackage(), "dist");
  const load = async <T>(module: string) => (await import(pathToFileURL(join(dist, module)).href)) as T;
  // Renovate's logger, at warnings only (it reads LOG_LEVEL, which means something else to the API).
  const { init } = await load<{ init: () => Promise<void> }>("logger/index.js");
  const level = process.env.LOG_LEVEL;
  process.env.LOG_LEVEL = "warn";
  await init();
  if (level === undefined) delete process.env.LOG_LEVEL;
  else process.env.LOG_LEVEL = level;
  const { resolveConfigPresets } = await load<{ resolveConfigPresets: ResolvePresets }>("config/presets/index.js");
  const { applyPackageRules } = await load<{ applyPackageRules: ApplyPackageRules }>("util/package-rules/index.js");
  // Resolving the presets takes seconds; a copy of the repository with the same config reuses it.
  const raw = JSON.stringify(readConfig(root));
  if (!resolved.has(raw)) resolved.set(raw, resolveConfigPresets(JSON.parse(raw) as Record<string, unknown>).then((r) => r.config));
  const config = await resolved.get(raw)!;
  return (dep) => applyPackageRules({ ...config, ...dep, packageName: dep.packageName ?? dep.depName });
}
