/**
 * The Secret key a backend pod reads its MongoDB connection string from: through the file
 * that MONGODB_URI_FILE names, the volume mount that provides it and the Secret volume's items.
 */
type PodSpec = {
  containers: { env?: { name: string; value?: string }[]; volumeMounts?: { name: string; mountPath: string }[] }[];
  volumes?: { name: string; secret?: { secretName: string; items?: { key: string; path: string }[] } }[];
};

export function uriSecretRef(pod: PodSpec): { name: string; key: string } {
  const container = pod.containers[0]!;
  const file = container.env?.find((e) => e.name === "MONGODB_URI_FILE")?.value;
  if (!file) throw new Error("the backend sets no MONGODB_URI_FILE");
  const mount = container.volumeMounts?.find((m) => file.startsWith(`${m.mountPath}/`));
  const secret = pod.volumes?.find((v) => v.name === mount?.name)?.secret;
  if (!mount || !secret) throw new Error(`no Secret volume is mounted where ${file} is`);
  const path = file.slice(mount.mountPath.length + 1);
  const key = secret.items ? secret.items.find((item) => item.path === path)?.key : path;
  if (!key) throw new Error(`the Secret volume lists no item at ${path}`);
  return { name: secret.secretName, key };
}
