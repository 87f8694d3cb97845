import { describe, expect, test } from "vitest";
import type { GatewayOperation } from "../../infra/config/spec";
import {
  apiArgs,
  apiPolicyArgs,
  gatewayUrl,
  operationArgs,
  resourceGroupArgs,
  serviceArgs,
  signingKeyNamedValueArgs,
  signingKeyValue,
  templateParameters,
} from "../../infra/azure/gateway-args";
import { renderApiPolicy } from "../../infra/azure/policy-xml";
import { loadStackSpec } from "../../stacks/stack-config";

const dev = loadStackSpec("dev");
const prod = loadStackSpec("prod");
function gatewayOf(spec: typeof dev) {
  if (spec.gateway === undefined) throw new Error(`${spec.stack} has no gateway`);
  return spec.gateway;
}
const devGateway = gatewayOf(dev);
const prodGateway = gatewayOf(prod);

describe("the API Management service", () => {
  test("dev creates a Consumption service (capacity 0) in a resource group of its own", () => {
    const service = devGateway.service;
    if (service.mode !== "create") throw new Error("dev should create its service");
    expect(resourceGroupArgs(service)).toEqual({ resourceGroupName: "rg-timesheets-dev", location: "westeurope" });
    expect(serviceArgs(service)).toEqual({
      resourceGroupName: "rg-timesheets-dev",
      serviceName: "apim-exampleco-timesheets-dev",
      location: "westeurope",
      sku: { name: "Consumption", capacity: 0 },
      publisherEmail: "platform@exampleco.com",
      publisherName: "ExampleCo Platform",
    });
  });

  test("prod names an existing service", () => {
    expect(prodGateway.service).toEqual({ mode: "existing", resourceGroupName: "rg-platform-prod", serviceName: "apim-exampleco-prod" });
  });
});

describe("the API", () => {
  test("is HTTPS only, in front of the configured backend, with no subscription key", () => {
    expect(apiArgs(prodGateway)).toEqual({
      resourceGroupName: "rg-platform-prod",
      serviceName: "apim-exampleco-prod",
      apiId: "timesheets-api",
      displayName: "Timesheets API",
      path: "api",
      protocols: ["https"],
      serviceUrl: "https://timesheets-backend.azurewebsites.net",
      subscriptionRequired: false,
      apiType: "http",
    });
  });

  test("gets its URL on the service's gateway host", () => {
    expect(gatewayUrl(devGateway)).toBe("https://apim-exampleco-timesheets-dev.azure-api.net/api");
    expect(gatewayUrl(prodGateway)).toBe("https://apim-exampleco-prod.azure-api.net/api");
  });
});

describe("operations", () => {
  test.each([
    ["/timesheets", []],
    ["/timesheets/{id}", ["id"]],
    ["/timesheets/{id}/approve", ["id"]],
    ["/teams/{team}/timesheets/{id}", ["team", "id"]],
    ["/timesheets/{id}/versions/{id}", ["id"]],
  ])("%s declares template parameters %j", (template, names) => {
    expect(templateParameters(template)).toEqual(names.map((name) => ({ name, type: "string", required: true })));
  });

  test("each operation keeps its method, template and id, and names its permission", () => {
    const approve = devGateway.operations.find((operation) => operation.id === "approve-timesheet") as GatewayOperation;
    expect(operationArgs(devGateway, approve)).toEqual({
      resourceGroupName: "rg-timesheets-dev",
      serviceName: "apim-exampleco-timesheets-dev",
      apiId: "timesheets-api",
      operationId: "approve-timesheet",
      displayName: "Approve a timesheet",
      method: "POST",
      urlTemplate: "/timesheets/{id}/approve",
      templateParameters: [{ name: "id", type: "string", required: true }],
      description: "Requires the approve:timesheets permission.",
    });
  });

  test("policies carry the renderer's XML verbatim", () => {
    expect(apiPolicyArgs(dev, devGateway)).toMatchObject({
      apiId: "timesheets-api",
      policyId: "policy",
      format: "xml",
      value: renderApiPolicy(dev),
    });
  });
});

describe("the HS256 signing key", () => {
  test("is a secret named value without a value of its own", () => {
    expect(signingKeyNamedValueArgs(devGateway)).toEqual({
      resourceGroupName: "rg-timesheets-dev",
      serviceName: "apim-exampleco-timesheets-dev",
      namedValueId: "timesheets-api-signing-key",
      displayName: "timesheets-api-signing-key",
      secret: true,
    });
  });

  test("is the base64 of the secret's UTF-8 bytes, as validate-jwt's <key> takes it", () => {
    const secret = "s3cr3t-with-ünïcode+/=";
    const value = signingKeyValue(secret);
    expect(value).toMatch(/^[A-Za-z0-9+/]+=*$/);
    expect(Buffer.from(value, "base64").toString("utf8")).toBe(secret);
  });
});
