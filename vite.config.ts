import { defineConfig } from "vite";
import solid from "vite-plugin-solid";

const apiPort = process.env.API_PORT ?? "8080";

export default defineConfig({
  root: "src/web",
  plugins: [solid()],
  build: { outDir: "../../dist/web", emptyOutDir: true, target: "es2022" },
  server: {
    // `npm run dev`: the UI from Vite, /api and the probes from the watched API process.
    proxy: { "/api": `http://127.0.0.1:${apiPort}` },
  },
});
