import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { loadStackSpec } from "../../stacks/stack-config";
import type { VerifyReport } from "../../stacks/verify/report";
import { type Auth0StandIn } from "../../local/auth0";
import { startAuth0StandIn } from "../support/stand-in";
import { startGatewayServer, type GatewayServer } from "../../local/apim/gateway-server";
import { tenantsFetch } from "../support/validate-jwt/gateway-fixture";
import { auditorEnv, jsonReport, managementApi, rbacDevRoot, runAudit, type SeededTenant } from "./audit-seed";
import { runVerify, seedForVerify, type VerifySeed } from "./verify-seed";

// A stack with RBAC and a test user (dev's config with `rbac: true`, which no stack file sets
// yet): the program declares the test user's role, its permissions and the assignment. On the
// tenant as the seed leaves it, the audit is clean and verify's test user gets exactly
// testUserPermissions; each change to the role made behind the code's back is a finding, and a
// role that lost a permission fails verify.

const root = rbacDevRoot();
const spec = loadStackSpec("dev", root);
const role = spec.testUser?.role;
let standIn: Auth0StandIn;
let gateway: GatewayServer;
let seed: VerifySeed;
let roleId: string;
let userId: string;
let env: Record<string, string>;
let management: ReturnType<typeof managementApi>;

beforeAll(async () => {
  standIn = await startAuth0StandIn({ domain: spec.tenant.domain });
  gateway = await startGatewayServer({ spec, fetch: tenantsFetch(standIn) });
});
afterAll(async () => Promise.all([standIn?.close(), gateway?.close()]));

beforeEach(async () => {
  standIn.reset();
  seed = await seedForVerify(standIn, spec);
  const seeded: SeededTenant["testUserRole"] = seed.testUserRole;
  if (seeded === undefined) throw new Error("the seed made no role for an RBAC stack with a test user");
  ({ roleId, userId } = seeded);
  env = await auditorEnv(standIn);
  management = managementApi(standIn);
});

async function audit() {
  const run = await runAudit(["--stack", "dev", "--format", "json"], env, standIn.fetch, undefined, root);
  const [stack] = jsonReport(run).stacks;
  return {
    code: run.code,
    findings: stack?.findings ?? [],
    checked: stack?.checked ?? [],
    notChecked: stack?.notChecked ?? [],
    stderr: run.stderr,
  };
}

async function verify() {
  const tenant = tenantsFetch(standIn);
  const run = await runVerify(["--stack", "dev", "--format", "json"], {
    env: { VERIFY_GATEWAY_URL: gateway.url },
    fetch: (input, init) =>
      new URL(input instanceof Request ? input.url : String(input)).hostname === "127.0.0.1" ? fetch(input, init) : tenant(input, init),
    readOutputs: () => Promise.resolve(seed.outputs),
    root,
  });
  const report = JSON.parse(run.stdout) as VerifyReport;
  const rows = report.stacks.flatMap((stack) => stack.rows);
  return { code: run.code, rows, failing: rows.filter((row) => !row.pass).map((row) => row.check) };
}

describe("an RBAC stack's test user role, as the program leaves it", () => {
  it("the spec declares the role with the test user's permissions", () => {
    expect(spec.api.enforcePolicies).toBe(true);
    expect(role?.permissions).toEqual(spec.testUser?.permissions);
    expect(role?.permissions.length).toBeGreaterThan(0);
  });

  it("the audit is clean: exit 0, no finding, nothing left unchecked", async () => {
    const result = await audit();
    expect(result.findings).toEqual([]);
    expect(result.notChecked).toEqual([]);
    expect(result.checked).toContain("test user's role");
    expect(result.code).toBe(0);
  });

  it("verify's test user gets exactly testUserPermissions from the role", async () => {
    const result = await verify();
    expect(result.failing).toEqual([]);
    expect(result.rows.find((row) => row.check === "test-user.scope")).toMatchObject({ pass: true });
    expect(result.code).toBe(0);
  });
});

describe("the role changed behind the code's back", () => {
  it("a permission added to the role: high, exit 2", async () => {
    await management("POST", `/roles/${roleId}/permissions`, {
      permissions: [{ resource_server_identifier: spec.api.identifier, permission_name: "approve:timesheets" }],
    });
    const result = await audit();
    expect(result.code).toBe(2);
    expect(result.findings).toEqual([
      expect.objectContaining({
        severity: "high",
        kind: "test-user-role.permissions-widened",
        expected: [...(role?.permissions ?? [])].sort(),
        actual: [...(role?.permissions ?? []), "approve:timesheets"].sort(),
      }),
    ]);
    expect(result.findings[0]?.fix).toContain(`npm run up -- --stack dev --refresh`);
  });

  it("the role unassigned from the test user: exit 2", async () => {
    await management("DELETE", `/users/${encodeURIComponent(userId)}/roles`, { roles: [roleId] });
    const result = await audit();
    expect(result.code).toBe(2);
    expect(result.findings.map((f) => [f.severity, f.kind])).toEqual([["medium", "test-user-role.unassigned"]]);
  });

  it("another role given to the test user: high, exit 2", async () => {
    const other = (await management("POST", "/roles", { name: "Approvers" })) as { id: string };
    await management("POST", `/users/${encodeURIComponent(userId)}/roles`, { roles: [other.id] });
    const result = await audit();
    expect(result.code).toBe(2);
    expect(result.findings.map((f) => [f.severity, f.kind])).toEqual([["high", "test-user-role.other-roles"]]);
  });

  it("the role deleted: exit 2", async () => {
    await management("DELETE", `/roles/${roleId}`);
    const result = await audit();
    expect(result.code).toBe(2);
    expect(result.findings.map((f) => [f.severity, f.kind])).toEqual([["medium", "test-user-role.missing"]]);
  });

  it("the role's description changed: low, exit 2", async () => {
    await management("PATCH", `/roles/${roleId}`, { description: "edited in the dashboard" });
    const result = await audit();
    expect(result.code).toBe(2);
    expect(result.findings.map((f) => [f.severity, f.kind])).toEqual([["low", "test-user-role.description"]]);
  });

  it("a permission removed from the role: the audit says narrowed, and verify fails the test user's token", async () => {
    const removed = role?.permissions[0] ?? "";
    await management("DELETE", `/roles/${roleId}/permissions`, {
      permissions: [{ resource_server_identifier: spec.api.identifier, permission_name: removed }],
    });
    const audited = await audit();
    expect(audited.code).toBe(2);
    expect(audited.findings.map((f) => [f.severity, f.kind])).toEqual([["medium", "test-user-role.permissions-narrowed"]]);
    const verified = await verify();
    expect(verified.failing).toContain("test-user.scope");
    expect(verified.code).not.toBe(0);
  });

  it("an auditor without read:roles: the role is not checked, exit 1, and the missing scope is named", async () => {
    env = await auditorEnv(standIn, ["read:resource_servers", "read:clients", "read:client_grants", "read:connections", "read:users"]);
    const run = await runAudit(["--stack", "dev", "--format", "json"], env, standIn.fetch, undefined, root);
    expect(run.code).toBe(1);
    const [stack] = jsonReport(run).stacks;
    expect(stack?.notChecked.map((n) => n.check)).toEqual(["test user's role"]);
  });
});
