import * as pulumi from "@pulumi/pulumi";
import { describe, expect, test } from "vitest";
import { renderApiPolicy } from "../../infra/azure/policy-xml";
import { loadTenantSpec } from "../../infra/config/load";
import { declareTimesheetsTenant } from "../../infra/program";
import { engineConfigFor, listStacks, loadStackSpec } from "../../stacks/stack-config";
import { runFailingProgram, runProgram, secretInput, valueOf, type RegisteredResource } from "../support/pulumi-program";

const T = {
  gateway: "timesheets:azure:Gateway",
  resourceGroup: "azure-native:resources:ResourceGroup",
  service: "azure-native:apimanagement:ApiManagementService",
  api: "azure-native:apimanagement:Api",
  apiPolicy: "azure-native:apimanagement:ApiPolicy",
  operation: "azure-native:apimanagement:ApiOperation",
  operationPolicy: "azure-native:apimanagement:ApiOperationPolicy",
  namedValue: "azure-native:apimanagement:NamedValue",
};

/** What Auth0 generates for an HS256 API; under mocks the resource server echoes its inputs, so the test supplies it. */
const HS256_SECRET = "auth0-generated-signing-secret-0123456789";

const nameOf = (resource: unknown): string => String((resource as { __name?: string }).__name);

/** The program under mocks, with each resource's explicit `dependsOn` (by name), which the engine uses to order creation. */
async function run(stack: string, config = engineConfigFor(stack)) {
  const dependsOn = new Map<string, string[]>();
  const program = await runProgram(stack, config, () => {
    pulumi.runtime.registerStackTransformation((args) => {
      const declared = args.opts.dependsOn;
      dependsOn.set(args.name, (Array.isArray(declared) ? declared : declared === undefined ? [] : [declared]).map(nameOf));
      return args.type === "auth0:index/resourceServer:ResourceServer" && args.props.signingAlg === "HS256"
        ? { props: { ...args.props, signingSecret: HS256_SECRET }, opts: args.opts }
        : undefined;
    });
    return declareTimesheetsTenant(loadTenantSpec());
  });
  return { ...program, dependsOn: (name: string): string[] => dependsOn.get(name) ?? [] };
}

/** Each committed stack's own config runs once; the tests read the same recording. */
const committedRuns = new Map<string, ReturnType<typeof run>>();
function runCommitted(stack: string): ReturnType<typeof run> {
  const existing = committedRuns.get(stack);
  if (existing !== undefined) return existing;
  const started = run(stack);
  committedRuns.set(stack, started);
  return started;
}

function withApim(stack: string, changes: Record<string, unknown>): Record<string, string> {
  const config = engineConfigFor(stack);
  const apim = JSON.parse(config["timesheets:apim"] ?? "{}") as Record<string, unknown>;
  return { ...config, "timesheets:apim": JSON.stringify({ ...apim, ...changes }) };
}

const azure = (resources: readonly RegisteredResource[]) => resources.filter((r) => r.type.startsWith("azure-native:"));

/** The stacks whose gateway is Azure API Management; `local`'s is the local gateway (below). */
const azureStacks = listStacks().filter((stack) => loadStackSpec(stack).gateway?.service.mode !== "local");

describe("the local stack's gateway", () => {
  test("is the local gateway: not one Azure resource, and the gateway URL is its address", async () => {
    const spec = loadStackSpec("local");
    const service = spec.gateway?.service;
    if (service?.mode !== "local") throw new Error("the local stack's gateway is not the local gateway");
    const program = await runCommitted("local");
    expect(azure(program.resources)).toEqual([]);
    expect(program.ofType(T.gateway)).toEqual([]);
    expect(await valueOf(program.outputs.gatewayUrl as pulumi.Output<string>)).toBe(`https://${service.address}/api`);
  });

  test("an Azure gateway mode in environment local, and the local mode elsewhere, are refused", async () => {
    const azureInLocal = await runFailingProgram(
      "local",
      withApim("local", {
        mode: "existing",
        address: undefined,
        resourceGroupName: "rg",
        serviceName: "apim-x",
        backendUrl: "https://b.exampleco.com",
      }),
      () => declareTimesheetsTenant(loadTenantSpec()),
    );
    expect(String(azureInLocal.error)).toMatch(/apim.mode: is "existing" \(Azure\); environment local takes only the local gateway/);
    const localInDev = await runFailingProgram(
      "dev",
      { ...engineConfigFor("dev"), "timesheets:apim": JSON.stringify({ mode: "local", address: "127.0.0.1:7444" }) },
      () => declareTimesheetsTenant(loadTenantSpec()),
    );
    expect(String(localInDev.error)).toMatch(
      /apim.mode: is "local" \(the local gateway on this machine\), accepted only in environment local; this stack is dev/,
    );
  });
});

