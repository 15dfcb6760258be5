/**
 * What an overlay needs from the cluster it runs on, read from what it renders (and from the
 * argocd/ Application that syncs it): the ingress class or Gateway and the namespace of their
 * proxies, the certificate issuer, the secret store, Secrets made by hand, the HPA's metrics, the
 * DNS the egress policy allows, volumes, Argo CD, and images that were never promoted.
 * scripts/preflight.sh checks a cluster for each of these facts.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { parseAllDocuments } from "yaml";
import { readImages } from "./overlay-images.js";
import { findRenderer } from "../validate/render.js";
import { MANUAL_SECRETS_ANNOTATION } from "../validate/references.js";

type Obj = {
  apiVersion?: string;
  kind?: string;
  metadata?: { name?: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  spec?: any;
};

export type Fact = [key: string, value: string];

const ADMITS_LABEL = "guestbook-gitops.io/admits";
const NAME_LABEL = "kubernetes.io/metadata.name";

const render = async (dir: string): Promise<Obj[]> =>
  parseAllDocuments(await findRenderer().render(dir))
    .map((doc) => doc.toJS() as Obj)
    .filter(Boolean);

const ofKind = (objects: Obj[], kind: string) => objects.filter((o) => o.kind === kind);

function wayIn(objects: Obj[]): Fact[] {
  const facts: Fact[] = [];
  for (const ingress of ofKind(objects, "Ingress")) {
    if (ingress.spec?.ingressClassName) facts.push(["ingress_class", ingress.spec.ingressClassName]);
    const annotations = ingress.metadata?.annotations ?? {};
    if (annotations["cert-manager.io/cluster-issuer"]) facts.push(["cluster_issuer", annotations["cert-manager.io/cluster-issuer"]]);
    if (annotations["cert-manager.io/issuer"]) facts.push(["issuer", `${ingress.metadata?.namespace}/${annotations["cert-manager.io/issuer"]}`]);
  }
  for (const route of ofKind(objects, "HTTPRoute")) {
    for (const parent of route.spec?.parentRefs ?? []) {
      if ((parent.kind ?? "Gateway") === "Gateway") facts.push(["gateway", `${parent.namespace ?? route.metadata?.namespace}/${parent.name}`]);
    }
  }
  // The namespaces the policies admit the controller's (or the Gateway's) proxies from.
  for (const policy of ofKind(objects, "NetworkPolicy").filter((p) => p.metadata?.labels?.[ADMITS_LABEL])) {
    for (const rule of policy.spec?.ingress ?? []) {
      for (const peer of rule.from ?? []) {
        const name = peer.namespaceSelector?.matchLabels?.[NAME_LABEL];
        if (name) facts.push(["controller_namespace", name]);
      }
    }
  }
  return facts;
}

function secrets(objects: Obj[], namespace: string): Fact[] {
  const facts: Fact[] = [];
  for (const external of ofKind(objects, "ExternalSecret")) {
    const store = external.spec?.secretStoreRef ?? {};
    if (store.kind === "ClusterSecretStore") facts.push(["cluster_secret_store", store.name]);
    else facts.push(["secret_store", `${external.metadata?.namespace}/${store.name}`]);
  }
  for (const object of objects) {
    for (const name of (object.metadata?.annotations?.[MANUAL_SECRETS_ANNOTATION] ?? "").split(",")) {
      if (name.trim()) facts.push(["manual_secret", `${namespace}/${name.trim()}`]);
    }
  }
  return facts;
}

function platform(objects: Obj[]): Fact[] {
  const facts: Fact[] = [];
  for (const hpa of ofKind(objects, "HorizontalPodAutoscaler")) facts.push(["hpa", hpa.metadata?.name ?? ""]);
  for (const policy of ofKind(objects, "NetworkPolicy")) {
    for (const rule of policy.spec?.egress ?? []) {
      if (!(rule.ports ?? []).some((p: { port?: number }) => p.port === 53)) continue;
      for (const peer of rule.to ?? []) {
        const namespace = peer.namespaceSelector?.matchLabels?.[NAME_LABEL];
        const selector = Object.entries(peer.podSelector?.matchLabels ?? {}).map(([k, v]) => `${k}=${v}`).join(",");
        if (namespace && selector) facts.push(["dns_pods", `${namespace} ${selector}`]);
        if (peer.ipBlock?.cidr) facts.push(["dns_ip", peer.ipBlock.cidr]);
      }
    }
  }
  const claims = ofKind(objects, "StatefulSet").flatMap((s) => s.spec?.volumeClaimTemplates ?? []);
  if (claims.some((claim: { spec?: { storageClassName?: string } }) => !claim.spec?.storageClassName)) {
    facts.push(["default_storage_class", "needed"]);
  }
  return facts;
}

/** Argo CD's namespace and the Application that syncs `overlays/<env>`, if argocd/ has one. */
async function argocd(env: string, root: string): Promise<Fact[]> {
  if (!existsSync(join(root, "argocd", "kustomization.yaml"))) return [];
  const application = ofKind(await render(join(root, "argocd")), "Application").find(
    (app) => app.spec?.source?.path === `overlays/${env}`,
  );
  if (!application) return [];
  return [
    ["argocd_namespace", application.metadata?.namespace ?? "argocd"],
    ["argocd_application", application.metadata?.name ?? ""],
  ];
}

/** The images: entries that name no digest, so they were never built or promoted into this overlay. */
function undigestedImages(env: string, root: string): Fact[] {
  return readImages(env, root)
    .filter((image) => !image.digest)
    .map((image): Fact => ["image_without_digest", `${image.newName ?? image.name}:${image.newTag ?? ""}`]);
}

export async function overlayFacts(env: string, root = "."): Promise<Fact[]> {
  const objects = await render(join(root, "overlays", env));
  const namespace = ofKind(objects, "Namespace")[0]?.metadata?.name ?? objects.find((o) => o.metadata?.namespace)?.metadata?.namespace ?? "";
  const facts: Fact[] = [
    ["overlay", env],
    ["namespace", namespace],
    ...wayIn(objects),
    ...secrets(objects, namespace),
    ...platform(objects),
    ...(await argocd(env, root)),
    ...undigestedImages(env, root),
  ];
  // One line per distinct fact, in a stable order.
  return facts.filter(([key, value], i) => facts.findIndex(([k, v]) => k === key && v === value) === i);
}
