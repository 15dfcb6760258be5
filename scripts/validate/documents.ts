import { LineCounter, isNode, parseAllDocuments } from "yaml";
import { type Problem, dottedPath } from "./problem.js";

export type KubeObject = Record<string, unknown> & {
  apiVersion?: unknown;
  kind?: unknown;
  metadata?: { name?: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
};

/** One document of a multi-document YAML stream, with a way back to its lines. */
export interface Manifest {
  source: string;
  index: number;
  object: KubeObject;
  /** "Kind/name" for messages. */
  resource: string;
  /** Line of the value at `path`, or of its nearest existing parent. */
  lineOf(path: readonly (string | number)[]): number | undefined;
}

export const resourceName = (object: KubeObject, index: number): string =>
  typeof object.kind === "string" && typeof object.metadata?.name === "string"
    ? `${object.kind}/${object.metadata.name}`
    : `document ${index + 1}`;

/** The key written at `offset`, for naming a duplicate. */
function keyAt(text: string, offset: number): string {
  const end = text.indexOf("\n", offset);
  const line = text.slice(offset, end === -1 ? undefined : end);
  return /^\s*-?\s*([^:\s]+)/.exec(line)?.[1] ?? "?";
}

/** Parses a YAML stream strictly: duplicate keys and syntax errors are problems, not warnings. */
export function parseManifests(text: string, source: string): { manifests: Manifest[]; problems: Problem[] } {
  const lineCounter = new LineCounter();
  const documents = parseAllDocuments(text, { lineCounter, uniqueKeys: true, prettyErrors: false });
  const manifests: Manifest[] = [];
  const problems: Problem[] = [];
  const docs = Array.isArray(documents) ? documents : [];
  docs.forEach((doc, index) => {
    for (const error of doc.errors) {
      const { line } = lineCounter.linePos(error.pos[0]);
      const message =
        error.code === "DUPLICATE_KEY"
          ? `duplicate key "${keyAt(text, error.pos[0])}"`
          : error.message.split("\n")[0]!;
      const readable = doc.contents && error.code === "DUPLICATE_KEY" ? (doc.toJS() as KubeObject) : null;
      const resource = readable && typeof readable === "object" ? resourceName(readable, index) : `document ${index + 1}`;
      problems.push({ source, resource, path: "", line, message, rule: "yaml" });
    }
    // A duplicate key is reported above; the rest of the document is still checked.
    const fatal = doc.errors.some((error) => error.code !== "DUPLICATE_KEY");
    if (fatal || doc.contents === null) return;
    const object = doc.toJS() as unknown;
    const firstLine = doc.contents.range ? lineCounter.linePos(doc.contents.range[0]).line : undefined;
    if (typeof object !== "object" || object === null || Array.isArray(object)) {
      problems.push({
        source,
        resource: `document ${index + 1}`,
        path: "",
        line: firstLine,
        message: "a manifest must be a YAML mapping",
        rule: "yaml",
      });
      return;
    }
    const kubeObject = object as KubeObject;
    manifests.push({
      source,
      index,
      object: kubeObject,
      resource: resourceName(kubeObject, index),
      lineOf(path) {
        for (let depth = path.length; depth >= 0; depth--) {
          const node = doc.getIn(path.slice(0, depth), true);
          if (isNode(node) && node.range) return lineCounter.linePos(node.range[0]).line;
        }
        return firstLine;
      },
    });
  });
  return { manifests, problems };
}

/** A problem about one manifest at one path, with its line filled in. */
export function problemAt(
  manifest: Manifest,
  path: readonly (string | number)[],
  message: string,
  rule: string,
): Problem {
  return {
    source: manifest.source,
    resource: manifest.resource,
    path: dottedPath(path),
    line: manifest.lineOf(path),
    message,
    rule,
  };
}