describe.each(azureStacks)("the %s stack's gateway", (stack) => {
  const spec = loadStackSpec(stack);
  const gateway = spec.gateway;
  if (gateway === undefined) throw new Error(`${stack} has no gateway`);
  const service = gateway.service;
  if (service.mode === "local") throw new Error(`${stack}'s gateway is not in Azure`);

  test("is one component whose Azure children take no explicit provider (the default one reads ARM_* from the environment)", async () => {
    const program = await runCommitted(stack);
    expect(program.one(T.gateway).name).toBe("gateway");
    const children = azure(program.resources);
    expect(children.length).toBeGreaterThanOrEqual(8);
    for (const child of children) {
      expect(child.parentName, child.name).toBe("gateway");
      expect(child.name.startsWith("gateway-"), child.name).toBe(true);
      // Mocks report an empty reference for the engine's default provider; the Auth0 children name theirs.
      expect(child.provider ?? "", child.name).toBe("");
    }
  });

  test("declares the Timesheets API, HTTPS only, in front of the configured backend", async () => {
    const program = await runCommitted(stack);
    expect(program.one(T.api).inputs).toMatchObject({
      resourceGroupName: service.resourceGroupName,
      serviceName: service.serviceName,
      apiId: "timesheets-api",
      path: "api",
      protocols: ["https"],
      serviceUrl: gateway.api.backendUrl,
      subscriptionRequired: false,
    });
  });

  test("declares each operation with its template parameters", async () => {
    const program = await runCommitted(stack);
    const operations = program.ofType(T.operation).map((r) => r.inputs);
    expect(operations.map((o) => `${String(o.method)} ${String(o.urlTemplate)}`)).toEqual([
      "POST /timesheets/upload",
      "GET /timesheets",
      "GET /timesheets/{id}",
      "POST /timesheets",
      "DELETE /timesheets/{id}",
      "POST /timesheets/{id}/approve",
    ]);
    for (const operation of operations) {
      const expected = String(operation.urlTemplate).includes("{id}") ? [{ name: "id", type: "string", required: true }] : [];
      expect(operation.templateParameters ?? [], String(operation.urlTemplate)).toEqual(expected);
    }
  });

  test("sends the renderer's XML, unchanged, as the one API policy; no operation has a policy of its own", async () => {
    const program = await runCommitted(stack);
    expect(program.one(T.apiPolicy).inputs).toMatchObject({ apiId: "timesheets-api", format: "xml", value: renderApiPolicy(spec) });
    expect(program.ofType(T.operationPolicy)).toEqual([]);
  });

  test("creates each operation only after the API policy that already names it, so no operation is ever reachable without its check", async () => {
    const program = await runCommitted(stack);
    expect(program.dependsOn("gateway-api-policy")).toContain("gateway-api");
    for (const operation of gateway.operations) {
      expect(program.dependsOn(`gateway-operation-${operation.id}`)).toEqual(["gateway-api", "gateway-api-policy"]);
      expect(String(program.one(T.apiPolicy).inputs.value)).toContain(`context.Operation.Id == &quot;${operation.id}&quot;`);
    }
    expect(program.dependsOn("gateway-api")).toEqual([
      ...(gateway.service.mode === "create" ? ["gateway-service"] : []),
      // The API names the authorization server in its authentication settings: API Management needs it first.
      ...(gateway.developerPortal === undefined ? [] : ["gateway-authorization-server"]),
    ]);
  });

  test("holds no signing key: RS256 keys come from Auth0's OpenID configuration", async () => {
    const program = await runCommitted(stack);
    expect(program.ofType(T.namedValue)).toEqual([]);
  });

  test("exports the API's gateway URL", async () => {
    const { outputs } = await runCommitted(stack);
    expect(await valueOf(outputs.gatewayUrl as pulumi.Output<string>)).toBe(`https://${service.serviceName}.azure-api.net/api`);
  });
});

