import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { loadStackSpec } from "../../stacks/stack-config";
import { type Auth0StandIn } from "../../local/auth0";
import { startAuth0StandIn } from "../support/stand-in";
import { hostileFetch, type Rule } from "./audit-answers";
import { auditorEnv, jsonReport, runAudit, seedTenant, type SeededTenant } from "./audit-seed";
import { managementApi } from "./verify-seed";

// What the program declares is what the audit compares: each change here was once read and
// not checked, and audited clean.

const dev = loadStackSpec("dev");
let standIn: Auth0StandIn;
let seeded: SeededTenant;

beforeAll(async () => {
  standIn = await startAuth0StandIn({ domain: dev.tenant.domain });
});
afterAll(async () => standIn.close());
beforeEach(async () => {
  standIn.reset();
  seeded = await seedTenant(standIn, dev);
});

async function audit(rules: readonly Rule[] = []) {
  const hostile = hostileFetch(standIn.fetch, rules);
  const run = await runAudit(["--stack", "dev", "--format", "json"], await auditorEnv(standIn), hostile.fetch);
  const stack = jsonReport(run).stacks[0];
  return {
    code: run.code,
    kinds: (stack?.findings ?? []).map((finding) => finding.kind),
    findings: stack?.findings ?? [],
    reasons: stack?.notChecked.flatMap((n) => n.reasons) ?? [],
  };
}

const management = () => managementApi(standIn);

describe("declared, read, and now checked", () => {
  it("the API's user access policy opened to allow_all: exit 2, high", async () => {
    await management()("PATCH", `/resource-servers/${seeded.resourceServerId}`, {
      subject_type_authorization: { client: { policy: "require_client_grant" }, user: { policy: "allow_all" } },
    });
    const result = await audit();
    expect(result.code).toBe(2);
    expect(result.findings).toEqual([
      expect.objectContaining({ kind: "api.user-policy", severity: "high", expected: "require_client_grant", actual: "allow_all" }),
    ]);
  });

  it("a second grant of the import job on the API, for user access with other permissions: exit 2, high", async () => {
    await management()("POST", "/client-grants", {
      client_id: seeded.importJobClientId,
      audience: dev.api.identifier,
      scope: ["approve:timesheets"],
      subject_type: "user",
    });
    const result = await audit();
    expect(result.code).toBe(2);
    expect(result.findings).toEqual([
      expect.objectContaining({ kind: "grant.import-job-unmanaged", severity: "high", actual: ["approve:timesheets"] }),
    ]);
  });

  it("the integration-test application given a callback and the implicit grant: exit 2, each setting named", async () => {
    await management()("PATCH", `/clients/${seeded.testApp?.clientId ?? ""}`, {
      callbacks: ["https://evil.example/callback"],
      grant_types: ["http://auth0.com/oauth/grant-type/password-realm", "implicit"],
    });
    const result = await audit();
    expect(result.code).toBe(2);
    expect(result.kinds).toEqual(["integration-test-app.callbacks", "integration-test-app.grant-types"]);
  });

  it("users-by-email answering a user of another address: that is not the test user (exit 2, test user missing)", async () => {
    const result = await audit([
      {
        path: "/api/v2/users-by-email",
        fault: {
          kind: "json",
          edit: (body) => (body as Array<Record<string, unknown>>).map((user) => ({ ...user, email: "someone@else.example" })),
        },
      },
    ]);
    expect(result.code).toBe(2);
    expect(result.kinds).toEqual(["test-user.missing"]);
  });

  it("a connection list holding two connections of the stack's name is ambiguous: exit 1", async () => {
    const result = await audit([
      {
        path: "/api/v2/connections",
        fault: {
          kind: "json",
          edit: (body) => {
            const page = body as { connections: Array<Record<string, unknown>>; total: number };
            const [store] = page.connections;
            return { ...page, total: page.total + 1, connections: [...page.connections, { ...store, id: "con_SecondOfTheName" }] };
          },
        },
      },
    ]);
    expect(result.code).toBe(1);
    expect(result.reasons).toContain(
      `GET /api/v2/connections?name=: 2 connections are named ${dev.connection.name} (${seeded.connectionId}, con_SecondOfTheName): which one is the user store is ambiguous`,
    );
  });
});
