/**
 * Every kind the manifests may contain, one exported alias each. The validator's
 * schemas are generated from these types (npm run schemas); a kind not listed here is
 * refused as unknown, as kubeconform refuses a kind it has no schema for.
 */
import type { INamespace } from "kubernetes-models/v1/Namespace";
import type { IServiceAccount } from "kubernetes-models/v1/ServiceAccount";
import type { IService } from "kubernetes-models/v1/Service";
import type { ISecret } from "kubernetes-models/v1/Secret";
import type { IConfigMap } from "kubernetes-models/v1/ConfigMap";
import type { IDeployment } from "kubernetes-models/apps/v1/Deployment";
import type { IStatefulSet } from "kubernetes-models/apps/v1/StatefulSet";
import type { IPodDisruptionBudget } from "kubernetes-models/policy/v1/PodDisruptionBudget";
import type { IHorizontalPodAutoscaler } from "kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler";
import type { IIngress } from "kubernetes-models/networking.k8s.io/v1/Ingress";
import type { INetworkPolicy } from "kubernetes-models/networking.k8s.io/v1/NetworkPolicy";
import type { IApplication } from "@kubernetes-models/argo-cd/argoproj.io/v1alpha1/Application";
import type { IAppProject } from "@kubernetes-models/argo-cd/argoproj.io/v1alpha1/AppProject";
import type { IExternalSecret } from "@kubernetes-models/external-secrets/external-secrets.io/v1/ExternalSecret";
import type { IClusterSecretStore } from "@kubernetes-models/external-secrets/external-secrets.io/v1/ClusterSecretStore";
import type { IGatewayClass } from "@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1/GatewayClass";
import type { IGateway } from "@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1/Gateway";
import type { IHTTPRoute } from "@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1/HTTPRoute";
import type { IReferenceGrant } from "@kubernetes-models/gateway-api/gateway.networking.k8s.io/v1/ReferenceGrant";

export type V1Namespace = INamespace;
export type V1ServiceAccount = IServiceAccount;
export type V1Service = IService;
export type V1Secret = ISecret;
export type V1ConfigMap = IConfigMap;
export type AppsV1Deployment = IDeployment;
export type AppsV1StatefulSet = IStatefulSet;
export type PolicyV1PodDisruptionBudget = IPodDisruptionBudget;
export type AutoscalingV2HorizontalPodAutoscaler = IHorizontalPodAutoscaler;
export type NetworkingK8sIoV1Ingress = IIngress;
export type NetworkingK8sIoV1NetworkPolicy = INetworkPolicy;
export type ArgoprojIoV1alpha1Application = IApplication;
export type ArgoprojIoV1alpha1AppProject = IAppProject;
export type ExternalSecretsIoV1ExternalSecret = IExternalSecret;
export type ExternalSecretsIoV1ClusterSecretStore = IClusterSecretStore;
export type GatewayNetworkingK8sIoV1GatewayClass = IGatewayClass;
export type GatewayNetworkingK8sIoV1Gateway = IGateway;
export type GatewayNetworkingK8sIoV1HTTPRoute = IHTTPRoute;
export type GatewayNetworkingK8sIoV1ReferenceGrant = IReferenceGrant;
