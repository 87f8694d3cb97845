import { describe, expect, it } from "vitest";
import type { TenantSpec } from "../../infra/config/spec";
import { CHECKS, compareTenant } from "../../stacks/audit/compare";
import type { Finding } from "../../stacks/audit/findings";
import {
  completeSnapshot,
  NO_ROLES,
  type LiveClient,
  type LiveGrant,
  type LiveTenant,
  type LiveUser,
  type TenantSnapshot,
} from "../../stacks/auth0/model";
import { auditTarget, type AuditTarget } from "../../stacks/audit/target";
import { listStacks, loadStackSpec } from "../../stacks/stack-config";
import { m2m } from "../support/live-clients";

const dev = loadStackSpec("dev");
const prod = loadStackSpec("prod");
const allSpecs = listStacks().map((stack) => loadStackSpec(stack));

const JOB_ID = "JobClientId0000000000000000000000";
const OTHER_ID = "OtherClientId000000000000000000000";

/** A live tenant exactly as the program would leave it for `spec`. */
function tenantMatching(spec: TenantSpec): LiveTenant {
  const job = m2m({ clientId: JOB_ID, name: spec.importJob.name, description: spec.importJob.description });
  // The applications people sign in through, each with its user grant: as the program declares them.
  const declaredApps = [
    { application: spec.testUser?.application, clientId: "TestAppClientId00000000000000000", grantId: "cgr_test_app" },
    { application: spec.gateway?.developerPortal?.application, clientId: "PortalClientId000000000000000000", grantId: "cgr_portal" },
  ];
  const userApps = declaredApps.flatMap(({ application, clientId, grantId }) =>
    application === undefined
      ? []
      : [
          {
            client: {
              ...m2m({ clientId, name: application.name, description: application.description }),
              appType: application.appType,
              grantTypes: [...application.grantTypes],
              authMethod: application.authMethod,
              callbacks: [...application.callbacks],
            },
            grant: {
              id: grantId,
              clientId,
              defaultFor: undefined,
              audience: spec.api.identifier,
              scopes: [...application.grant.scopes],
              allowAllScopes: false,
              subjectType: "user",
            },
          },
        ],
  );
  const users = new Map<string, LiveUser[]>();
  if (spec.testUser)
    users.set(spec.testUser.email, [
      { userId: "auth0|test", email: spec.testUser.email, emailVerified: true, connections: [spec.connection.name] },
    ]);
  return {
    resourceServer: {
      id: "rs1",
      identifier: spec.api.identifier,
      name: spec.api.name,
      signingAlg: spec.api.signingAlg,
      // Auth0 leaves the default dialect out.
      tokenDialect: spec.api.tokenDialect === "access_token" ? undefined : spec.api.tokenDialect,
      tokenLifetime: spec.api.tokenLifetime,
      allowOfflineAccess: false,
      enforcePolicies: spec.api.enforcePolicies,
      clientPolicy: "require_client_grant",
      userPolicy: spec.api.userPolicy,
      permissions: spec.api.permissions.map((p) => ({ name: p.name, description: p.description })),
    },
    clients: [job, m2m({ clientId: "auditor", name: "Drift Auditor" }), ...userApps.map((app) => app.client)],
    grants: [
      ...userApps.map((app) => app.grant),
      {
        id: "cgr_job",
        clientId: JOB_ID,
        defaultFor: undefined,
        audience: spec.api.identifier,
        scopes: [...spec.importJob.grant.scopes],
        allowAllScopes: false,
        subjectType: "client",
      },
      // The auditor's own read grant on the Management API is not the import job's business.
      {
        id: "cgr_auditor",
        clientId: "auditor",
        defaultFor: undefined,
        audience: spec.tenant.managementApiAudience,
        scopes: ["read:clients"],
        allowAllScopes: false,
        subjectType: undefined,
      },
    ],
    connection: {
      id: "con_1",
      name: spec.connection.name,
      strategy: "auth0",
      passwordPolicy: spec.connection.passwordPolicy,
      passwordOptions: undefined,
      bruteForceProtection: true,
      disableSignup: spec.connection.disableSignup,
    },
    enabledClients: [JOB_ID, ...userApps.map((app) => app.client.clientId)],
    usersByEmail: users,
    testUserRoles:
      spec.testUser?.role === undefined
        ? NO_ROLES
        : {
            named: [
              {
                id: "rol_test",
                name: spec.testUser.role.name,
                description: spec.testUser.role.description,
                permissions: spec.testUser.role.permissions.map((name) => ({ audience: spec.api.identifier, name })),
              },
            ],
            assigned: [
              {
                user: { userId: "auth0|test", email: spec.testUser.email, emailVerified: true, connections: [spec.connection.name] },
                roles: [{ id: "rol_test", name: spec.testUser.role.name }],
              },
            ],
          },
  };
}

