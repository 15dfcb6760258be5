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

/** "Kind/name", or `unnamed` (where it sits in the stream) when the object has no kind or name. */
export const resourceName = (object: KubeObject, unnamed: string): string =>
  typeof object.kind === "string" && typeof object.metadata?.name === "string"
    ? `${object.kind}/${object.metadata.name}`
    : unnamed;

const isMapping = (value: unknown): value is KubeObject =>
  typeof value === "object" && value !== null && !Array.isArray(value);

// kubectl's `kind: List` wraps objects in `items`; kubeconform validates each of them.
const isList = (object: KubeObject) => typeof object.kind === "string" && object.kind.toLowerCase() === "list";

/** The key written at `offset`, for naming a duplicate. */
function keyAt(text: string, offset: number): string {
  const end = text.indexOf("\n", offset);
  const line = text.slice(offset, end === -1 ? undefined : end);
  return /^\s*-?\s*([^:\s]+)/.exec(line)?.[1] ?? "?";
}

/**
 * Parses a YAML stream strictly: duplicate keys and syntax errors are problems, not warnings.
 * Empty and comment-only documents are skipped, and a List yields its items, as kubeconform does.
 */
export function parseManifests(text: string, source: string): { manifests: Manifest[]; problems: Problem[] } {
  const lineCounter = new LineCounter();
  const documents = parseAllDocuments(text, { lineCounter, uniqueKeys: true, prettyErrors: false });
  const manifests: Manifest[] = [];
  const problems: Problem[] = [];
  const docs = Array.isArray(documents) ? documents : [];
  docs.forEach((doc, index) => {
    const unnamed = `document ${index + 1}`;
    for (const error of doc.errors) {
      const { line } = lineCounter.linePos(error.pos[0]);
      const message =
        error.code === "DUPLICATE_KEY"
          ? `duplicate key "${keyAt(text, error.pos[0])}"`
          : error.message.split("\n")[0]!;
      const readable = doc.contents && error.code === "DUPLICATE_KEY" ? (doc.toJS() as unknown) : null;
      const resource = isMapping(readable) ? resourceName(readable, unnamed) : unnamed;
      problems.push({ source, resource, path: "", line, message, rule: "yaml" });
    }
    // A duplicate key is reported above; the rest of the document is still checked.
    const fatal = doc.errors.some((error) => error.code !== "DUPLICATE_KEY");
    if (fatal || doc.contents === null) return;
    const object = doc.toJS() as unknown;
    if (object === null) return;
    const firstLine = doc.contents.range ? lineCounter.linePos(doc.contents.range[0]).line : undefined;
    const lineOf = (path: readonly (string | number)[]) => {
      for (let depth = path.length; depth >= 0; depth--) {
        const node = doc.getIn(path.slice(0, depth), true);
        if (isNode(node) && node.range) return lineCounter.linePos(node.range[0]).line;
      }
      return firstLine;
    };
    const add = (value: unknown, prefix: (string | number)[], label: string) => {
      if (!isMapping(value)) {
        problems.push({ source, resource: label, path: "", line: lineOf(prefix), message: "a manifest must be a YAML mapping", rule: "yaml" });
        return;
      }
      manifests.push({ source, index, object: value, resource: resourceName(value, label), lineOf: (path) => lineOf([...prefix, ...path]) });
    };
    if (!isMapping(object) || !isList(object)) {
      add(object, [], unnamed);
    } else if (Array.isArray(object.items ?? [])) {
      ((object.items ?? []) as unknown[]).forEach((item, i) => add(item, ["items", i], `${unnamed} item ${i + 1}`));
    } else {
      problems.push({ source, resource: unnamed, path: "items", line: lineOf(["items"]), message: "the items of a List must be a sequence", rule: "schema" });
    }
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
