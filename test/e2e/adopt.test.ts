import { afterEach, describe, expect, test } from "vitest";
import { parse } from "yaml";
import { loadTenantSpec } from "../../infra/config/load";
import { declareTimesheetsTenant } from "../../infra/program";
import { adoptionPlan, adoptionYaml, main } from "../../stacks/adopt";
import { NO_ROLES, completeSnapshot } from "../../stacks/auth0/model";
import { engineConfigFor, loadStackSpec } from "../../stacks/stack-config";
import { type Auth0StandIn } from "../../local/auth0";
import { startAuth0StandIn } from "../support/stand-in";
import { m2m } from "../support/live-clients";
import { runProgram } from "../support/pulumi-program";
import { auditorEnv, seedTenant } from "./audit-seed";

let standIn: Auth0StandIn | undefined;
afterEach(async () => {
  await standIn?.close();
  standIn = undefined;
});

async function adopt(stack: string, env: Record<string, string>, fetch: typeof globalThis.fetch) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(["--stack", stack], env, { stdout: (t) => out.push(t), stderr: (t) => err.push(t), fetch });
  return { code, out: out.join("\n"), err: err.join("\n") };
}

describe("npm run adopt", () => {
  test("finds a hand-made tenant's objects, read-only, and the program then imports exactly those", async () => {
    const spec = loadStackSpec("prod");
    standIn = await startAuth0StandIn({ domain: spec.tenant.domain });
    const seeded = await seedTenant(standIn, spec);
    const env = await auditorEnv(standIn);
    const before = standIn.requests.length;

    const { code, out, err } = await adopt("prod", env, standIn.fetch);

    expect(code).toBe(0);
    expect(standIn.requests.slice(before).filter((r) => r.method !== "GET" && r.path !== "/oauth/token")).toEqual([]);
    const ids = (parse(out) as { "timesheets:adopt": Record<string, string> })["timesheets:adopt"];
    const resourceServerId = [...standIn.tenant.resourceServers.values()].find((rs) => rs.identifier === spec.api.identifier)?.id;
    expect(ids).toEqual({
      resourceServerId,
      importJobClientId: seeded.importJobClientId,
      importJobGrantId: expect.stringMatching(/^cgr_/) as unknown,
      connectionId: seeded.connectionId,
    });
    expect(err).toMatch(/run `npm run audit -- --stack prod` as the auditor \([^)]*\) until it reports no drift/);
    // The block is not for keeping: adopt says when it goes.
    expect(err).toMatch(
      /Then run `npm run up -- --stack prod` as the deployer .* to adopt, and remove the lines again \(the runner says when\)/,
    );

    const config = { ...engineConfigFor("prod"), "timesheets:adopt": JSON.stringify(ids) };
    const program = await runProgram("prod", config, () => declareTimesheetsTenant(loadTenantSpec()));
    expect(program.resources.find((r) => r.name === "import-job-grant")?.importId).toBe(ids.importJobGrantId);
    expect(program.resources.find((r) => r.name === "timesheets-api-resource-server")?.importId).toBe(resourceServerId);
  });

  test("an empty tenant adopts nothing and says everything will be created", async () => {
    const spec = loadStackSpec("staging");
    standIn = await startAuth0StandIn({ domain: spec.tenant.domain });
    const { code, out, err } = await adopt("staging", await auditorEnv(standIn), standIn.fetch);
    expect(code).toBe(0);
    expect(parse(out)).toEqual({ "timesheets:adopt": {} });
    expect(err).toMatch(/no API with the identifier https:\/\/timesheets.staging.exampleco.com\/api: it will be created/);
    expect(err).toMatch(/the test user is never adopted/);
  });

  test("two clients with the import job's name are refused: which one to adopt is a person's decision", async () => {
    const spec = loadStackSpec("prod");
    standIn = await startAuth0StandIn({ domain: spec.tenant.domain });
    await seedTenant(standIn, spec);
    await standIn.createClient({ name: "Timesheets Import Job", app_type: "non_interactive" });
    const { code, err } = await adopt("prod", await auditorEnv(standIn), standIn.fetch);
    expect(code).toBe(1);
    expect(err).toMatch(/2 clients are named "Timesheets Import Job"/);
  });

  test("an auditor without the read scopes gets exit 1 and the scope it lacks", async () => {
    const spec = loadStackSpec("prod");
    standIn = await startAuth0StandIn({ domain: spec.tenant.domain });
    const { code, err } = await adopt("prod", await auditorEnv(standIn, ["read:clients"]), standIn.fetch);
    expect(code).toBe(1);
    expect(err).toMatch(/could not be read in full: .*read:resource_servers/);
  });
});

test("the block is ready to paste under config:", () => {
  expect(adoptionYaml({ resourceServerId: "5f2d1a9c8b7e6d5c4b3a2f1e", connectionId: "con_Dzr2ZT4EcjQRv1yo" })).toBe(
    "  timesheets:adopt:\n    resourceServerId: 5f2d1a9c8b7e6d5c4b3a2f1e\n    connectionId: con_Dzr2ZT4EcjQRv1yo",
  );
});

test("only the import job's grant on this API is adopted, never its grant on another API", () => {
  const spec = loadStackSpec("prod");
  const job = m2m({ clientId: "AaiyAPdpYdesoKnqjj8HJqRn4T5titww", name: spec.importJob.name });
  const grant = (id: string, audience: string) => ({
    id,
    clientId: job.clientId,
    defaultFor: undefined,
    audience,
    scopes: ["batch:upload"],
    allowAllScopes: false,
    subjectType: "client",
  });
  const plan = adoptionPlan(
    spec,
    completeSnapshot({
      resourceServer: undefined,
      clients: [job],
      grants: [grant("cgr_OtherApi00000000", "https://reports.exampleco.com/api")],
      connection: undefined,
      enabledClients: [],
      usersByEmail: new Map(),
      testUserRoles: NO_ROLES,
    }),
  );
  expect(plan).toEqual({
    adopt: { importJobClientId: job.clientId },
    notes: [
      "no API with the identifier https://timesheets.exampleco.com/api: it will be created",
      "the import job has no grant on https://timesheets.exampleco.com/api: it will be created",
      'no connection named "timesheets-users": it will be created',
    ],
  });
});

describe("the developer portal's application", () => {
  test("is never adopted: one made by hand is named, with what to do, and no id is printed for it", async () => {
    const spec = loadStackSpec("dev");
    const name = spec.gateway?.developerPortal?.application.name ?? "";
    const handMade = m2m({ clientId: "PortalByHand00000000000000000000", name });
    const plan = adoptionPlan(
      spec,
      completeSnapshot({
        resourceServer: undefined,
        clients: [handMade],
        grants: [],
        connection: undefined,
        enabledClients: [],
        usersByEmail: new Map(),
        testUserRoles: NO_ROLES,
      }),
    );
    if ("error" in plan) throw new Error(plan.error);
    expect(plan.adopt).toEqual({});
    expect(plan.notes).toContain(
      `the developer portal's application is never adopted: delete the client named "${name}" (${handMade.clientId}) and its grant, and the program creates its own (API Management's authorization server then gets its id and secret); kept, the audit reports portal-app.duplicated`,
    );
  });
});
