/**
 * Every custom resource kind the manifests may contain, one exported alias each. Their
 * schemas are generated from these types (npm run schemas); built-in kinds come from the
 * Kubernetes bundles in schemas/kubernetes/. A custom kind not listed here is refused as
 * unknown, as kubeconform refuses a kind it has no schema for.
 */
import type { IApplication } from "@kubernetes-models/argo-cd/argoproj.io/v1alpha1/Application";
import type { IAppProject } from "@kubernetes-models/argo-cd/argoproj.io/v1alpha1/AppProject";
import type { IExternalSecret } from "@kubernetes-models/external-secrets/external-secrets.io/v1/ExternalSecret";
import type { IClusterSecretStore } from "@kubernetes-models/external-secrets/external-secrets.io/v1/ClusterSecretStore";
import type { IGatewayClass } from "@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1/GatewayClass";
import type { IGateway } from "@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1/Gateway";
import type { IHTTPRoute } from "@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1/HTTPRoute";
import type { IReferenceGrant } from "@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1/ReferenceGrant";

export type ArgoprojIoV1alpha1Application = IApplication;
export type ArgoprojIoV1alpha1AppProject = IAppProject;
export type ExternalSecretsIoV1ExternalSecret = IExternalSecret;
export type ExternalSecretsIoV1ClusterSecretStore = IClusterSecretStore;
export type GatewayNetworkingK8sIoV1GatewayClass = IGatewayClass;
export type GatewayNetworkingK8sIoV1Gateway = IGateway;
export type GatewayNetworkingK8sIoV1HTTPRoute = IHTTPRoute;
export type GatewayNetworkingK8sIoV1ReferenceGrant = IReferenceGrant;
