import { describe, expect, test } from "vitest";
import type { TenantSpec } from "../../infra/config/spec";
import { isApim } from "../../policy/lib/resources";
import { rules } from "../../policy/rules";
import { engineConfigFor, listStacks, loadStackSpec } from "../../stacks/stack-config";
import { runProgram } from "../support/pulumi-program";
import { policyConfigFile } from "./support/config-files";
import { T } from "./support/fixtures";
import { policyProps, wireSecret, type StackResourceInput } from "./support/policy-args";
import { programResources, runPack, type ProgramResource } from "./support/program-stack";

/** The real program under mocks for a committed stack, its spec altered where a test forces a change past the config's checks. */
async function declaredWith(stack: string, alter: (spec: TenantSpec) => TenantSpec): Promise<ProgramResource[]> {
  const { declareTimesheetsTenant } = await import("../../infra/program.js");
  const { loadTenantSpec } = await import("../../infra/config/load.js");
  const run = await runProgram(stack, engineConfigFor(stack), () => declareTimesheetsTenant(alter(loadTenantSpec())));
  return programResources(run.resources, stack);
}

// Each committed stack runs once; the tests only read the (plain data) result.
const unaltered = new Map<string, Promise<ProgramResource[]>>();

function declared(stack: string, alter?: (spec: TenantSpec) => TenantSpec): Promise<ProgramResource[]> {
  if (alter !== undefined) return declaredWith(stack, alter);
  const cached = unaltered.get(stack) ?? declaredWith(stack, (spec) => spec);
  unaltered.set(stack, cached);
  return cached;
}

/** The same change to what validateResource and validateStack see of one resource. */
function edit(
  resources: readonly ProgramResource[],
  name: string,
  change: (resource: StackResourceInput) => StackResourceInput,
): ProgramResource[] {
  expect(resources.map((resource) => resource.input.name)).toContain(name);
  return resources.map((resource) =>
    resource.input.name === name ? { input: change(resource.input), output: change(resource.output) } : resource,
  );
}

/** A resource declared directly, as a change to the program might; inputs and outputs alike. */
function added(stack: string, resource: Omit<StackResourceInput, "stack">): ProgramResource {
  return { input: { ...resource, stack }, output: { ...resource, stack } };
}

const run = (stack: string, resources: readonly ProgramResource[], configStack = stack) =>
  runPack(rules, resources, policyConfigFile(configStack));

describe.each(listStacks())("the %s stack as the program declares it", (stack) => {
  test("passes every rule under its own policy config", async () => {
    const resources = await declared(stack);
    // The pack saw the tenant: the rules below have something to judge.
    expect(resources.map((resource) => resource.input.type)).toEqual(
      expect.arrayContaining([T.resourceServer, T.grant, T.client, T.connection]),
    );
    expect(await run(stack, resources)).toEqual([]);
  });

  // The local gateway is no Azure resource: the local stack has no policy here to judge (its policies run in local/apim).
  const azureGateway = loadStackSpec(stack).gateway?.service.mode !== "local";
  if (azureGateway)
    test("holds the gateway to the stack's audience", async () => {
      const resources = await declared(stack);
      expect(resources.filter((resource) => isApim(resource.input.type, "ApiPolicy"))).toHaveLength(1);
      const identifier = loadStackSpec(stack).api.identifier;
      const elsewhere = "https://timesheets.elsewhere.exampleco.com/api";
      const broken = edit(resources, "gateway-api-policy", (policy) => ({
        ...policy,
        props: {
          ...policy.props,
          value: String(policy.props?.["value"]).replace(`<audience>${identifier}</audience>`, `<audience>${elsewhere}</audience>`),
        },
      }));
      expect(await run(stack, broken)).toEqual([
        {
          policy: "apim-jwt-validation",
          level: stack === "dev" ? "advisory" : "mandatory",
          resource: "gateway-api-policy",
          message: `ApiPolicy "gateway-api-policy": validate-jwt accepts the audience ${elsewhere}, which no resource server in this stack declares; expected one of [${identifier}]`,
        },
      ]);
    });
});

const stacksWithTestUser = listStacks().filter((stack) => loadStackSpec(stack).testUser !== undefined);

test("some committed stack declares a test user", () => {
  expect(stacksWithTestUser.length).toBeGreaterThan(0);
});

test.each(stacksWithTestUser)("%s hands the rules the program's secrets as plain values, as the policy SDK does", async (stack) => {
  const user = (await declared(stack)).find((resource) => resource.input.type === T.user);
  // The program wraps the password in pulumi.secret; the engine sends it marked, the SDK unwraps it.
  expect(user?.input.props?.["password"]).toEqual(wireSecret(expect.any(String)));
  expect(typeof policyProps(user?.input.props ?? {})["password"]).toBe("string");
});