function audit(spec: TenantSpec, change: (tenant: LiveTenant) => LiveTenant = (t) => t, snapshot?: (s: TenantSnapshot) => TenantSnapshot) {
  const target: AuditTarget = auditTarget(spec, allSpecs);
  const base = completeSnapshot(change(tenantMatching(spec)));
  return compareTenant(target, snapshot ? snapshot(base) : base);
}

const kinds = (findings: readonly Finding[]): string[] => findings.map((f) => f.kind).sort();
const only = (findings: readonly Finding[], kind: string): Finding => {
  const matching = findings.filter((f) => f.kind === kind);
  expect(matching).toHaveLength(1);
  return matching[0] as Finding;
};

describe("a tenant that matches its spec", () => {
  it.each(allSpecs.map((spec) => [spec.stack, spec] as const))("%s: no findings, every check ran", (_stack, spec) => {
    const result = audit(spec, (t) => ({ ...t, usersByEmail: spec.environment === "prod" ? new Map() : t.usersByEmail }));
    expect(result.findings).toEqual([]);
    expect(result.notChecked).toEqual([]);
    expect(result.checked).toHaveLength(CHECKS.filter((check) => check.appliesTo(auditTarget(spec, allSpecs))).length);
  });
});

describe("the resource server", () => {
  it("missing: one high finding, and no noise about its permissions", () => {
    const result = audit(dev, (t) => ({ ...t, resourceServer: undefined }));
    expect(kinds(result.findings)).toEqual(["api.missing"]);
    expect(only(result.findings, "api.missing").severity).toBe("high");
  });

  it.each([
    ["api.signing-alg", { signingAlg: "HS256" }, "RS256", "HS256", "high"],
    ["api.token-profile", { tokenDialect: "rfc9068_profile" }, "access_token", "rfc9068_profile", "medium"],
    ["api.token-lifetime", { tokenLifetime: 2_592_000 }, 7200, 2_592_000, "medium"],
    ["api.offline-access", { allowOfflineAccess: true }, false, true, "high"],
    ["api.name", { name: "Renamed" }, "Timesheets API", "Renamed", "low"],
    ["api.client-policy", { clientPolicy: "allow_all" }, "require_client_grant", "allow_all", "high"],
  ] as const)("%s changed: expected and actual values, severity", (kind, change, expected, actual, severity) => {
    const result = audit(dev, (t) => ({ ...t, resourceServer: t.resourceServer && { ...t.resourceServer, ...change } }));
    const finding = only(result.findings, kind);
    expect(finding).toMatchObject({ expected, actual, severity });
    expect(finding.fix).toContain("npm run up -- --stack dev --refresh");
    expect(result.findings).toHaveLength(1);
  });

  it("reads an absent token dialect as Auth0's default", () => {
    const result = audit(prod, (t) => ({
      ...t,
      usersByEmail: new Map(),
      resourceServer: t.resourceServer && { ...t.resourceServer, tokenDialect: undefined },
    }));
    expect(only(result.findings, "api.token-profile")).toMatchObject({ expected: "rfc9068_profile", actual: "access_token" });
  });
});

