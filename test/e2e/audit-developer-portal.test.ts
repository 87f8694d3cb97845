import { afterAll, beforeAll, beforeEach, expect, test } from "vitest";
import { loadStackSpec } from "../../stacks/stack-config";
import { type Auth0StandIn } from "../../local/auth0";
import { startAuth0StandIn } from "../support/stand-in";
import { auditorEnv, jsonReport, managementApi, runAudit, seedTenant, type SeededTenant } from "./audit-seed";

// The developer portal's application is the program's own where the stack has `apim.developerPortal`
// (dev): the audit knows it, and reports what is changed on it outside the code, first of all a
// callback added out of band (a page the sign-in may send its code to).

const spec = loadStackSpec("dev");
const portal = spec.gateway?.developerPortal;
if (portal === undefined) throw new Error("the dev stack has no developer portal");
let standIn: Auth0StandIn;
let seed: SeededTenant;

beforeAll(async () => {
  standIn = await startAuth0StandIn({ domain: spec.tenant.domain });
});
afterAll(() => standIn?.close());
beforeEach(async () => {
  standIn.reset();
  seed = await seedTenant(standIn, spec);
});

const findings = async () => {
  const run = await runAudit(["--stack", "dev", "--format", "json"], await auditorEnv(standIn), standIn.fetch);
  return { exitCode: run.code, findings: jsonReport(run).stacks[0]?.findings ?? [] };
};
const portalClientId = (): string => seed.portalApp?.clientId ?? "";

test("the tenant as the program leaves it, developer portal application included, has no drift", async () => {
  expect(await findings()).toEqual({ exitCode: 0, findings: [] });
});

test("a callback added to the portal's application out of band is drift, high, naming the callback", async () => {
  const added = "https://attacker.example.net/signin-oauth/code/callback/auth0";
  await managementApi(standIn)("PATCH", `/clients/${portalClientId()}`, { callbacks: [...portal.application.callbacks, added] });
  const run = await findings();
  expect(run.exitCode).toBe(2);
  expect(run.findings.map((f) => [f.kind, f.severity])).toEqual([["portal-app.callbacks", "high"]]);
  expect(run.findings[0]?.actual).toContain(added);
  expect(run.findings[0]?.expected).toEqual([...portal.application.callbacks]);
});

test("web origins, the implicit grant or a wider user grant added to it are drift too", async () => {
  const management = managementApi(standIn);
  await management("PATCH", `/clients/${portalClientId()}`, {
    web_origins: ["https://attacker.example.net"],
    grant_types: ["authorization_code", "implicit"],
  });
  await management("PATCH", `/client-grants/${seed.portalApp?.grantId ?? ""}`, {
    scope: [...portal.application.grant.scopes, "delete:timesheets"],
  });
  expect((await findings()).findings.map((f) => f.kind).sort()).toEqual([
    "grant.portal-app-scopes",
    "portal-app.grant-types",
    "portal-app.web-origins",
  ]);
});

test("the application deleted: missing, and no longer among the connection's clients is not reported twice", async () => {
  await managementApi(standIn)("DELETE", `/clients/${portalClientId()}`);
  expect((await findings()).findings.map((f) => f.kind)).toEqual(["portal-app.missing"]);
});
