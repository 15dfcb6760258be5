// `node --import` this file to learn which modules a process loads: at exit it writes every
// module URL it loaded (ES modules and require() alike), one a line, to LOADED_MODULES_FILE.
import { writeFileSync } from "node:fs";
import { registerHooks } from "node:module";

const loaded = [];
registerHooks({
  load(url, context, nextLoad) {
    loaded.push(url);
    return nextLoad(url, context);
  },
});
process.on("exit", () => writeFileSync(process.env.LOADED_MODULES_FILE, loaded.join("\n")));
