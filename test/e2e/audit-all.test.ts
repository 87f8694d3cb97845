import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { envSuffix } from "../../stacks/auth0/credentials";
import { listDeliveredStacks, listStacks, loadStackSpec } from "../../stacks/stack-config";
import { type Auth0StandIn } from "../../local/auth0";
import { startAuth0StandIn } from "../support/stand-in";
import { AUDITOR_SCOPES, jsonReport, runAudit, seedTenant, tenantsFetch } from "./audit-seed";

// `--all` over the committed stacks, each on its own tenant with its own auditor credentials,
// as a nightly job runs it.

// `--all` reaches the stacks on real tenants; local (the local Auth0) is named with --stack only.
const specs = listDeliveredStacks().map((stack) => loadStackSpec(stack));
const prod = specs.find((spec) => spec.environment === "prod");
let standIns: Auth0StandIn[];
let env: Record<string, string>;

beforeAll(async () => {
  standIns = await Promise.all(specs.map((spec) => startAuth0StandIn({ domain: spec.tenant.domain })));
});
afterAll(async () => Promise.all(standIns.map((standIn) => standIn.close())));

beforeEach(async () => {
  env = {};
  for (const [index, spec] of specs.entries()) {
    const standIn = standIns[index] as Auth0StandIn;
    standIn.reset();
    await seedTenant(standIn, spec);
    const auditor = await standIn.createManagementClient({ scopes: AUDITOR_SCOPES, name: "Drift Auditor" });
    env[`AUTH0_CLIENT_ID_${envSuffix(spec.stack)}`] = auditor.clientId;
    env[`AUTH0_CLIENT_SECRET_${envSuffix(spec.stack)}`] = auditor.clientSecret;
  }
});

const standInFor = (domain: string): Auth0StandIn => standIns.find((s) => s.domain === domain) as Auth0StandIn;

describe("audit --all", () => {
  it("audits every stack file on its own tenant: all clean, exit 0", async () => {
    const run = await runAudit(["--all", "--format", "json", "--concurrency", "2"], env, tenantsFetch(standIns));
    expect(run.code).toBe(0);
    const report = jsonReport(run);
    expect(report.stacks.map((s) => [s.stack, s.domain, s.outcome])).toEqual(specs.map((s) => [s.stack, s.tenant.domain, "no-drift"]));
    // Each tenant saw only its own auditor's calls.
    for (const standIn of standIns) expect(standIn.requests.every((r) => r.method === "GET" || r.path === "/oauth/token")).toBe(true);
  });

  it("a test user in prod is found by the addresses the other stacks declare", async () => {
    if (prod === undefined) throw new Error("no prod stack");
    const stray = specs.find((spec) => spec.testUser !== undefined)?.testUser?.email ?? "";
    await standInFor(prod.tenant.domain).createUser({
      connection: prod.connection.name,
      email: stray,
      password: "Correct-Horse-Battery-42!",
    });
    const run = await runAudit(["--all", "--format", "json"], env, tenantsFetch(standIns));
    expect(run.code).toBe(2);
    const prodAudit = jsonReport(run).stacks.find((s) => s.stack === prod.stack);
    expect(prodAudit?.findings.map((f) => [f.kind, f.severity])).toEqual([["test-user.in-prod", "high"]]);
    expect(prodAudit?.findings[0]?.resource).toContain(stray);
    // prod looked up each other stack's test user, local's included: one users-by-email call per address.
    const everyStack = listStacks().map((stack) => loadStackSpec(stack));
    expect(prodAudit?.requests?.managementApi).toBe(5 + everyStack.filter((s) => s.testUser !== undefined).length);
  });

  it("one tenant failing does not hide the others, and the run exits 1", async () => {
    const [first] = specs;
    if (first === undefined) throw new Error("no stacks");
    const secret = `AUTH0_CLIENT_SECRET_${envSuffix(first.stack)}`;
    env = Object.fromEntries(Object.entries(env).filter(([name]) => name !== secret));
    const run = await runAudit(["--all", "--format", "json"], env, tenantsFetch(standIns));
    expect(run.code).toBe(1);
    const outcomes = jsonReport(run).stacks.map((s) => s.outcome);
    expect(outcomes).toEqual(specs.map((s) => (s.stack === first.stack ? "error" : "no-drift")));
  });
});
