/**
 * Whether two bundles validate alike: the kinds each defines, and for every kind both define,
 * the strict schemas walked side by side (types, properties, required fields, maps, items),
 * whatever their definitions are called. Each difference is reported once, at the definition
 * (of the first bundle) where it is.
 */
import type { KubernetesBundle } from "./kubernetes-bundle.js";
import { type JsonSchema, strictDocument } from "./strict.js";

const typeText = (schema: JsonSchema) => (schema.type === undefined ? "any" : [schema.type].flat().sort().join("|"));

export function validationDifferences(first: KubernetesBundle, second: KubernetesBundle): string[] {
  const a = strictDocument(first).definitions;
  const b = strictDocument(second).definitions;
  const differences = new Set<string>();
  const visited = new Set<string>();
  const resolve = (schema: JsonSchema, definitions: Record<string, JsonSchema>) =>
    schema.$ref ? { name: schema.$ref.replace("#/definitions/", ""), schema: definitions[schema.$ref.replace("#/definitions/", "")]! } : { schema };

  const walk = (left: JsonSchema, right: JsonSchema, at: string): void => {
    const l = resolve(left, a);
    const r = resolve(right, b);
    if (l.name && r.name) {
      // A definition on both sides is walked once, and what differs in it reported under its name.
      const pair = `${l.name}|${r.name}`;
      if (visited.has(pair)) return;
      visited.add(pair);
      at = l.name;
    } else if (l.name || r.name) {
      at = `${at} (${l.name ?? r.name})`;
    }
    const [x, y] = [l.schema, r.schema];
    const note = (message: string) => differences.add(`${at}: ${message}`);
    if (typeText(x) !== typeText(y)) note(`type ${typeText(x)} / ${typeText(y)}`);
    const required = [x, y].map((s) => [...(s.required ?? [])].sort().join(","));
    if (required[0] !== required[1]) note(`required [${required[0]}] / [${required[1]}]`);
    const closed = [x, y].map((s) => (s.additionalProperties === false ? "closed" : typeof s.additionalProperties === "object" ? "map" : "open"));
    if (closed[0] !== closed[1]) note(`${closed[0]} / ${closed[1]}`);
    for (const name of new Set([...Object.keys(x.properties ?? {}), ...Object.keys(y.properties ?? {})])) {
      const [p, q] = [x.properties?.[name], y.properties?.[name]];
      if (!p || !q) note(`property ${name} only in the ${p ? "first" : "second"}`);
      else walk(p, q, `${at}.${name}`);
    }
    if (typeof x.additionalProperties === "object" && typeof y.additionalProperties === "object") walk(x.additionalProperties, y.additionalProperties, `${at}{}`);
    if (x.items && y.items) walk(x.items, y.items, `${at}[]`);
    else if (x.items || y.items) note(`items only in the ${x.items ? "first" : "second"}`);
  };

  for (const kind of new Set([...Object.keys(first.kinds), ...Object.keys(second.kinds)])) {
    const [left, right] = [first.kinds[kind], second.kinds[kind]];
    if (!left || !right) differences.add(`kind ${kind} only in the ${left ? "first" : "second"}`);
    else walk({ $ref: `#/definitions/${left}` }, { $ref: `#/definitions/${right}` }, kind);
  }
  return [...differences].sort();
}
