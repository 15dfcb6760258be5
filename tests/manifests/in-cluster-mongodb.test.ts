/**
 * components/in-cluster-mongodb as overlays/local renders it: access control with credentials
 * generated outside Git, a one-member replica set the backend's URI names, probes that start
 * mongosh only at start-up, and a cache sized to the memory limit. The replica-set script runs
 * here against a stand-in for mongosh's globals (no MongoDB server on this machine); the kind
 * end-to-end run starts it against the real mongod.
 */
import { execFileSync, spawn, spawnSync } from "node:child_process";
import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { runInNewContext } from "node:vm";
import { MongoClient } from "mongodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { loadConfig } from "../../src/api/config.js";
import {
  CREDENTIALS_ENV,
  CredentialsError,
  KEYFILE,
  ensureLocalCredentials,
  readEnvFile,
} from "../../scripts/lib/local-credentials.js";
import { isIgnored } from "../../scripts/validate/generated-secrets.js";
import { findRenderer, formatProblem, validateStream } from "../../scripts/validate/index.js";
import { uriSecretRef } from "../helpers/uri-secret.js";
import { tempDir } from "../helpers/app.js";

type Obj = { kind: string; metadata: { name: string; annotations?: Record<string, string> }; spec?: any; data?: Record<string, string> };

let local: Obj[];
let text: string;
beforeAll(async () => {
  text = await findRenderer().render("overlays/local");
  local = parseAllDocuments(text).map((d) => d.toJS() as Obj);
});

const find = (kind: string, name: string) => {
  const found = local.find((o) => o.kind === kind && o.metadata.name.startsWith(name));
  if (!found) throw new Error(`overlays/local renders no ${kind}/${name}`);
  return found;
};
const mongod = () => find("StatefulSet", "guestbook-mongodb").spec.template.spec.containers[0];
const envValue = (name: string) => mongod().env.find((e: any) => e.name === name);
const secretValue = (secret: Obj, key: string) => Buffer.from(secret.data![key]!, "base64").toString("utf8");

describe("the backend's connection string", () => {
  it("signs in as the app user the replica set creates and names the replica set mongod runs", async () => {
    const ref = uriSecretRef(find("Deployment", "guestbook-backend").spec.template.spec);
    const secret = find("Secret", ref.name);
    const uri = secretValue(secret, ref.key);
    // The real driver's parser, as the API reads it.
    const options = new MongoClient(uri).options;
    expect(options.credentials?.username).toBe(secretValue(secret, envValue("MONGO_APP_USERNAME").valueFrom.secretKeyRef.key));
    expect(options.credentials?.password).toBe(secretValue(secret, envValue("MONGO_APP_PASSWORD").valueFrom.secretKeyRef.key));
    expect(options.credentials?.source).toBe("admin");
    expect(options.replicaSet).toBe(envValue("MONGO_REPLICA_SET").value);
    expect(mongod().command).toContain("--replSet=$(MONGO_REPLICA_SET)");
    const service = find("Service", "guestbook-mongodb");
    expect(options.hosts.map(String)).toEqual([`${service.metadata.name}:${service.spec.ports[0].port}`]);
    expect((await loadConfig({ MONGODB_URI: uri })).mongodb?.uri).toBe(uri);
  });

  it("lets the app user write only the database the backend uses", () => {
    const dbName = find("Deployment", "guestbook-backend").spec.template.spec.containers[0].env.find((e: any) => e.name === "MONGODB_DB").value;
    expect(envValue("MONGO_APP_DATABASE").value).toBe(dbName);
  });
});

describe("mongod", () => {
  it("runs with access control: a key file copied owner-only from the generated Secret", () => {
    const pod = find("StatefulSet", "guestbook-mongodb").spec.template.spec;
    expect(mongod().command).toContain("--keyFile=/keyfile/keyfile");
    const secretVolume = pod.volumes.find((v: any) => v.name === "keyfile-secret").secret;
    const keyfile = secretValue(find("Secret", secretVolume.secretName), "keyfile").trim();
    expect(keyfile).toMatch(/^[A-Za-z0-9+/=]{6,1024}$/);
    expect(pod.initContainers[0].command.join(" ")).toContain("chmod 0400 /keyfile/keyfile");
    expect(pod.volumes.find((v: any) => v.name === "keyfile").emptyDir.medium).toBe("Memory");
  });

  it("checks readiness and liveness over TCP; its one exec, mongosh, is the startup probe", () => {
    const container = mongod();
    expect(container.readinessProbe.tcpSocket).toEqual({ port: "mongodb" });
    expect(container.livenessProbe.tcpSocket).toEqual({ port: "mongodb" });
    expect(container.startupProbe.exec.command.join(" ")).toMatch(/mongosh .* \/scripts\/replica-set\.js$/);
    const scripts = find("StatefulSet", "guestbook-mongodb").spec.template.spec.volumes.find((v: any) => v.name === "scripts");
    expect(find("ConfigMap", scripts.configMap.name).data).toHaveProperty(["replica-set.js"]);
  });

  it("sizes the WiredTiger cache by MongoDB's own rule applied to the container's memory limit", () => {
    const limit = /^(\d+)(Mi|Gi)$/.exec(mongod().resources.limits.memory)!;
    const limitGiB = Number(limit[1]) / (limit[2] === "Mi" ? 1024 : 1);
    const flag = mongod().command.find((a: string) => a.startsWith("--wiredTigerCacheSizeGB="));
    expect(Number(flag.split("=")[1])).toBe(Math.max(0.25, 0.5 * (limitGiB - 1)));
  });
});

