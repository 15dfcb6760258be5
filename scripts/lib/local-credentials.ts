/**
 * The in-cluster MongoDB's credentials and replica-set key for an overlay that generates its
 * Secrets from files that must never be in Git (overlays/local): made once, at random, into
 * git-ignored files beside the kustomization, and then kept, because the users they create
 * live on the MongoDB volume. Anything that renders such an overlay makes them first, so a
 * fresh clone renders; `npm run local-credentials` does it on its own.
 */
import { randomBytes } from "node:crypto";
import { copyFileSync, existsSync, linkSync, readFileSync, unlinkSync, writeFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { parse } from "yaml";

export class CredentialsError extends Error {
  override name = "CredentialsError";
}

/** What the in-cluster MongoDB component expects (components/in-cluster-mongodb). */
export const IN_CLUSTER_MONGODB = {
  service: "guestbook-mongodb",
  port: 27017,
  replicaSet: "rs0",
  adminUsername: "admin",
  appUsername: "guestbook",
};

export const CREDENTIALS_ENV = "mongodb-credentials.env";
export const KEYFILE = "mongodb-keyfile";
const ENV_KEYS = ["admin-username", "admin-password", "app-username", "app-password", "uri"] as const;

// Hex: safe in a connection string without escaping, 128 bits each.
const password = () => randomBytes(16).toString("hex");

function credentialsEnv(): string {
  const { service, port, replicaSet, adminUsername, appUsername } = IN_CLUSTER_MONGODB;
  const app = password();
  return [
    "# Made by npm run local-credentials: git-ignored, never commit it. The users these create live",
    "# on the MongoDB volume: delete this file only together with that PersistentVolumeClaim.",
    `admin-username=${adminUsername}`,
    `admin-password=${password()}`,
    `app-username=${appUsername}`,
    `app-password=${app}`,
    `uri=mongodb://${appUsername}:${app}@${service}:${port}/?replicaSet=${replicaSet}&authSource=admin`,
    "",
  ].join("\n");
}

// 756 random bytes are 1008 base64 characters: within mongod's 6-1024, as its docs generate them.
const keyfile = () => `${randomBytes(756).toString("base64")}\n`;

const GENERATORS: Record<string, () => string> = { [CREDENTIALS_ENV]: credentialsEnv, [KEYFILE]: keyfile };

/** Parses KEY=VALUE lines as Kustomize reads an env file (comments and blank lines skipped). */
export function readEnvFile(path: string): Map<string, string> {
  const values = new Map<string, string>();
  for (const line of readFileSync(path, "utf8").split("\n")) {
    if (!line.trim() || line.trimStart().startsWith("#")) continue;
    const at = line.indexOf("=");
    if (at > 0) values.set(line.slice(0, at).trim(), line.slice(at + 1));
  }
  return values;
}

/** The generated files an overlay's secretGenerator names, relative to `overlayDir`. */
export function generatedInputs(overlayDir: string): string[] {
  const path = join(overlayDir, "kustomization.yaml");
  if (!existsSync(path)) return [];
  const kustomization = (parse(readFileSync(path, "utf8")) ?? {}) as { secretGenerator?: { envs?: string[]; files?: string[] }[] };
  return (kustomization.secretGenerator ?? [])
    .flatMap((g) => [...(g.envs ?? []), ...(g.files ?? []).map((f) => f.slice(f.indexOf("=") + 1))])
    .filter((file) => basename(file) in GENERATORS);
}

/** Writes `text` to `path` unless something else created it first (several renders may race). */
function createOnce(path: string, text: string): boolean {
  const temporary = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString("hex")}`);
  writeFileSync(temporary, text, { mode: 0o600 });
  try {
    linkSync(temporary, path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw error;
  } finally {
    unlinkSync(temporary);
  }
}

function checkCredentials(path: string): void {
  const values = readEnvFile(path);
  const missing = ENV_KEYS.filter((key) => !values.get(key));
  if (missing.length > 0) {
    throw new CredentialsError(`${path} lacks ${missing.join(", ")}: restore it, or delete it together with the MongoDB volume and render again`);
  }
}

/** Makes the overlay's missing generated inputs; returns the paths it created. */
export function ensureLocalCredentials(overlayDir: string): string[] {
  const created: string[] = [];
  for (const path of generatedInputs(overlayDir).map((file) => join(overlayDir, file))) {
    if (createOnce(path, GENERATORS[basename(path)]!())) created.push(path);
    if (basename(path) === CREDENTIALS_ENV) checkCredentials(path);
  }
  return created;
}

/** Copies an overlay's generated inputs from one tree to another that lacks them (for diffs). */
export function copyLocalCredentials(fromOverlayDir: string, toOverlayDir: string): void {
  for (const file of generatedInputs(toOverlayDir)) {
    const [source, target] = [join(fromOverlayDir, file), join(toOverlayDir, file)];
    if (!existsSync(target) && existsSync(source)) copyFileSync(source, target);
  }
}
