import { afterAll, beforeAll, beforeEach, expect, test } from "vitest";
import { loadStackSpec } from "../../stacks/stack-config";
import { type Auth0StandIn } from "../../local/auth0";
import { startAuth0StandIn } from "../support/stand-in";
import { auditorEnv, jsonReport, runAudit } from "./audit-seed";
import { managementApi, seedForVerify, type VerifySeed } from "./verify-seed";

// The integration-test application is the program's own in stacks with a test user: the audit
// must not report it as unmanaged, and must report a change to its user grant.

const spec = loadStackSpec("dev");
let standIn: Auth0StandIn;
let seed: VerifySeed;

beforeAll(async () => {
  standIn = await startAuth0StandIn({ domain: spec.tenant.domain });
});
afterAll(() => standIn?.close());
beforeEach(async () => {
  standIn.reset();
  seed = await seedForVerify(standIn, spec);
});

const kinds = async (): Promise<string[]> => {
  const run = await runAudit(["--stack", "dev", "--format", "json"], await auditorEnv(standIn), standIn.fetch);
  return (jsonReport(run).stacks[0]?.findings ?? []).map((finding) => finding.kind);
};

test("the tenant as the program leaves it, integration-test application included, has no drift", async () => {
  expect(await kinds()).toEqual([]);
});

test("a test user given approve:timesheets through the application's user grant is drift", async () => {
  await managementApi(standIn)("PATCH", `/client-grants/${seed.testUserGrantId ?? ""}`, {
    scope: ["read:timesheets", "approve:timesheets"],
  });
  expect(await kinds()).toEqual(["grant.integration-test-app-scopes"]);
});
