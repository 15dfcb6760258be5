/**
 * Chromium driven over the DevTools protocol directly, for what Playwright cannot show: a tab
 * really hidden behind another tab of its window. Playwright keeps every page it controls
 * visible (each in a window of its own, with focus emulated), so a page it drives never sees
 * `visibilitychange`. Here tabs share one window, as a visitor's do.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { CHROMIUM_FLAGS, findChromium } from "../../scripts/lib/chromium.js";
import { tempDir } from "../../scripts/lib/temp-dir.js";

export interface Tab {
  targetId: string;
  /** Evaluates `expression` in the page and returns its value (awaiting a promise). */
  evaluate<T>(expression: string): Promise<T>;
  /** Brings the tab to the front of its window; the tab that was there is hidden. */
  activate(): Promise<void>;
}

export interface Tabs {
  /** Opens `url` in a new tab of the one window: it becomes the visible tab. */
  open(url: string): Promise<Tab>;
  close(): Promise<void>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function launchTabs(): Promise<Tabs> {
  const profile = tempDir("guestbook-chromium-");
  const chromium: ChildProcess = spawn(
    findChromium(),
    [...CHROMIUM_FLAGS, "--remote-debugging-port=0", `--user-data-dir=${profile.path}`, "about:blank"],
    { stdio: "ignore" },
  );
  const portFile = join(profile.path, "DevToolsActivePort");
  for (let waited = 0; !existsSync(portFile) || readFileSync(portFile, "utf8").split("\n").length < 2; waited += 50) {
    if (waited > 15_000) throw new Error("Chromium did not open its DevTools port within 15 s");
    await sleep(50);
  }
  const [port, path] = readFileSync(portFile, "utf8").split("\n");
  const socket = new WebSocket(`ws://127.0.0.1:${port}${path}`);
  await new Promise((resolve, reject) => {
    socket.addEventListener("open", resolve, { once: true });
    socket.addEventListener("error", reject, { once: true });
  });

  let lastId = 0;
  const waiting = new Map<number, { resolve: (value: any) => void; reject: (error: Error) => void }>();
  socket.addEventListener("message", (event) => {
    const message = JSON.parse(String(event.data)) as { id?: number; result?: unknown; error?: { message: string } };
    const call = message.id === undefined ? undefined : waiting.get(message.id);
    if (!call) return;
    waiting.delete(message.id!);
    if (message.error) call.reject(new Error(message.error.message));
    else call.resolve(message.result);
  });
  const send = <T = any>(method: string, params: object = {}, sessionId?: string): Promise<T> =>
    new Promise((resolve, reject) => {
      const id = ++lastId;
      waiting.set(id, { resolve, reject });
      socket.send(JSON.stringify({ id, method, params, sessionId }));
    });

  return {
    async open(url) {
      const { targetId } = await send<{ targetId: string }>("Target.createTarget", { url, newWindow: false });
      const { sessionId } = await send<{ sessionId: string }>("Target.attachToTarget", { targetId, flatten: true });
      return {
        targetId,
        async evaluate<T>(expression: string) {
          const { result, exceptionDetails } = await send("Runtime.evaluate", { expression, awaitPromise: true, returnByValue: true }, sessionId);
          if (exceptionDetails) throw new Error(`in the page: ${exceptionDetails.exception?.description ?? exceptionDetails.text}`);
          return result.value as T;
        },
        activate: () => send("Target.activateTarget", { targetId }),
      };
    },
    async close() {
      socket.close();
      chromium.kill("SIGKILL");
      await new Promise((resolve) => (chromium.exitCode === null ? chromium.once("exit", resolve) : resolve(null)));
      profile.remove();
    },
  };
}
