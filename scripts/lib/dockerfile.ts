import { readFileSync } from "node:fs";

export interface Stage {
  name: string;
  from: string;
  /** Instructions after FROM, continuation lines joined: ["COPY --from=build /a ./a", ...]. */
  instructions: string[];
}

/** The stages of a Dockerfile, with ARG defaults substituted into FROM. */
export function readDockerfile(path = "Dockerfile"): { args: Record<string, string>; stages: Stage[] } {
  const lines = readFileSync(path, "utf8")
    .replace(/\\\n\s*/g, " ")
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith("#"));
  const args: Record<string, string> = {};
  const stages: Stage[] = [];
  for (const line of lines) {
    const from = /^FROM\s+(\S+)(?:\s+AS\s+(\S+))?/i.exec(line);
    if (from) {
      const image = from[1]!.replace(/\$\{(\w+)\}/g, (_, name: string) => args[name] ?? "");
      stages.push({ name: from[2] ?? String(stages.length), from: image, instructions: [] });
    } else if (stages.length === 0 && /^ARG\s+(\w+)=(\S+)/i.test(line)) {
      const [, name, value] = /^ARG\s+(\w+)=(\S+)/i.exec(line)!;
      args[name!] = value!;
    } else {
      stages.at(-1)?.instructions.push(line);
    }
  }
  return { args, stages };
}

/** Arguments of the stage's instructions with this keyword, e.g. all "EXPOSE" values. */
export const instructionArgs = (stage: Stage, keyword: string): string[] =>
  stage.instructions
    .filter((i) => i.toUpperCase().startsWith(`${keyword.toUpperCase()} `))
    .map((i) => i.slice(keyword.length + 1).trim());
