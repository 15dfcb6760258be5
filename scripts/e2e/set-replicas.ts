/**
 * `npm run e2e:set-replicas -- OVERLAY_DIR NAME=COUNT...`: the change the kind end-to-end run
 * commits to show Argo CD applying Git, made the way a person would: one entry of the overlay's
 * `replicas:` list, comments and layout of kustomization.yaml kept.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { isMap, isSeq, parseDocument } from "yaml";

export class ReplicasError extends Error {
  override name = "ReplicasError";
}

/** kustomization.yaml's text with the named `replicas:` entries set; every other byte kept. */
export function setReplicas(text: string, counts: ReadonlyMap<string, number>): string {
  const doc = parseDocument(text);
  const list = doc.get("replicas");
  if (!isSeq(list)) throw new ReplicasError("the kustomization has no replicas: list");
  for (const [name, count] of counts) {
    const entry = list.items.find((item) => isMap(item) && item.get("name") === name);
    if (!isMap(entry)) {
      const known = list.items.map((item) => (isMap(item) ? item.get("name") : "?")).join(", ");
      throw new ReplicasError(`no replicas: entry named "${name}" (has ${known})`);
    }
    entry.set("count", count);
  }
  return doc.toString();
}

export function parseCount(text: string): [string, number] {
  const match = /^([a-z0-9][a-z0-9-]*)=(\d{1,3})$/.exec(text);
  if (!match) throw new ReplicasError(`"${text}" is not NAME=COUNT`);
  return [match[1]!, Number(match[2])];
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [dir, ...assignments] = process.argv.slice(2);
  try {
    if (!dir || assignments.length === 0) throw new ReplicasError("usage: npm run e2e:set-replicas -- OVERLAY_DIR NAME=COUNT...");
    const path = join(dir, "kustomization.yaml");
    let text: string;
    try {
      text = readFileSync(path, "utf8");
    } catch {
      throw new ReplicasError(`${path} cannot be read`);
    }
    writeFileSync(path, setReplicas(text, new Map(assignments.map(parseCount))));
  } catch (error) {
    if (!(error instanceof ReplicasError)) throw error;
    console.error(`e2e:set-replicas: ${error.message}`);
    process.exitCode = 1;
  }
}
