/**
 * Reading and writing an overlay's `images:` entries: the one place promotion and the
 * image bump change. Comments and layout of kustomization.yaml are kept.
 */
import { existsSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createTwoFilesPatch } from "diff";
import { isMap, isSeq, parseDocument } from "yaml";

export interface ImageEntry {
  name: string;
  newName?: string;
  newTag?: string;
  digest?: string;
}

export class OverlayError extends Error {
  override name = "OverlayError";
}

export const environments = (root = "."): string[] =>
  readdirSync(join(root, "overlays"), { withFileTypes: true })
    .filter((e) => e.isDirectory() && existsSync(join(root, "overlays", e.name, "kustomization.yaml")))
    .map((e) => e.name)
    .sort();

export function kustomizationPath(env: string, root = "."): string {
  if (!/^[a-z0-9-]+$/.test(env) || !environments(root).includes(env)) {
    throw new OverlayError(`unknown environment "${env}": expected one of ${environments(root).join(", ")}`);
  }
  return join(root, "overlays", env, "kustomization.yaml");
}

export function readImages(env: string, root = "."): ImageEntry[] {
  const doc = parseDocument(readFileSync(kustomizationPath(env, root), "utf8"));
  const images = doc.get("images");
  if (!isSeq(images) || images.items.length === 0) throw new OverlayError(`overlays/${env} has no images: entries`);
  return images.toJSON() as ImageEntry[];
}

/** Why an entry does not pin one exact image, or null when it does. */
export function unpinned(image: ImageEntry): string | null {
  if (image.digest) return /^sha256:[0-9a-f]{64}$/.test(image.digest) ? null : `${image.name}: digest "${image.digest}" is not sha256:<64 hex>`;
  if (!image.newTag) return `${image.name}: no newTag or digest`;
  if (image.newTag === "latest") return `${image.name}: "latest" is not a pinned tag`;
  return null;
}

/**
 * Replaces the named entries of an overlay's images: (adding any that are missing), changing
 * nothing else in the file. Returns the unified diff ("" when nothing changed).
 */
export function writeImages(env: string, images: readonly ImageEntry[], root = "."): string {
  const path = kustomizationPath(env, root);
  const before = readFileSync(path, "utf8");
  const doc = parseDocument(before);
  const list = doc.get("images");
  if (!isSeq(list)) throw new OverlayError(`overlays/${env} has no images: list`);
  for (const image of images) {
    const problem = unpinned(image);
    if (problem) throw new OverlayError(`refusing to write an unpinned image: ${problem}`);
    const entry = doc.createNode(Object.fromEntries(Object.entries(image).filter(([, v]) => v !== undefined)));
    const index = list.items.findIndex((item) => isMap(item) && item.get("name") === image.name);
    if (index === -1) list.items.push(entry);
    else list.items[index] = entry;
  }
  const after = doc.toString();
  if (after === before) return "";
  writeFileSync(path, after);
  return createTwoFilesPatch(`a/overlays/${env}/kustomization.yaml`, `b/overlays/${env}/kustomization.yaml`, before, after, "", "", {
    context: 3,
  });
}
