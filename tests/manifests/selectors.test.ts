import { describe, expect, it } from "vitest";
import { selects } from "../../scripts/validate/workloads.js";

const pod = { app: "api", tier: "backend" };

describe("selects", () => {
  it.each([
    ["matching matchLabels", { matchLabels: { app: "api" } }, true],
    ["a differing label", { matchLabels: { app: "web" } }, false],
    ["an empty selector, which selects everything", {}, true],
    ["In with the value", { matchExpressions: [{ key: "tier", operator: "In", values: ["backend", "x"] }] }, true],
    ["In without the label", { matchExpressions: [{ key: "zone", operator: "In", values: ["a"] }] }, false],
    ["NotIn with another value", { matchExpressions: [{ key: "tier", operator: "NotIn", values: ["frontend"] }] }, true],
    ["NotIn without the label", { matchExpressions: [{ key: "zone", operator: "NotIn", values: ["a"] }] }, true],
    ["NotIn with the value", { matchExpressions: [{ key: "tier", operator: "NotIn", values: ["backend"] }] }, false],
    ["Exists", { matchExpressions: [{ key: "app", operator: "Exists" }] }, true],
    ["DoesNotExist", { matchExpressions: [{ key: "app", operator: "DoesNotExist" }] }, false],
    ["an unknown operator", { matchExpressions: [{ key: "app", operator: "Like" }] }, false],
    ["labels and expressions that must both hold", { matchLabels: { app: "api" }, matchExpressions: [{ key: "tier", operator: "In", values: ["db"] }] }, false],
  ])("%s", (_, selector, expected) => {
    expect(selects(selector, pod)).toBe(expected);
  });

  it("selects nothing without a selector", () => {
    expect(selects(undefined, pod)).toBe(false);
  });
});
