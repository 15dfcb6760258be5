import { accessSync, constants } from "node:fs";
import { which } from "./which.js";

const CANDIDATES = ["chromium", "chromium-browser", "google-chrome-stable", "google-chrome"];

/** Flags for headless Chromium on a machine with no outside network and no sandbox as root. */
export const CHROMIUM_FLAGS = [
  "--headless=new",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-dev-shm-usage",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--disable-quic",
  "--no-first-run",
];

const isExecutable = (path: string) => {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
};

/** CHROME_PATH, else the first Chromium or Chrome on the PATH; one clear line when there is none. */
export function findChromium(env: NodeJS.ProcessEnv = process.env): string {
  if (env.CHROME_PATH) {
    if (isExecutable(env.CHROME_PATH)) return env.CHROME_PATH;
    throw new Error(`CHROME_PATH=${env.CHROME_PATH} is not an executable file.`);
  }
  for (const name of CANDIDATES) {
    const path = which(name, env);
    if (path) return path;
  }
  throw new Error("Chromium not found: install it (apt-get install chromium) or set CHROME_PATH to a Chrome binary.");
}
