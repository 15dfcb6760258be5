/**
 * `npm run set-images -- ENV NAME=IMAGE[:TAG][@sha256:DIGEST]...`: what CI runs after pushing
 * new images, e.g. `npm run set-images -- dev guestbook-api=ghcr.io/o/guestbook-api:abc@sha256:…`.
 * Only the named `images:` entries change; the diff is printed.
 */
import { type ImageEntry, OverlayError, writeImages } from "./lib/overlay-images.js";

const REFERENCE = /^([a-z0-9-]+)=([a-z0-9.\-/:]+?)(?::([\w.-]{1,128}))?(?:@(sha256:[0-9a-f]{64}))?$/;

export function parseAssignment(text: string): ImageEntry {
  const match = REFERENCE.exec(text);
  if (!match) throw new OverlayError(`"${text}" is not NAME=IMAGE[:TAG][@sha256:DIGEST]`);
  const [, name, newName, newTag, digest] = match;
  return { name: name!, newName: newName!, ...(newTag ? { newTag } : {}), ...(digest ? { digest } : {}) };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [env, ...assignments] = process.argv.slice(2);
  try {
    if (!env || assignments.length === 0) throw new OverlayError("usage: npm run set-images -- ENV NAME=IMAGE[:TAG][@sha256:DIGEST]...");
    const diff = writeImages(env, assignments.map(parseAssignment));
    console.log(diff || `overlays/${env} already has these images: nothing to change`);
  } catch (error) {
    if (!(error instanceof OverlayError)) throw error;
    console.error(`set-images: ${error.message}`);
    process.exitCode = 1;
  }
}
