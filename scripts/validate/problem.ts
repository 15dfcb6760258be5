/** One thing wrong with one manifest, printed as one line. */
export interface Problem {
  /** The rendered overlay or the file the manifest came from. */
  source: string;
  /** Kind/name, "document N" when the document has no usable kind or name, "" for the whole source. */
  resource: string;
  /** Dotted path inside the manifest, e.g. spec.template.spec.containers[0].image; "" for the whole object. */
  path: string;
  line?: number;
  message: string;
  /** Which check found it, e.g. schema, policy/image-pinned, reference/service-selector. */
  rule: string;
}

export function formatProblem(p: Problem): string {
  const where = [p.resource, p.path].filter(Boolean).join(" ");
  const line = p.line ? ` (line ${p.line})` : "";
  return `${p.source}: ${where ? `${where}${line}: ` : ""}${p.message} [${p.rule}]`;
}

/** JSON pointer or path segments → "spec.containers[0].image". */
export function dottedPath(segments: readonly (string | number)[]): string {
  return segments.reduce<string>((out, segment) => {
    if (typeof segment === "number" || /^\d+$/.test(segment)) return `${out}[${segment}]`;
    return out ? `${out}.${segment}` : segment;
  }, "");
}

export const pointerSegments = (pointer: string): string[] =>
  pointer
    .split("/")
    .slice(1)
    .map((s) => s.replaceAll("~1", "/").replaceAll("~0", "~"));