describe("the generated credentials", () => {
  it("come from files Git ignores and does not hold, and the Secret carries exactly their values", () => {
    // In a Git work tree git itself answers; in a plain copy (npm run init's test) the .gitignore.
    const inGit = spawnSync("git", ["rev-parse", "--is-inside-work-tree"], { encoding: "utf8" }).stdout.trim() === "true";
    for (const file of [CREDENTIALS_ENV, KEYFILE]) {
      const path = join("overlays/local", file);
      expect(isIgnored(".", path), path).toBe(true);
      if (inGit) expect(execFileSync("git", ["ls-files", "--", path], { encoding: "utf8" })).toBe("");
    }
    // The backend's Secret, by its exact generated name: a prefix would also match the keyfile's.
    const secret = find("Secret", uriSecretRef(find("Deployment", "guestbook-backend").spec.template.spec).name);
    const values = readEnvFile(join("overlays/local", CREDENTIALS_ENV));
    expect(Object.fromEntries(Object.keys(secret.data!).map((key) => [key, secretValue(secret, key)]))).toEqual(Object.fromEntries(values));
  });

  describe("in a scratch overlay", () => {
    const dir = tempDir("guestbook-credentials-");
    const overlay = join(dir.path, "overlay");
    afterAll(() => dir.remove());
    beforeAll(() => {
      mkdirSync(overlay);
      cpSync("overlays/local/kustomization.yaml", join(overlay, "kustomization.yaml"));
    });

    // Four tsx processes at once: seconds, more on a busy machine.
    it("are made once, by whichever of several racing renders comes first, and then kept", { timeout: 60_000 }, async () => {
      const tsx = resolve("node_modules/.bin/tsx");
      const script = `import { ensureLocalCredentials } from ${JSON.stringify(resolve("scripts/lib/local-credentials.ts"))}; ensureLocalCredentials(${JSON.stringify(overlay)});`;
      const racers = Array.from({ length: 4 }, () =>
        new Promise<number | null>((done) => spawn(tsx, ["--eval", script], { stdio: "inherit" }).on("exit", done)),
      );
      expect(await Promise.all(racers)).toEqual([0, 0, 0, 0]);
      const values = readEnvFile(join(overlay, CREDENTIALS_ENV));
      expect(new MongoClient(values.get("uri")!).options.credentials?.password).toBe(values.get("app-password"));
      const before = [readFileSync(join(overlay, CREDENTIALS_ENV), "utf8"), readFileSync(join(overlay, KEYFILE), "utf8")];
      expect(ensureLocalCredentials(overlay)).toEqual([]);
      expect([readFileSync(join(overlay, CREDENTIALS_ENV), "utf8"), readFileSync(join(overlay, KEYFILE), "utf8")]).toEqual(before);
    });

    it("refuse, in one line, an env file that lacks a key", () => {
      const path = join(overlay, CREDENTIALS_ENV);
      writeFileSync(path, readFileSync(path, "utf8").replace(/^app-password=.*\n/m, ""));
      expect(() => ensureLocalCredentials(overlay)).toThrow(CredentialsError);
      expect(() => ensureLocalCredentials(overlay)).toThrow(/^.*mongodb-credentials\.env lacks app-password: restore it, or delete it together with the MongoDB volume and render again$/);
      rmSync(path);
    });
  });

  describe("pass the credential check only while Git ignores their file", () => {
    const copy = tempDir("guestbook-ignore-");
    afterAll(() => copy.remove());

    it("outside a Git work tree, by the root .gitignore", { timeout: 30_000 }, async () => {
      writeFileSync(join(copy.path, ".gitignore"), readFileSync(".gitignore", "utf8"));
      expect((await validateStream(text, "overlays/local", { repoRoot: copy.path })).problems.map(formatProblem)).toEqual([]);
      writeFileSync(join(copy.path, ".gitignore"), "node_modules/\n");
      const rules = (await validateStream(text, "overlays/local", { repoRoot: copy.path })).problems.map((p) => p.rule);
      expect(rules).toEqual(["policy/generated-secret-ignored", "policy/generated-secret-ignored"]);
    });
  });
});