describe("permissions", () => {
  it("missing and added out of band, each named", () => {
    const result = audit(dev, (t) => {
      const rs = t.resourceServer;
      if (!rs) throw new Error("fixture");
      return {
        ...t,
        resourceServer: {
          ...rs,
          permissions: [...rs.permissions.filter((p) => p.name !== "approve:timesheets"), { name: "admin:everything", description: "x" }],
        },
      };
    });
    expect(result.findings.map((f) => `${f.kind} ${f.resource}`)).toEqual([
      "permission.unmanaged permission admin:everything",
      "permission.missing permission approve:timesheets",
    ]);
  });

  it("a changed description is low", () => {
    const result = audit(dev, (t) => {
      const rs = t.resourceServer;
      if (!rs) throw new Error("fixture");
      return {
        ...t,
        resourceServer: {
          ...rs,
          permissions: rs.permissions.map((p) => (p.name === "batch:upload" ? { ...p, description: "Upload anything" } : p)),
        },
      };
    });
    expect(only(result.findings, "permission.description")).toMatchObject({
      severity: "low",
      expected: "Upload timesheets in batches",
      actual: "Upload anything",
    });
  });
});

describe("the import job client", () => {
  const job = (t: LiveTenant): LiveClient => t.clients.find((c) => c.clientId === JOB_ID) as LiveClient;
  const replaceJob = (t: LiveTenant, change: Partial<LiveClient>): LiveTenant => ({
    ...t,
    clients: t.clients.map((c) => (c.clientId === JOB_ID ? { ...c, ...change } : c)),
  });

  it("missing: high, and its grant is then not looked for", () => {
    const result = audit(dev, (t) => ({
      ...t,
      clients: t.clients.filter((c) => c !== job(t)),
      grants: t.grants.filter((g) => g.clientId !== JOB_ID),
      enabledClients: t.enabledClients.filter((id) => id !== JOB_ID),
    }));
    expect(kinds(result.findings)).toEqual(["import-job.missing"]);
  });

  it("duplicated by name: lists every client id, keeps the granted one as the job", () => {
    const result = audit(dev, (t) => ({ ...t, clients: [{ ...job(t), clientId: "AAAduplicate" }, ...t.clients] }));
    expect(only(result.findings, "import-job.duplicated").actual).toEqual(["AAAduplicate", JOB_ID]);
    // The duplicate sorts first but holds no grant: the granted client stays the job, so no grant drift.
    expect(kinds(result.findings)).toEqual(["import-job.duplicated"]);
  });

  it("type changed", () => {
    const result = audit(dev, (t) => replaceJob(t, { appType: "regular_web" }));
    expect(only(result.findings, "import-job.app-type")).toMatchObject({ expected: "non_interactive", actual: "regular_web" });
  });

  it("a grant type added is high; one removed is medium", () => {
    const added = audit(dev, (t) => replaceJob(t, { grantTypes: ["client_credentials", "password"] }));
    expect(only(added.findings, "import-job.grant-types")).toMatchObject({
      severity: "high",
      expected: ["client_credentials"],
      actual: ["client_credentials", "password"],
    });
    const removed = audit(dev, (t) => replaceJob(t, { grantTypes: [] }));
    expect(only(removed.findings, "import-job.grant-types").severity).toBe("medium");
  });
});

describe("the import job's grant", () => {
  const setJobGrant = (t: LiveTenant, change: Partial<LiveGrant>): LiveTenant => ({
    ...t,
    grants: t.grants.map((g) => (g.id === "cgr_job" ? { ...g, ...change } : g)),
  });

  it("missing", () => {
    const result = audit(dev, (t) => ({ ...t, grants: t.grants.filter((g) => g.id !== "cgr_job") }));
    expect(only(result.findings, "grant.missing")).toMatchObject({ severity: "high", expected: ["batch:upload"] });
  });

  it("widened: high, with both scope lists", () => {
    const result = audit(dev, (t) => setJobGrant(t, { scopes: ["batch:upload", "delete:timesheets"] }));
    expect(only(result.findings, "grant.scopes-widened")).toMatchObject({
      severity: "high",
      expected: ["batch:upload"],
      actual: ["batch:upload", "delete:timesheets"],
    });
  });

  it("narrowed: medium", () => {
    const result = audit(dev, (t) => setJobGrant(t, { scopes: [] }));
    expect(only(result.findings, "grant.scopes-narrowed")).toMatchObject({ severity: "medium", actual: [] });
  });

  it("allow_all_scopes counts as widened whatever its list says", () => {
    const result = audit(dev, (t) => setJobGrant(t, { allowAllScopes: true }));
    expect(only(result.findings, "grant.scopes-widened").actual).toContain("* (allow_all_scopes)");
  });
});