describe("prod, broken on purpose", () => {
  const prodApi = loadStackSpec("prod").api.identifier;

  test("HS256 on the resource server, forced past the spec", async () => {
    const resources = edit(await declared("prod"), "timesheets-api-resource-server", (server) => ({
      ...server,
      props: { ...server.props, signingAlg: "HS256" },
    }));
    expect(await run("prod", resources)).toEqual([
      {
        policy: "resource-server-signing",
        level: "mandatory",
        resource: "timesheets-api-resource-server",
        message:
          "signingAlg is HS256, which is refused in prod (every verifier would hold the secret that signs tokens); expected RS256 or PS256",
      },
    ]);
  });

  test("an extra grant with allowAllScopes", async () => {
    const extra = added("prod", {
      type: T.grant,
      name: "reporting-grant",
      props: { audience: prodApi, clientId: "reporting-client-id", allowAllScopes: true },
    });
    expect(await run("prod", [...(await declared("prod")), extra])).toEqual([
      {
        policy: "client-grants-least-privilege",
        level: "mandatory",
        resource: "reporting-grant",
        message: 'ClientGrant "reporting-grant" sets allowAllScopes; list the scopes it needs explicitly',
      },
    ]);
  });

  test("a test user in prod, and the application that signs it in", async () => {
    const devUser = loadStackSpec("dev").testUser;
    if (devUser === undefined) throw new Error("the dev stack declares a test user");
    const resources = await declared("prod", (spec) => ({
      ...spec,
      testUser: { ...devUser, email: "timesheets-test@exampleco.com", password: undefined },
    }));
    expect(await run("prod", resources)).toEqual([
      {
        policy: "password-grants",
        level: "mandatory",
        resource: "integration-test-client",
        message: "the integration-test application is refused in prod: it signs a test user in with a known password; remove testUserEmail",
      },
      {
        policy: "no-users-in-prod",
        level: "mandatory",
        resource: "user-store-test-user",
        message: "auth0.User resources are refused in prod: a declared user's password passes through the program and its state",
      },
    ]);
  });

  test("unprotected resources in prod", async () => {
    const resources = await declared("prod", (spec) => ({ ...spec, protect: false }));
    expect(await run("prod", resources)).toEqual([
      {
        policy: "protected-in-prod",
        level: "mandatory",
        resource: "timesheets-api-resource-server",
        message:
          "in prod this resource must be protected (protect: true): a new one gets a new identity: every client grant and token issued for it stops working",
      },
      {
        policy: "protected-in-prod",
        level: "mandatory",
        resource: "user-store-connection",
        message: "in prod this resource must be protected (protect: true): deleting it deletes every user stored in it",
      },
    ]);
  });

  test("a token lifetime over prod's maximum", async () => {
    const resources = await declared("prod", (spec) => ({ ...spec, api: { ...spec.api, tokenLifetime: 7200 } }));
    expect(await run("prod", resources)).toEqual([
      {
        policy: "timesheets-api-tokens",
        level: "mandatory",
        resource: "timesheets-api-resource-server",
        message: "tokenLifetime is 7200 seconds; this stack allows at most 3600",
      },
    ]);
  });

  test("the import job granted more than it needs", async () => {
    const resources = await declared("prod", (spec) => ({
      ...spec,
      importJob: { ...spec.importJob, grant: { ...spec.importJob.grant, scopes: ["batch:upload", "delete:timesheets"] } },
    }));
    expect(await run("prod", resources)).toEqual([
      {
        policy: "client-grants-least-privilege",
        level: "mandatory",
        resource: "import-job-grant",
        message:
          'ClientGrant "import-job-grant" is the import job\'s grant and lists [batch:upload, delete:timesheets]; its least-privilege set is exactly [batch:upload]',
      },
    ]);
  });

  test("checked with dev's policy config", async () => {
    const violations = await run("prod", await declared("prod"), "dev");
    expect(violations.map(({ policy, message }) => `${policy}: ${message}`)).toEqual([
      'policy-config-matches-stack: the policy config is for dev but the stack is "prod"; pass --policy-pack-config policy/config/prod.json',
      `policy-config-matches-stack: the policy config names the Timesheets API https://timesheets.dev.exampleco.com/api, but no resource server in the stack "prod" has that identifier; is this the stack's policy config?`,
      `client-grants-least-privilege: ClientGrant "import-job-grant" is the import job's grant but its audience is ${prodApi}; expected the Timesheets API, https://timesheets.dev.exampleco.com/api`,
    ]);
  });
});
