import { spawnSync } from "node:child_process";
import { mkdirSync, utimesSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { requireBuild } from "../../scripts/lib/server-process.js";
import { tempDir } from "../helpers/app.js";

let repo: ReturnType<typeof tempDir>;

/** Writes `path` in the scratch repository, last modified `secondsAgo` seconds ago. */
function file(path: string, secondsAgo: number) {
  const full = join(repo.path, path);
  mkdirSync(dirname(full), { recursive: true });
  writeFileSync(full, "");
  const when = new Date(Date.now() - secondsAgo * 1000);
  utimesSync(full, when, when);
}

beforeEach(() => {
  repo = tempDir();
  file("src/api/server.ts", 300);
  file("src/web/components/EntryCard.tsx", 300);
  file("vite.config.ts", 300);
  file("vite.api.config.ts", 300);
  file("dist/api/server.js", 200);
  file("dist/web/index.html", 100);
});
afterEach(() => repo.remove());

describe("requireBuild, before a test starts the built server", () => {
  it("accepts a build newer than every source", () => {
    expect(() => requireBuild(repo.path)).not.toThrow();
  });

  it.each(["src/web/components/EntryCard.tsx", "src/api/server.ts", "vite.config.ts", "vite.api.config.ts"])(
    "refuses a build older than %s, naming it",
    (source) => {
      file(source, 150); // changed after the API was compiled
      expect(() => requireBuild(repo.path)).toThrow(`The build in dist/ is older than ${join(repo.path, source)}: run \`npm run build\``);
    },
  );

  it.each(["dist/api/server.js", "dist/web/index.html"])("refuses a build without %s", (output) => {
    repo.remove();
    repo = tempDir();
    file("src/api/server.ts", 300);
    for (const other of ["dist/api/server.js", "dist/web/index.html"].filter((o) => o !== output)) file(other, 100);
    expect(() => requireBuild(repo.path)).toThrow(`${output} is missing: run \`npm run build\``);
  });

  it("accepts an image's copy: dist/api with neither sources nor UI", () => {
    repo.remove();
    repo = tempDir();
    file("dist/api/server.js", 100);
    expect(() => requireBuild(repo.path)).not.toThrow();
  });
});

describe("the scripts that need a build", () => {
  const run = (script: string) =>
    spawnSync(resolve("node_modules/.bin/tsx"), [resolve(script)], { cwd: repo.path, encoding: "utf8", timeout: 30_000 });

  it.each([
    ["scripts/serve.ts", "npm run serve"],
    ["scripts/bench.ts", "npm run bench"],
    ["scripts/soak.ts", "npm run soak"],
  ])("%s says in one line what to run when the build is stale", (script, command) => {
    file("src/api/app.ts", 0);
    const result = run(script);
    expect(result.stderr).toBe(
      `${command}: The build in dist/ is older than ${join("src/api/app.ts")}: run \`npm run build\` first (\`npm start\` and \`npm test\` build for you).\n`,
    );
    expect(result.status).toBe(1);
  });
});