describe("unmanaged grants", () => {
  it("another client granted on the API, named by its client name", () => {
    const result = audit(dev, (t) => ({
      ...t,
      clients: [...t.clients, m2m({ clientId: OTHER_ID, name: "Reporting" })],
      grants: [
        ...t.grants,
        {
          id: "cgr_other",
          clientId: OTHER_ID,
          defaultFor: undefined,
          audience: dev.api.identifier,
          scopes: ["read:timesheets"],
          allowAllScopes: false,
          subjectType: "client",
        },
      ],
    }));
    const finding = only(result.findings, "grant.unmanaged-client");
    expect(finding).toMatchObject({ severity: "high", actual: ["read:timesheets"] });
    expect(finding.resource).toContain(`"Reporting" (${OTHER_ID})`);
    expect(finding.fix).toContain("cgr_other");
  });

  it("a default grant for third-party clients on the API", () => {
    const result = audit(dev, (t) => ({
      ...t,
      grants: [
        ...t.grants,
        {
          id: "cgr_tp",
          clientId: undefined,
          defaultFor: "third_party_clients",
          audience: dev.api.identifier,
          scopes: [],
          allowAllScopes: false,
          subjectType: "client",
        },
      ],
    }));
    expect(only(result.findings, "grant.unmanaged-client").resource).toContain("default for third_party_clients");
  });

  it("the import job granted on another API, and on the Management API", () => {
    const result = audit(dev, (t) => ({
      ...t,
      grants: [
        ...t.grants,
        {
          id: "cgr_x",
          clientId: JOB_ID,
          defaultFor: undefined,
          audience: "https://billing.exampleco.com",
          scopes: ["pay"],
          allowAllScopes: false,
          subjectType: "client",
        },
        {
          id: "cgr_m",
          clientId: JOB_ID,
          defaultFor: undefined,
          audience: dev.tenant.managementApiAudience,
          scopes: ["read:users"],
          allowAllScopes: false,
          subjectType: "client",
        },
      ],
    }));
    expect(kinds(result.findings)).toEqual(["grant.import-job-management-api", "grant.import-job-other-api"]);
    expect(result.findings.every((f) => f.severity === "high")).toBe(true);
  });
});

describe("the connection", () => {
  it("missing", () => {
    const result = audit(dev, (t) => ({ ...t, connection: undefined, enabledClients: [] }));
    expect(kinds(result.findings)).toEqual(["connection.missing"]);
  });

  it("a weaker password policy is high; a stronger one low", () => {
    const weaker = audit(dev, (t) => ({ ...t, connection: t.connection && { ...t.connection, passwordPolicy: "none" } }));
    expect(only(weaker.findings, "connection.password-policy")).toMatchObject({ severity: "high", expected: "fair", actual: "none" });
    const stronger = audit(dev, (t) => ({ ...t, connection: t.connection && { ...t.connection, passwordPolicy: "excellent" } }));
    expect(only(stronger.findings, "connection.password-policy").severity).toBe("low");
  });

  it("brute force protection off; sign-ups opened (an absent disable_signup means open)", () => {
    const result = audit(dev, (t) => ({
      ...t,
      connection: t.connection && { ...t.connection, bruteForceProtection: false, disableSignup: undefined },
    }));
    expect(only(result.findings, "connection.brute-force-protection")).toMatchObject({ expected: true, actual: false, severity: "high" });
    expect(only(result.findings, "connection.disable-signup")).toMatchObject({ expected: true, actual: false, severity: "high" });
  });

  it("enabled for a client it should not be", () => {
    const result = audit(dev, (t) => ({
      ...t,
      clients: [...t.clients, m2m({ clientId: OTHER_ID, name: "Reporting", appType: "spa", grantTypes: [] })],
      enabledClients: [JOB_ID, OTHER_ID],
    }));
    const finding = only(result.findings, "connection.unmanaged-clients");
    expect(finding.severity).toBe("high");
    expect(finding.actual).toContain(`Reporting (${OTHER_ID})`);
  });

  it("no longer enabled for the import job", () => {
    const result = audit(dev, (t) => ({ ...t, enabledClients: [] }));
    expect(kinds(result.findings)).toEqual(["connection.import-job-disabled"]);
  });
});

