import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { brotliCompressSync, constants, gzipSync } from "node:zlib";
import { type Plugin, defineConfig } from "vite";
import solid from "vite-plugin-solid";

const apiTarget = `http://127.0.0.1:${process.env.API_PORT ?? "8080"}`;

const COMPRESSIBLE = /\.(html|js|css|svg|json|txt)$/;

/**
 * Writes a .br and a .gz copy next to each built text file, which the built server
 * (`npm run serve`) sends to clients that accept them instead of the file itself.
 */
function precompress(): Plugin {
  return {
    name: "guestbook-precompress",
    apply: "build",
    writeBundle(output, bundle) {
      for (const file of Object.keys(bundle).filter((name) => COMPRESSIBLE.test(name))) {
        const path = join(output.dir!, file);
        const bytes = readFileSync(path);
        const copies = {
          br: brotliCompressSync(bytes, { params: { [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY } }),
          gz: gzipSync(bytes, { level: 9 }),
        };
        for (const [suffix, compressed] of Object.entries(copies)) {
          if (compressed.byteLength < bytes.byteLength) writeFileSync(`${path}.${suffix}`, compressed);
        }
      }
    },
  };
}

export default defineConfig({
  root: "src/web",
  plugins: [solid(), precompress()],
  build: { outDir: "../../dist/web", emptyOutDir: true, target: "es2022" },
  server: {
    port: Number(process.env.DEV_PORT ?? 5173),
    // Another Vite on the port would serve another checkout: fail instead of moving on.
    strictPort: true,
    // `npm run dev`: the UI from Vite; the API's own paths from the watched API process. The
    // keys are anchored regular expressions so the UI's module /api.ts stays Vite's.
    proxy: {
      "^/api(/|$)": apiTarget,
      "^/(healthz|readyz|metrics)$": apiTarget,
    },
  },
});
