/**
 * Files a container is told to read (`*_FILE` variables holding an absolute path, such as
 * MONGODB_URI_FILE): a volume mount must provide them, and not through a subPath, which never
 * receives updates, so a rotated Secret would not reach the running pod.
 */
import { problemAt } from "./documents.js";
import type { Problem } from "./problem.js";
import type { Container, Volume, Workload } from "./workloads.js";

const FILE_VARIABLE = /_FILE$/;

type Mount = NonNullable<Container["volumeMounts"]>[number];

/** The mount a path is under (the deepest one when mounts nest), with the path inside it. */
function mountOf(container: Container, file: string): { mount: Mount; inside: string } | undefined {
  const under = (container.volumeMounts ?? [])
    .map((mount) => ({ mount, root: (mount.mountPath ?? "").replace(/\/+$/, "") }))
    .filter(({ root }) => root && (file === root || file.startsWith(`${root}/`)))
    .sort((a, b) => b.root.length - a.root.length)[0];
  return under && { mount: under.mount, inside: file.slice(under.root.length + 1) };
}

/** What is wrong with reading `inside` from `volume`, when its content is listed in the manifest. */
function missingItem(volume: Volume | undefined, inside: string): string | undefined {
  const items = volume?.secret?.items;
  if (!volume?.secret || !items?.length || items.some((item) => item.path === inside)) return undefined;
  const paths = items.map((item) => item.path).join(", ");
  return `Secret volume "${volume.name}" projects no file "${inside}" (its items: ${paths})`;
}

export function checkMountedFiles(w: Workload): Problem[] {
  const problems: Problem[] = [];
  for (const { container, path } of w.containers) {
    for (const [i, env] of (container.env ?? []).entries()) {
      const file = env.value;
      if (!env.name || !FILE_VARIABLE.test(env.name) || !file?.startsWith("/")) continue;
      const at = [...path, "env", i, "value"];
      const found = mountOf(container, file);
      const report = (message: string) => problems.push(problemAt(w.manifest, at, message, "reference/mounted-file"));
      if (!found) {
        report(`${env.name} names ${file}, but no volumeMount of container "${container.name}" provides it`);
        continue;
      }
      const { mount, inside } = found;
      if (mount.subPath || mount.subPathExpr) {
        report(`${env.name} is read through a subPath mount at ${mount.mountPath}, which never receives updates: mount the volume's folder instead`);
        continue;
      }
      const missing = missingItem(w.pod.volumes?.find((volume) => volume.name === mount.name), inside);
      if (missing) report(`${env.name} names ${file}, but ${missing}`);
    }
  }
  return problems;
}
