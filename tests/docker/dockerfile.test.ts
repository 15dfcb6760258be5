/**
 * No Docker engine runs here, so the images are proven piece by piece: the Dockerfile is
 * linted, checked against the manifests, and the api stage's steps are performed for real.
 */
import { execFileSync } from "node:child_process";
import { cpSync, mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { validate } from "dockerfile-utils";
import { describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import apiBuild from "../../vite.api.config.js";
import { instructionArgs, readDockerfile } from "../../scripts/lib/dockerfile.js";
import { SERVER_ENTRY, SERVER_NODE_FLAGS, startServer } from "../../scripts/lib/server-process.js";
import { postJson, tempDir } from "../helpers/app.js";

const { stages } = readDockerfile();
const stage = (name: string) => {
  const found = stages.find((s) => s.name === name);
  if (!found) throw new Error(`Dockerfile has no stage ${name}`);
  return found;
};

const deployment = (name: string) => {
  const doc = parseAllDocuments(readFileSync(`base/${name}-deployment.yaml`, "utf8"))[0]!.toJS();
  return doc.spec.template.spec as {
    securityContext: { runAsUser: number; runAsGroup: number };
    containers: { ports: { containerPort: number }[] }[];
  };
};

describe("Dockerfile", () => {
  it("passes dockerfile-utils' lint with no diagnostics", () => {
    expect(validate(readFileSync("Dockerfile", "utf8"))).toEqual([]);
  });

  it("has an api and a web target built from one npm ci of the lockfile", () => {
    expect(stages.map((s) => s.name)).toEqual(expect.arrayContaining(["api", "web"]));
    const installs = stages.flatMap((s) => s.instructions).filter((i) => /\bnpm (ci|install)\b/.test(i));
    expect(installs).toEqual(["RUN npm ci --no-audit --no-fund"]);
  });

  it("pins every base image by tag and digest", () => {
    const external = stages.filter((s) => !stages.some((other) => other.name === s.from));
    expect(external.length).toBeGreaterThan(0);
    for (const s of external) expect(s.from, s.name).toMatch(/^[\w./-]+:[\w.-]+@sha256:[0-9a-f]{64}$/);
  });

  it("builds and runs on exactly the Node.js version .nvmrc pins for development and CI", () => {
    const nvmrc = readFileSync(".nvmrc", "utf8").trim().replace(/^v/, "");
    for (const name of ["deps", "api"]) expect(stage(name).from, name).toMatch(new RegExp(`^node:${nvmrc.replaceAll(".", "\\.")}-alpine@`));
  });

  it.each([
    ["api", "backend"],
    ["web", "frontend"],
  ])("%s runs as the numeric user and exposes the port the %s Deployment uses", (target, component) => {
    const pod = deployment(component);
    const [user] = instructionArgs(stage(target), "USER");
    expect(user).toMatch(/^\d+(:\d+)?$/);
    expect(Number(user!.split(":")[0])).toBe(pod.securityContext.runAsUser);
    if (user!.includes(":")) expect(Number(user!.split(":")[1])).toBe(pod.securityContext.runAsGroup);
    expect(instructionArgs(stage(target), "EXPOSE")).toEqual([String(pod.containers[0]!.ports[0]!.containerPort)]);
  });

  it("starts the API with node as PID 1, in exec form, with the V8 flags every other start uses", () => {
    expect(instructionArgs(stage("api"), "ENTRYPOINT")).toEqual([JSON.stringify(["node", ...SERVER_NODE_FLAGS, SERVER_ENTRY]).replaceAll(",", ", ")]);
    const serve = (JSON.parse(readFileSync("package.json", "utf8")) as { scripts: Record<string, string> }).scripts.serve!;
    expect(serve).toBe(`node ${SERVER_NODE_FLAGS.join(" ")} --import tsx scripts/serve.ts`);
  });

  it("installs in the api image exactly what the API's bundle leaves out: the rest is in the bundle", () => {
    const { dependencies } = JSON.parse(readFileSync("package.json", "utf8")) as { dependencies: Record<string, string> };
    const external = apiBuild.ssr?.external;
    expect(Array.isArray(external)).toBe(true);
    expect(Object.keys(dependencies).sort()).toEqual([...(external as string[])].sort());
  });

  it("keeps node_modules, dist, .git and secrets out of the build context", () => {
    const ignore = readFileSync(".dockerignore", "utf8").split("\n");
    expect(ignore[ignore.findIndex((l) => !l.startsWith("#") && l.trim())]).toBe("*");
    for (const pattern of ["**/node_modules", "**/dist", "**/.git", "**/.env"]) expect(ignore).toContain(pattern);
  });
});

describe("the api stage, performed without Docker", () => {
  it("installs production dependencies only from the lockfile, and the built server starts and answers", async () => {
    const app = tempDir("guestbook-api-image-");
    const data = tempDir();
    try {
      cpSync("package.json", join(app.path, "package.json"));
      cpSync("package-lock.json", join(app.path, "package-lock.json"));
      // --prefer-offline: the packages come from the cache the project's own `npm ci` filled,
      // so this needs no registry.
      execFileSync("npm", ["ci", "--omit=dev", "--prefer-offline", "--no-audit", "--no-fund", "--loglevel=error"], {
        cwd: app.path,
        stdio: "pipe",
        timeout: 300_000,
      });
      // Exactly what the api stage copies from the build stage.
      for (const copy of instructionArgs(stage("api"), "COPY").filter((c) => c.startsWith("--from=build"))) {
        const [, source, target] = copy.split(/\s+/);
        mkdirSync(join(app.path, target!, ".."), { recursive: true });
        cpSync(source!.replace(/^\/app\//, ""), join(app.path, target!), { recursive: true });
      }
      const installed = execFileSync("npm", ["ls", "--omit=dev", "--depth=0", "--parseable"], { cwd: app.path, encoding: "utf8" });
      expect(installed).not.toMatch(/vitest|vite|typescript|playwright|hono|pino|zod/);

      const server = await startServer({ DATA_DIR: data.path }, { cwd: app.path });
      try {
        const created = await fetch(`${server.url}/api/entries`, postJson({ name: "Image", message: "works" }));
        expect(created.status).toBe(201);
        const listed = (await (await fetch(`${server.url}/api/entries`)).json()) as { entries: unknown[] };
        expect(listed.entries).toHaveLength(1);
      } finally {
        server.child.kill("SIGTERM");
        expect(await server.exited).toBe(0);
      }
    } finally {
      app.remove();
      data.remove();
    }
  }, 360_000);
});