describe("the test user", () => {
  it("missing where the stack declares one", () => {
    const result = audit(dev, (t) => ({ ...t, usersByEmail: new Map([[dev.testUser?.email ?? "", []]]) }));
    expect(only(result.findings, "test-user.missing")).toMatchObject({ severity: "low", actual: "(absent)" });
  });

  it("named otherwise than the spec says (Pulumi's auto-name, or a rename in the dashboard)", () => {
    const email = dev.testUser?.email ?? "";
    const renamed = (name: string | undefined) =>
      audit(dev, (t) => ({
        ...t,
        usersByEmail: new Map([[email, [{ userId: "auth0|test", email, emailVerified: true, name, connections: [dev.connection.name] }]]]),
      }));
    expect(only(renamed("user-store-test-user-8d28f0c").findings, "test-user.name")).toMatchObject({
      severity: "low",
      expected: "Timesheets Test User",
      actual: "user-store-test-user-8d28f0c",
    });
    expect(kinds(renamed("Timesheets Test User").findings)).toEqual([]);
  });

  it("present in prod under an address another stack declares", () => {
    const strayEmail = allSpecs.find((s) => s.testUser)?.testUser?.email ?? "";
    const target = auditTarget(prod, allSpecs);
    expect(target.foreignTestUserEmails).toContain(strayEmail);
    const result = compareTenant(
      target,
      completeSnapshot({
        ...tenantMatching(prod),
        usersByEmail: new Map([
          [strayEmail, [{ userId: "auth0|stray", email: strayEmail, emailVerified: true, connections: [prod.connection.name] }]],
        ]),
      }),
    );
    expect(only(result.findings, "test-user.in-prod")).toMatchObject({ severity: "high", expected: "(absent)" });
  });
});

describe("a partial read", () => {
  it("prod cannot vouch for the test users of a stack whose file is unreadable", () => {
    const result = compareTenant(
      auditTarget(prod, allSpecs, ["broken"]),
      completeSnapshot({ ...tenantMatching(prod), usersByEmail: new Map() }),
    );
    expect(result.findings).toEqual([]);
    expect(result.notChecked).toEqual([
      {
        check: "test users of other stacks",
        reasons: ["the broken stack's file could not be read, so its test user's address is unknown"],
      },
    ]);
  });

  it("runs the checks it can, names the ones it cannot and the missing scope", () => {
    const result = audit(dev, undefined, (s) => ({
      ...s,
      grants: {
        ok: false,
        problem: { part: "grants", message: "403: the auditor lacks read:client_grants", missingScope: "read:client_grants" },
      },
    }));
    expect(result.missingScopes).toEqual(["read:client_grants"]);
    expect(result.notChecked.map((n) => n.check)).toEqual([
      "import job client",
      "import job grant",
      "unmanaged grants",
      "applications people sign in through",
      "connection enabled clients",
    ]);
    expect(result.checked).toEqual(["API settings", "permissions", "connection settings", "test user"]);
    expect(result.notChecked[0]?.reasons).toEqual(["403: the auditor lacks read:client_grants"]);
  });
});
