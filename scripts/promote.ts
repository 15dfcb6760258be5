/**
 * `npm run promote -- FROM TO` (e.g. dev prod): copies FROM's pinned image references into
 * TO's `images:`, changes nothing else, and prints the diff. Exits 1 with one line on bad input.
 */
import { OverlayError, readImages, unpinned, writeImages } from "./lib/overlay-images.js";

export function promote(from: string, to: string, root = "."): string {
  if (from === to) throw new OverlayError(`cannot promote ${from} to itself`);
  const images = readImages(from, root);
  const problems = images.map(unpinned).filter(Boolean);
  if (problems.length > 0) throw new OverlayError(`overlays/${from} has unpinned images: ${problems.join("; ")}`);
  readImages(to, root); // the target must exist and have images: too
  return writeImages(to, images, root);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [from, to, ...rest] = process.argv.slice(2);
  try {
    if (!from || !to || rest.length > 0) throw new OverlayError("usage: npm run promote -- FROM TO   (e.g. dev prod)");
    const diff = promote(from, to);
    console.log(diff || `overlays/${to} already runs the images of overlays/${from}: nothing to change`);
  } catch (error) {
    if (!(error instanceof OverlayError)) throw error;
    console.error(`promote: ${error.message}`);
    process.exitCode = 1;
  }
}
