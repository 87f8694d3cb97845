import { ManagementClient } from "auth0";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { CHECKS } from "../../stacks/audit/compare";
import { auditTarget } from "../../stacks/audit/target";
import { loadStackSpec } from "../../stacks/stack-config";
import { type Auth0StandIn } from "../../local/auth0";
import { startAuth0StandIn } from "../support/stand-in";
import { auditorEnv, jsonReport, runAudit, seedTenant, type SeededTenant } from "./audit-seed";

// The audit against a local Auth0: a tenant seeded as the program leaves it, then each kind
// of drift made out of band through the Management API, as someone in the dashboard would.

const dev = loadStackSpec("dev");
let standIn: Auth0StandIn;
let seeded: SeededTenant;
let env: Record<string, string>;
/** Someone with every Management API permission, working behind the code's back. */
let dashboard: ManagementClient;

beforeAll(async () => {
  standIn = await startAuth0StandIn({ domain: dev.tenant.domain });
});
afterAll(async () => standIn.close());

beforeEach(async () => {
  standIn.reset();
  seeded = await seedTenant(standIn, dev);
  env = await auditorEnv(standIn);
  dashboard = new ManagementClient({ domain: standIn.domain, token: await standIn.managementToken(), fetch: standIn.fetch });
});

async function auditDev(...extra: string[]) {
  const before = standIn.requests.length;
  const run = await runAudit(["--stack", "dev", "--format", "json", ...extra], env, standIn.fetch);
  return { run, report: jsonReport(run), requests: standIn.requests.slice(before) };
}

