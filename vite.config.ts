import { defineConfig } from "vite";
import solid from "vite-plugin-solid";

const apiTarget = `http://127.0.0.1:${process.env.API_PORT ?? "8080"}`;

export default defineConfig({
  root: "src/web",
  plugins: [solid()],
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
