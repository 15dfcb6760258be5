/**
 * The Kubernetes bundle npm run schemas builds from @kubernetes/client-node (and kubernetes-models
 * for quantities), read from the installed packages, and the comparison that shows how it differs
 * from an import of upstream's spec.
 */
import { existsSync, readFileSync } from "node:fs";
import { beforeAll, describe, expect, it } from "vitest";
import { kindOfModel, readClientNode, resourcePath } from "../../scripts/schemas/client-node.js";
import { validationDifferences } from "../../scripts/schemas/equivalence.js";
import { type KubernetesBundle, type OpenApiSchema, QUANTITY, INT_OR_STRING } from "../../scripts/schemas/kubernetes-bundle.js";
import { kubernetesVersionOf, packagedBundle } from "../../scripts/schemas/packaged-bundle.js";

const ref = (name: string) => ({ $ref: `#/definitions/${name}` });
const CLIENT_NODE_DIR = "node_modules/@kubernetes/client-node";

describe("the bundle built from @kubernetes/client-node", () => {
  let bundle: KubernetesBundle;
  let definition: (name: string) => OpenApiSchema;
  beforeAll(() => {
    bundle = packagedBundle();
    definition = (name) => bundle.definitions[name]!;
  });

  it("is the version the package's models were generated from, and names the pinned packages", () => {
    const pinned = JSON.parse(readFileSync("package.json", "utf8")).devDependencies as Record<string, string>;
    const { openApiSpec } = readClientNode();
    expect(bundle.kubernetesVersion).toBe(kubernetesVersionOf(openApiSpec));
    expect(bundle.source).toEqual({
      package: "@kubernetes/client-node",
      version: pinned["@kubernetes/client-node"],
      openApiSpec,
      quantitiesFrom: `kubernetes-models@${pinned["kubernetes-models"]}`,
      licence: "Apache-2.0",
    });
  });

  it("defines each kind where its group/version's API serves it", () => {
    expect(bundle.kinds["apps/v1/Deployment"]).toBe("V1Deployment");
    expect(bundle.kinds["v1/Service"]).toBe("V1Service");
    expect(bundle.kinds["v1/Event"]).toBe("CoreV1Event");
    expect(bundle.kinds["events.k8s.io/v1/Event"]).toBe("EventsV1Event");
    expect(bundle.kinds["policy/v1/PodDisruptionBudget"]).toBe("V1PodDisruptionBudget");
    expect(bundle.kinds["autoscaling/v2/HorizontalPodAutoscaler"]).toBe("V2HorizontalPodAutoscaler");
    expect(bundle.kinds["apps/v1/DeploymentList"]).toBe("V1DeploymentList");
    // POST-only kinds come from the body they take.
    expect(bundle.kinds["authorization.k8s.io/v1/SubjectAccessReview"]).toBe("V1SubjectAccessReview");
    // A deployment's scale subresource serves autoscaling/v1 Scale, not an apps kind.
    expect(Object.keys(bundle.kinds).filter((k) => k.endsWith("/Scale"))).toEqual([]);
  });

  it("leaves out the models and APIs of earlier versions the package still ships but does not export", () => {
    expect(existsSync(`${CLIENT_NODE_DIR}/dist/gen/apis/NetworkingV1alpha1Api.js`)).toBe(true);
    expect(existsSync(`${CLIENT_NODE_DIR}/dist/gen/models/V1alpha1IPAddress.js`)).toBe(true);
    expect(Object.keys(bundle.kinds).filter((k) => k.startsWith("networking.k8s.io/v1alpha1/"))).toEqual([]);
    expect(bundle.definitions.V1alpha1IPAddress).toBeUndefined();
  });

  it("keeps which properties are required, and integers apart from numbers", () => {
    expect(definition("V1DeploymentSpec").required).toEqual(["selector", "template"]);
    expect(definition("V1DeploymentSpec").properties!.replicas).toEqual({ type: "integer", format: "int32" });
    expect(definition("V1PodSecurityContext").properties!.supplementalGroups).toEqual({
      type: "array",
      items: { type: "integer", format: "int64" },
    });
    expect(definition("V1Container").required).toEqual(["name"]);
    expect(definition("V1ConfigMap").properties!.data).toEqual({ type: "object", additionalProperties: { type: "string" } });
  });

  it("restores int-or-string and quantities, which the models type as plain strings", () => {
    expect(definition("V1HTTPGetAction").properties!.port).toEqual(ref(INT_OR_STRING));
    expect(definition("V1ResourceRequirements").properties!.limits).toEqual({ type: "object", additionalProperties: ref(QUANTITY) });
    expect(definition("V1EmptyDirVolumeSource").properties!.sizeLimit).toEqual(ref(QUANTITY));
    expect(definition("V1LimitRangeItem").properties!.max).toEqual({ type: "object", additionalProperties: ref(QUANTITY) });
    expect(definition(QUANTITY)).toEqual({ type: "string" });
    expect(definition(INT_OR_STRING)).toEqual({ type: "string", format: "int-or-string" });
  });
});