describe("the API Management service", () => {
  test("dev creates a Consumption service in a resource group it creates, unprotected", async () => {
    const program = await runCommitted("dev");
    expect(program.one(T.resourceGroup).inputs).toEqual({ resourceGroupName: "rg-timesheets-dev", location: "westeurope" });
    const service = program.one(T.service);
    expect(service.inputs).toMatchObject({
      resourceGroupName: "rg-timesheets-dev",
      serviceName: "apim-exampleco-timesheets-dev",
      location: "westeurope",
      sku: { name: "Consumption", capacity: 0 },
      publisherEmail: "platform@exampleco.com",
      publisherName: "ExampleCo Platform",
    });
    expect(service.protect).toBe(false);
  });

  test.each(["staging", "prod"])("%s declares no service and no resource group: it uses the existing one", async (stack) => {
    const program = await runCommitted(stack);
    expect(program.ofType(T.service)).toEqual([]);
    expect(program.ofType(T.resourceGroup)).toEqual([]);
  });

  test("a service in a named resource group declares no resource group", async () => {
    const program = await run("dev", withApim("dev", { createResourceGroup: false }));
    expect(program.ofType(T.resourceGroup)).toEqual([]);
    expect(program.one(T.service).inputs.resourceGroupName).toBe("rg-timesheets-dev");
  });

  test("prod protects a service it creates, with its SKU and capacity", async () => {
    const create = {
      mode: "create",
      sku: "Premium",
      capacity: 2,
      publisherEmail: "platform@exampleco.com",
      publisherName: "ExampleCo",
      location: "westeurope",
      createResourceGroup: true,
    };
    const program = await run("prod", withApim("prod", create));
    const service = program.one(T.service);
    expect(service.inputs.sku).toEqual({ name: "Premium", capacity: 2 });
    expect(service.protect).toBe(true);
    expect(program.one(T.resourceGroup).protect).toBe(true);
  });

  test("a subscription key is required only where config asks for it", async () => {
    const program = await run("staging", withApim("staging", { subscriptionRequired: true }));
    expect(program.one(T.api).inputs.subscriptionRequired).toBe(true);
  });
});

describe("HS256 (dev, opted in)", () => {
  const config = { ...engineConfigFor("dev"), "timesheets:signingAlg": "HS256", "timesheets:allowHs256": "true" };

  test("keeps the base64 signing secret in a secret named value, sent to the engine as a secret", async () => {
    const program = await run("dev", config);
    const namedValue = program.one(T.namedValue);
    expect(namedValue.inputs).toMatchObject({
      namedValueId: "timesheets-api-signing-key",
      displayName: "timesheets-api-signing-key",
      secret: true,
    });
    expect(secretInput(namedValue.inputs.value)).toEqual({ secret: true, value: Buffer.from(HS256_SECRET, "utf8").toString("base64") });
  });

  test("declares the named value before the policy that names it", async () => {
    const program = await run("dev", config);
    expect(program.dependsOn(program.one(T.apiPolicy).name)).toContain("gateway-signing-key");
  });

  test("never writes the secret into a policy; the policies name the named value", async () => {
    const program = await run("dev", config);
    const policies = [program.one(T.apiPolicy), ...program.ofType(T.operationPolicy)];
    expect(policies).toHaveLength(1);
    const encoded = Buffer.from(HS256_SECRET, "utf8").toString("base64");
    for (const policy of policies) {
      const xml = String(policy.inputs.value);
      expect(xml).toContain("<key>{{timesheets-api-signing-key}}</key>");
      expect(xml).not.toContain(HS256_SECRET);
      expect(xml).not.toContain(encoded);
    }
  });
});

test("the entry point exports the gateway URL", async () => {
  const program = await runProgram(
    "staging",
    engineConfigFor("staging"),
    async () => (await import("../../infra/index.js")) as Record<string, unknown>,
  );
  expect(await valueOf(program.outputs.gatewayUrl as pulumi.Output<string>)).toBe("https://apim-exampleco-staging.azure-api.net/api");
});

describe("gateway config is refused before any resource is declared", () => {
  const cases = [
    {
      name: "an operation naming an unknown permission",
      config: withApim("dev", {
        operations: [{ id: "export", method: "GET", urlTemplate: "/export", displayName: "Export", permission: "export:timesheets" }],
      }),
      key: "apim.operations.0.permission",
    },
    {
      name: "a plain-http backend",
      config: withApim("staging", { backendUrl: "http://timesheets-backend-staging.azurewebsites.net" }),
      key: "apim.backendUrl",
    },
    { name: "no service name", config: withApim("prod", { serviceName: undefined }), key: "apim.serviceName" },
    { name: "no resource group", config: withApim("prod", { resourceGroupName: undefined }), key: "apim.resourceGroupName" },
    { name: "an unknown SKU", config: withApim("dev", { sku: "Gold" }), key: "apim.sku" },
    { name: "a SKU for an existing service", config: withApim("staging", { sku: "Premium" }), key: "apim.sku" },
  ];

  test.each(cases)("$name ($key)", async ({ config, key }) => {
    const stack = config["timesheets:environment"] ?? "dev";
    const { error, registeredCount } = await runFailingProgram(stack, config, () => declareTimesheetsTenant(loadTenantSpec()));
    expect(pulumi.RunError.isInstance(error)).toBe(true);
    expect((error as Error).message).toMatch(new RegExp(`timesheets:${key.replace(/\./g, "\\.")}: `));
    expect(registeredCount).toBe(0);
  });
});
