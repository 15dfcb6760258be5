/**
 * The API's build: src/api/server.ts and everything it imports, dependencies included, bundled
 * into dist/api/server.js. Node then reads and compiles one file instead of resolving and
 * loading some 300, which was most of the time to ready (docs/performance.md says how much).
 * Type checking is `npm run typecheck`'s job, as for the UI.
 */
import { defineConfig } from "vite";

export default defineConfig({
  publicDir: false,
  ssr: {
    noExternal: true,
    // Loaded from node_modules at run time: SQLite's native addon, and the MongoDB driver (with
    // its optional native add-ons), which only a MongoDB deployment loads, on demand. These are
    // package.json's only `dependencies`, so the api image installs nothing else; every other
    // library is a build input (devDependencies) that the bundle carries.
    external: ["better-sqlite3", "mongodb", "mongodb-connection-string-url"],
  },
  build: {
    ssr: "src/api/server.ts",
    outDir: "dist/api",
    emptyOutDir: true,
    target: "node24",
    sourcemap: true,
    rolldownOptions: {
      // What is imported on demand (a store, the MongoDB checks) stays in its own file.
      output: { chunkFileNames: "chunks/[name]-[hash].js" },
    },
  },
});