describe("a tenant as the program leaves it", () => {
  it("exits 0 with no findings, every check run, in 1 token request and 6 GETs", async () => {
    const { run, report, requests } = await auditDev();
    expect(run.code).toBe(0);
    const [audit] = report.stacks;
    expect(audit).toMatchObject({ stack: "dev", outcome: "no-drift", findings: [], notChecked: [] });
    // Every check that applies to dev (it declares no role: no RBAC).
    expect(audit?.checked).toEqual(CHECKS.filter((check) => check.appliesTo(auditTarget(dev, [dev]))).map((check) => check.name));
    expect(audit?.requests).toEqual({ total: 7, managementApi: 6, token: 1, refused: 0 });
    // Read-only: every Management API request is a GET.
    expect(requests.filter((r) => r.path.startsWith("/api/v2")).map((r) => r.method)).toEqual(Array(6).fill("GET"));
    expect(standIn.internalErrors).toEqual([]);
  });

  it("prints a readable table by default, with no colour off a terminal", async () => {
    await dashboard.clientGrants.create({
      client_id: seeded.importJobClientId,
      audience: standIn.managementAudience,
      scope: ["read:users"],
    });
    const run = await runAudit(["--stack", "dev"], env, standIn.fetch);
    expect(run.code).toBe(2);
    expect(run.stdout).toContain("dev · exampleco-dev.eu.auth0.com · DRIFT");
    expect(run.stdout).toMatch(/# +SEVERITY +KIND +RESOURCE +EXPECTED +ACTUAL/);
    expect(run.stdout).toContain(`grant Timesheets Import Job → ${standIn.managementAudience} (Management API)`);
    expect(run.stdout).not.toContain("\u001b[");
    expect(run.stdout.trimEnd().endsWith("1 stack(s): dev drift → exit 2")).toBe(true);
  });

  it("writes a Markdown table for pull requests", async () => {
    await dashboard.resourceServers.update(dev.api.identifier, { token_lifetime: 86_400 });
    const run = await runAudit(["--stack", "dev", "--format", "markdown"], env, standIn.fetch);
    expect(run.code).toBe(2);
    expect(run.stdout).toContain("| dev | exampleco-dev.eu.auth0.com | drift | 0 | 1 | 0 | 7 |");
    expect(run.stdout).toContain(
      `| medium | api.token-lifetime | API ${dev.api.identifier}: token lifetime (s) | \` 7200 \` | \` 86400 \` | run \`npm run up -- --stack dev --refresh\` as the deployer`,
    );
  });
});

describe("a tenant bigger than one page", () => {
  it("reads every page of clients and grants, finds a grant on the last one, and asks for no empty page", async () => {
    // 150 more applications with a grant each on another API: two pages of each list at 100 a page.
    for (let i = 0; i < 150; i += 1) {
      const app = await standIn.createClient({ name: `App ${i}`, app_type: "non_interactive", grant_types: ["client_credentials"] });
      await standIn.createClientGrant({ client_id: app.client_id, audience: standIn.managementAudience, scope: ["read:users"] });
    }
    const late = await standIn.createClient({ name: "Late App", app_type: "non_interactive", grant_types: ["client_credentials"] });
    await standIn.createClientGrant({ client_id: late.client_id, audience: dev.api.identifier, scope: ["read:timesheets"] });
    const { run, report, requests } = await auditDev();
    expect(run.code).toBe(2);
    expect(report.stacks[0]?.findings.map((f) => f.resource)).toEqual([`grant "Late App" (${late.client_id}) → ${dev.api.identifier}`]);
    // Clients are offset-paged: a list of two pages is read a second time to confirm it did not move.
    expect(requests.filter((r) => r.path === "/api/v2/clients").map((r) => r.query.page)).toEqual(["0", "1", "0", "1"]);
    expect(requests.filter((r) => r.path === "/api/v2/client-grants")).toHaveLength(2);
  });
});

type Drift = (tenant: { dashboard: ManagementClient; seeded: SeededTenant; standIn: Auth0StandIn }) => Promise<unknown>;

const identifier = dev.api.identifier;
const otherClient = (t: { dashboard: ManagementClient }) =>
  t.dashboard.clients.create({ name: "Reporting", app_type: "non_interactive", grant_types: ["client_credentials"] });

// Each kind of drift the issue names, made through the Management API, and the finding it must give.
const DRIFTS: ReadonlyArray<readonly [string, Drift, string, string]> = [
  ["API deleted", ({ dashboard }) => dashboard.resourceServers.delete(identifier), "api.missing", "high"],
  [
    "signing algorithm changed",
    ({ dashboard }) => dashboard.resourceServers.update(identifier, { signing_alg: "PS256" }),
    "api.signing-alg",
    "high",
  ],
  [
    "token profile changed",
    ({ dashboard }) => dashboard.resourceServers.update(identifier, { token_dialect: "rfc9068_profile" }),
    "api.token-profile",
    "medium",
  ],
  [
    "token lifetime changed",
    ({ dashboard }) => dashboard.resourceServers.update(identifier, { token_lifetime: 600 }),
    "api.token-lifetime",
    "medium",
  ],
  [
    "offline access allowed",
    ({ dashboard }) => dashboard.resourceServers.update(identifier, { allow_offline_access: true }),
    "api.offline-access",
    "high",
  ],
  ["API renamed", ({ dashboard }) => dashboard.resourceServers.update(identifier, { name: "Timesheets (old)" }), "api.name", "low"],
  [
    "permission removed",
    ({ dashboard }) =>
      dashboard.resourceServers.update(identifier, {
        scopes: dev.api.permissions.filter((p) => p.name !== "read:timesheets").map((p) => ({ value: p.name, description: p.description })),
      }),
    "permission.missing",
    "medium",
  ],
  [
    "permission added",
    ({ dashboard }) =>
      dashboard.resourceServers.update(identifier, {
        scopes: [
          ...dev.api.permissions.map((p) => ({ value: p.name, description: p.description })),
          { value: "admin:timesheets", description: "Everything" },
        ],
      }),
    "permission.unmanaged",
    "medium",
  ],
  ["import job deleted", ({ dashboard, seeded }) => dashboard.clients.delete(seeded.importJobClientId), "import-job.missing", "high"],
  [
    "import job duplicated",
    ({ dashboard }) =>
      dashboard.clients.create({ name: dev.importJob.name, app_type: "non_interactive", grant_types: ["client_credentials"] }),
    "import-job.duplicated",
    "medium",
  ],
  [
    "import job type changed",
    ({ dashboard, seeded }) => dashboard.clients.update(seeded.importJobClientId, { app_type: "regular_web" }),
    "import-job.app-type",
    "medium",
  ],
  [
    "import job grant types widened",
    ({ dashboard, seeded }) => dashboard.clients.update(seeded.importJobClientId, { grant_types: ["client_credentials", "password"] }),
    "import-job.grant-types",
    "high",
  ],
  [
    "grant deleted",
    async ({ dashboard, seeded }) => {
      const grant = (await dashboard.clientGrants.list({ client_id: seeded.importJobClientId, audience: identifier })).data[0];
      await dashboard.clientGrants.delete(grant?.id ?? "");
    },
    "grant.missing",
    "high",
  ],
  [
    "grant widened",
    async ({ dashboard, seeded }) => {
      const grant = (await dashboard.clientGrants.list({ client_id: seeded.importJobClientId, audience: identifier })).data[0];
      await dashboard.clientGrants.update(grant?.id ?? "", { scope: ["batch:upload", "delete:timesheets"] });
    },
    "grant.scopes-widened",
    "high",
  ],
  [
    "grant narrowed",
    async ({ dashboard, seeded }) => {
      const grant = (await dashboard.clientGrants.list({ client_id: seeded.importJobClientId, audience: identifier })).data[0];
      await dashboard.clientGrants.update(grant?.id ?? "", { scope: [] });
    },
    "grant.scopes-narrowed",
    "medium",
  ],
  [
    "another application granted on the API",
    async (t) => {
      const other = await otherClient(t);
      await t.dashboard.clientGrants.create({ client_id: other.client_id ?? "", audience: identifier, scope: ["read:timesheets"] });
    },
    "grant.unmanaged-client",
    "high",
  ],
  [
    "import job granted on the Management API",
    ({ dashboard, seeded, standIn }) =>
      dashboard.clientGrants.create({ client_id: seeded.importJobClientId, audience: standIn.managementAudience, scope: ["read:users"] }),
    "grant.import-job-management-api",
    "high",
  ],
  ["connection deleted", ({ dashboard, seeded }) => dashboard.connections.delete(seeded.connectionId), "connection.missing", "high"],
  [
    "password policy weakened",
    ({ dashboard, seeded }) =>
      dashboard.connections.update(seeded.connectionId, {
        options: { passwordPolicy: "low", brute_force_protection: true, disable_signup: true },
      }),
    "connection.password-policy",
    "high",
  ],
  [
    "brute force protection off",
    ({ dashboard, seeded }) =>
      dashboard.connections.update(seeded.connectionId, {
        options: { passwordPolicy: "fair", brute_force_protection: false, disable_signup: true },
      }),
    "connection.brute-force-protection",
    "high",
  ],
  [
    "sign-ups opened",
    ({ dashboard, seeded }) =>
      dashboard.connections.update(seeded.connectionId, {
        options: { passwordPolicy: "fair", brute_force_protection: true, disable_signup: false },
      }),
    "connection.disable-signup",
    "high",
  ],
  [
    "connection enabled for another client",
    async (t) => {
      const other = await otherClient(t);
      await t.dashboard.connections.clients.update(t.seeded.connectionId, [{ client_id: other.client_id ?? "", status: true }]);
    },
    "connection.unmanaged-clients",
    "high",
  ],
  [
    "test user deleted",
    async ({ dashboard }) => {
      const [user] = await dashboard.users.listUsersByEmail({ email: dev.testUser?.email ?? "" });
      await dashboard.users.delete(user?.user_id ?? "");
    },
    "test-user.missing",
    "low",
  ],
];

/** Auth0 deletes an API's grants with it, and a connection's users with it. */
const CONSEQUENCES: Readonly<Record<string, readonly string[]>> = {
  "api.missing": ["grant.integration-test-app-missing", "grant.missing", "grant.portal-app-missing"],
  "connection.missing": ["test-user.missing"],
};

describe("drift made out of band", () => {
  const cases = DRIFTS.map(([what, drift, kind, severity]) => ({ what, drift, kind, severity }));
  it.each(cases)("$what → $kind ($severity), exit 2", async ({ drift, kind, severity }) => {
    await drift({ dashboard, seeded, standIn });
    const { run, report } = await auditDev();
    expect(run.code).toBe(2);
    const [audit] = report.stacks;
    expect(audit?.outcome).toBe("drift");
    const finding = audit?.findings.find((f) => f.kind === kind);
    expect(finding, `findings: ${JSON.stringify(audit?.findings.map((f) => f.kind))}`).toBeDefined();
    expect(finding?.severity).toBe(severity);
    expect(finding?.fix).not.toBe("");
    expect(finding?.expected).not.toEqual(finding?.actual);
    // Nothing else: a drift gives its own finding and only what Auth0 itself deletes along with it.
    expect(audit?.findings.map((f) => f.kind).sort()).toEqual([kind, ...(CONSEQUENCES[kind] ?? [])].sort());
    expect(standIn.internalErrors).toEqual([]);
  });
});