/** Runs replica-set.js with a stand-in for the mongosh globals it uses; returns what it did. */
function runReplicaSetScript(state: { setName?: string; primary?: boolean; users: Map<string, { pwd: string; roles: unknown[] }> }, env: Record<string, string>) {
  const calls: string[] = [];
  const printed: string[] = [];
  let authenticated = false;
  class Quit extends Error {
    constructor(readonly code: number) {
      super("quit");
    }
  }
  const admin = {
    auth(user: string, pwd: string) {
      calls.push(`auth ${user}`);
      if (state.users.get(user)?.pwd !== pwd) throw Object.assign(new Error("Authentication failed."), { codeName: "AuthenticationFailed" });
      authenticated = true;
      return { ok: 1 };
    },
    createUser(spec: { user: string; pwd: string; roles: unknown[] }) {
      calls.push(`createUser ${spec.user} ${JSON.stringify(spec.roles)}`);
      // The localhost exception: the first user needs no sign-in, any later one does.
      if (state.users.size > 0 && !authenticated) throw Object.assign(new Error("requires authentication"), { codeName: "Unauthorized" });
      state.users.set(spec.user, { pwd: spec.pwd, roles: spec.roles });
      return { ok: 1 };
    },
    getUser(user: string) {
      return state.users.has(user) ? { user } : null;
    },
  };
  const db = {
    getSiblingDB: (name: string) => (name === "admin" ? admin : null),
    hello: () => ({ setName: state.setName, isWritablePrimary: Boolean(state.setName && state.primary) }),
  };
  const rs = {
    initiate(config: unknown) {
      calls.push(`initiate ${JSON.stringify(config)}`);
      state.setName = (config as { _id: string })._id;
      return { ok: 1 };
    },
  };
  const source = readFileSync("components/in-cluster-mongodb/replica-set.js", "utf8");
  let code = 0;
  try {
    runInNewContext(source, {
      db,
      rs,
      process: { env },
      print: (message: string) => printed.push(message),
      quit: (c: number) => {
        throw new Quit(c);
      },
    });
  } catch (error) {
    if (!(error instanceof Quit)) throw error;
    code = error.code;
  }
  return { code, calls, printed };
}

describe("replica-set.js, the startup probe's one-time set-up", () => {
  const env = {
    MONGO_REPLICA_SET: "rs0",
    MEMBER_HOST: "guestbook-mongodb-0.guestbook-mongodb.guestbook-local.svc.cluster.local:27017",
    MONGO_ADMIN_USERNAME: "admin",
    MONGO_ADMIN_PASSWORD: "admin-secret",
    MONGO_APP_USERNAME: "guestbook",
    MONGO_APP_PASSWORD: "app-secret",
    MONGO_APP_DATABASE: "guestbook",
  };

  it("initiates a fresh server as a one-member set under the pod's stable name, then fails until a primary exists", () => {
    const state = { users: new Map() } as Parameters<typeof runReplicaSetScript>[0];
    const first = runReplicaSetScript(state, env);
    expect(first.code).toBe(1);
    expect(first.calls).toEqual([`initiate {"_id":"rs0","members":[{"_id":0,"host":"${env.MEMBER_HOST}"}]}`]);
    const waiting = runReplicaSetScript(state, env);
    expect(waiting).toMatchObject({ code: 1, calls: [], printed: ["replica set rs0 has no writable primary yet"] });
  });

  it("on the primary, creates the admin through the localhost exception, then the app user with readWrite on its database", () => {
    const state = { setName: "rs0", primary: true, users: new Map() };
    const run = runReplicaSetScript(state, env);
    expect(run.code).toBe(0);
    expect(run.calls).toEqual([
      "auth admin",
      'createUser admin ["root"]',
      "auth admin",
      'createUser guestbook [{"role":"readWrite","db":"guestbook"}]',
    ]);
    expect(runReplicaSetScript(state, env)).toMatchObject({ code: 0, calls: ["auth admin"] });
  });

  it("says what to do, and succeeds never, when the volume's admin has another password", () => {
    const state = { setName: "rs0", primary: true, users: new Map([["admin", { pwd: "older", roles: ["root"] }]]) };
    const run = runReplicaSetScript(state, env);
    expect(run.code).toBe(1);
    expect(run.printed).toEqual([
      'user "admin" exists with another password (Unauthorized): the data volume predates these credentials; restore the env file they came from, or delete the PersistentVolumeClaim to start empty',
    ]);
  });

  it("refuses to start without the generated Secrets' values", () => {
    const { MONGO_APP_PASSWORD: _, ...rest } = env;
    const run = runReplicaSetScript({ users: new Map() }, rest);
    expect(run).toMatchObject({ code: 1, calls: [] });
    expect(run.printed[0]).toMatch(/^MONGO_APP_PASSWORD is not set/);
  });
});