describe("reading client-node's generated names and paths", () => {
  it("tells a resource path's group/version, and a subresource from a resource", () => {
    expect(resourcePath("/apis/apps/v1/namespaces/{namespace}/deployments/{name}")).toEqual({ groupVersion: "apps/v1", resource: true });
    expect(resourcePath("/api/v1/namespaces/{name}")).toEqual({ groupVersion: "v1", resource: true });
    expect(resourcePath("/api/v1/namespaces/{namespace}/pods")).toEqual({ groupVersion: "v1", resource: true });
    expect(resourcePath("/apis/apps/v1/namespaces/{namespace}/deployments/{name}/scale")).toEqual({ groupVersion: "apps/v1", resource: false });
    expect(resourcePath("/apis/apps/v1/")).toEqual({ groupVersion: "apps/v1", resource: false });
    expect(resourcePath("/version/")).toBeUndefined();
  });

  it("takes the kind and version from a model's name", () => {
    expect(kindOfModel("V1Deployment")).toEqual({ version: "v1", kind: "Deployment" });
    expect(kindOfModel("CoreV1Event")).toEqual({ version: "v1", kind: "Event" });
    expect(kindOfModel("V1beta2DeviceClass")).toEqual({ version: "v1beta2", kind: "DeviceClass" });
    expect(kindOfModel("V1APIService")).toEqual({ version: "v1", kind: "APIService" });
    expect(kindOfModel("IntOrString")).toBeUndefined();
  });

  it("names the Kubernetes version of the spec the code says it came from, or refuses to guess", () => {
    expect(kubernetesVersionOf("release-1.36")).toBe("1.36.0");
    expect(kubernetesVersionOf("v1.35.0")).toBe("1.35.0");
    expect(() => kubernetesVersionOf("master")).toThrow('cannot tell the Kubernetes version of OpenAPI spec "master"');
  });
});

describe("validationDifferences", () => {
  const base = (): KubernetesBundle => ({
    kubernetesVersion: "1.0.0",
    source: { repository: "example/spec", tag: "v1", commit: "0".repeat(40), path: "swagger.json", sha256: "", licence: "Apache-2.0" },
    kinds: { "demo.k8s.io/v1/Widget": "io.k8s.api.demo.v1.Widget" },
    definitions: {
      "io.k8s.api.demo.v1.Widget": {
        type: "object",
        required: ["spec"],
        properties: { spec: { $ref: "#/definitions/io.k8s.api.demo.v1.WidgetSpec" } },
      },
      "io.k8s.api.demo.v1.WidgetSpec": { type: "object", properties: { size: { $ref: `#/definitions/${QUANTITY}` }, count: { type: "integer" } } },
      [QUANTITY]: { type: "string" },
    },
  });

  it("finds none between bundles that validate alike, whatever their definitions are called", () => {
    const renamed = base();
    renamed.kinds["demo.k8s.io/v1/Widget"] = "V1Widget";
    renamed.definitions = {
      V1Widget: { type: "object", required: ["spec"], properties: { spec: { $ref: "#/definitions/V1WidgetSpec" } } },
      V1WidgetSpec: { type: "object", properties: { size: { $ref: `#/definitions/${QUANTITY}` }, count: { type: "integer" } } },
      [QUANTITY]: { type: "string" },
    };
    expect(validationDifferences(base(), renamed)).toEqual([]);
  });

  it("names each kind, property, required field and type that differs, where it is", () => {
    const other = base();
    other.kinds["demo.k8s.io/v1/Gadget"] = "io.k8s.api.demo.v1.Widget";
    other.definitions["io.k8s.api.demo.v1.Widget"]!.required = [];
    other.definitions["io.k8s.api.demo.v1.WidgetSpec"]!.properties = { size: { type: "string" }, count: { type: "number" }, colour: { type: "string" } };
    expect(validationDifferences(base(), other)).toEqual([
      "io.k8s.api.demo.v1.Widget: required [spec] / []",
      "io.k8s.api.demo.v1.WidgetSpec.count: type integer / number",
      `io.k8s.api.demo.v1.WidgetSpec.size (${QUANTITY}): type number|string / string`,
      "io.k8s.api.demo.v1.WidgetSpec: property colour only in the second",
      "kind demo.k8s.io/v1/Gadget only in the second",
    ]);
  });
});
