import fc from "fast-check";
import { beforeAll, describe, expect, test } from "vitest";
import { loadTenantSpec } from "../../infra/config/load";
import type { TenantSpec } from "../../infra/config/spec";
import { declareTimesheetsTenant } from "../../infra/program";
import type { LiveClient, LiveGrant, LiveUser, ReadResult, TenantSnapshot } from "../../stacks/auth0/model";
import type { TenantQuery } from "../../stacks/auth0/read-tenant";
import { decidePendingCreates } from "../../stacks/runner-steps/pending-decision";
import type { PendingCreate } from "../../stacks/runner-steps/pending-creates";
import { engineConfigFor, loadStackSpec } from "../../stacks/stack-config";
import { runProgram, type RegisteredResource } from "../support/pulumi-program";
import { m2m } from "../support/live-clients";

// The decision the runner takes for each create an interrupted deploy left pending, over what
// the real program declares (dev with RBAC: every kind of resource it has) and tenants holding any
// number of copies and look-alikes of each object, with any part of the tenant unreadable.

/** The program's resources whose create makes an object of its own in Auth0: the ones that can be duplicated. */
const MAKES_AN_OBJECT = new Set([
  "auth0:index/resourceServer:ResourceServer",
  "auth0:index/client:Client",
  "auth0:index/clientGrant:ClientGrant",
  "auth0:index/connection:Connection",
  "auth0:index/user:User",
  "auth0:index/role:Role",
]);

/** The tenant part each kind of object is read from. */
const PART: Record<string, keyof TenantSnapshot> = {
  "auth0:index/resourceServer:ResourceServer": "resourceServer",
  "auth0:index/client:Client": "clients",
  "auth0:index/clientGrant:ClientGrant": "grants",
  "auth0:index/connection:Connection": "connection",
  "auth0:index/user:User": "usersByEmail",
  "auth0:index/role:Role": "testUserRoles",
};

let resources: RegisteredResource[] = [];
let spec: TenantSpec;

beforeAll(async () => {
  const config = { ...engineConfigFor("dev"), "timesheets:rbac": "true" };
  const run = await runProgram("dev", config, () => declareTimesheetsTenant(loadTenantSpec()));
  resources = run.resources.filter((r) => r.type.startsWith("auth0:") || r.type.startsWith("random:"));
  spec = { ...loadStackSpec("dev"), testUser: loadTenantSpecFor(config) };
});

function loadTenantSpecFor(config: Record<string, string>): TenantSpec["testUser"] {
  // The spec of the program just run (RBAC on): the role's name and the test user's address.
  const found = resources.find((r) => r.type === "auth0:index/role:Role");
  const user = resources.find((r) => r.type === "auth0:index/user:User");
  if (found === undefined || user === undefined)
    throw new Error(`dev with ${JSON.stringify(Object.keys(config))} declares no role or user`);
  return {
    ...(loadStackSpec("dev").testUser as NonNullable<TenantSpec["testUser"]>),
    email: user.inputs.email as string,
    role: { name: found.inputs.name as string } as never,
  };
}

const urnOf = (r: RegisteredResource) => `urn:pulumi:dev::timesheets::${r.type}::${r.name}`;
const pendingOf = (r: RegisteredResource): PendingCreate => ({ urn: urnOf(r), type: r.type, inputs: r.inputs });

const client = (clientId: string, name: string, appType: string): LiveClient => m2m({ clientId, name, appType, grantTypes: [] });

interface Tenant {
  snapshot: TenantSnapshot;
  /** Per resource name: the ids of the objects that are exactly what it would create. */
  copies: Map<string, string[]>;
  unreadable: Set<keyof TenantSnapshot>;
}

/** A tenant with `copies[i]` exact copies and `lookAlikes[i]` near misses of each resource `i`, and the named parts unreadable. */
function tenantOf(copies: readonly number[], lookAlikes: readonly number[], unreadable: Set<keyof TenantSnapshot>): Tenant {
  const clients: LiveClient[] = [];
  const grants: LiveGrant[] = [];
  const users: LiveUser[] = [];
  const roles: { id: string; name: string; description: undefined; permissions: [] }[] = [];
  let resourceServer: { id: string; identifier: string } | undefined;
  let connection: { id: string; name: string } | undefined;
  const exact = new Map<string, string[]>();
  resources.forEach((r, i) => {
    const n = copies[i] ?? 0;
    const near = lookAlikes[i] ?? 0;
    const ids = Array.from({ length: n }, (_, k) => `${r.name}-copy-${k}`);
    exact.set(r.name, ids);
    const input = (key: string) => r.inputs[key] as string;
    for (const [k, id] of ids.entries()) {
      if (r.type === "auth0:index/client:Client") clients.push(client(id, input("name"), input("appType")));
      if (r.type === "auth0:index/clientGrant:ClientGrant")
        grants.push({
          id,
          clientId: input("clientId"),
          audience: input("audience"),
          // Grants made before subject types existed leave out "client", Auth0's default.
          subjectType: r.inputs.subjectType === "client" && k % 2 === 0 ? undefined : (r.inputs.subjectType as string),
          scopes: [],
          allowAllScopes: false,
          defaultFor: undefined,
        });
      if (r.type === "auth0:index/user:User")
        users.push({ userId: id, email: input("email"), emailVerified: true, connections: [input("connectionName")] });
      if (r.type === "auth0:index/role:Role") roles.push({ id, name: input("name"), description: undefined, permissions: [] });
      if (r.type === "auth0:index/resourceServer:ResourceServer") resourceServer = { id, identifier: input("identifier") };
      if (r.type === "auth0:index/connection:Connection") connection = { id, name: input("name") };
    }
    for (let k = 0; k < near; k++) {
      const id = `${r.name}-look-alike-${k}`;
      // Near misses: what shares a name but is not the object (another app type, subject type, connection, casing).
      if (r.type === "auth0:index/client:Client") clients.push(client(id, input("name"), input("appType") === "spa" ? "native" : "spa"));
      if (r.type === "auth0:index/clientGrant:ClientGrant")
        grants.push({
          id,
          clientId: k % 2 === 0 ? input("clientId") : `${input("clientId")}-other`,
          audience: input("audience"),
          subjectType: (r.inputs.subjectType ?? "client") === "user" ? "client" : "user",
          scopes: [],
          allowAllScopes: false,
          defaultFor: undefined,
        });
      if (r.type === "auth0:index/user:User")
        users.push({ userId: id, email: input("email"), emailVerified: true, connections: ["google-oauth2"] });
      if (r.type === "auth0:index/role:Role")
        roles.push({ id, name: input("name").toUpperCase(), description: undefined, permissions: [] });
    }
  });
  const part = <T>(name: keyof TenantSnapshot, value: T): ReadResult<T> =>
    unreadable.has(name) ? { ok: false, problem: { part: name, message: `${name}: 503 Service Unavailable` } } : { ok: true, value };
  const email = spec.testUser?.email as string;
  const snapshot: TenantSnapshot = {
    resourceServer: part("resourceServer", resourceServer === undefined ? undefined : ({ ...resourceServer } as never)),
    clients: part("clients", clients),
    grants: part("grants", grants),
    connection: part("connection", connection as never),
    enabledClients: part("enabledClients", []),
    usersByEmail: part("usersByEmail", new Map([[email, users]])),
    testUserRoles: part("testUserRoles", { named: roles, assigned: [] }),
  };
  return { snapshot, copies: exact, unreadable };
}

const query = (): TenantQuery => ({
  apiIdentifier: spec.api.identifier,
  connectionName: spec.connection.name,
  emails: [spec.testUser?.email as string],
  testUserRole: { name: spec.testUser?.role?.name as string, email: spec.testUser?.email as string },
});

/** Auth0 keeps one API per identifier and one connection per name: a tenant never holds two. */
const atMostOne = (type: string) => type === "auth0:index/resourceServer:ResourceServer" || type === "auth0:index/connection:Connection";

const arbitraryCase = () =>
  fc
    .record({
      pending: fc.array(fc.boolean(), { minLength: resources.length, maxLength: resources.length }),
      copies: fc.array(fc.nat({ max: 3 }), { minLength: resources.length, maxLength: resources.length }),
      lookAlikes: fc.array(fc.nat({ max: 2 }), { minLength: resources.length, maxLength: resources.length }),
      unreadable: fc.subarray(["resourceServer", "clients", "grants", "connection", "usersByEmail", "testUserRoles"] as const, {
        maxLength: 2,
      }),
    })
    .map(({ pending, copies, lookAlikes, unreadable }) => ({
      pending: resources.filter((_, i) => pending[i]),
      copies: copies.map((n, i) => (atMostOne(resources[i]?.type ?? "") ? Math.min(n, 1) : n)),
      lookAlikes,
      unreadable: new Set<keyof TenantSnapshot>(unreadable),
    }));

describe("interrupted creates: adopt, create once, or refuse", () => {
  test("the program under test declares every kind of object that can be duplicated", () => {
    expect(new Set(resources.map((r) => r.type).filter((t) => MAKES_AN_OBJECT.has(t)))).toEqual(MAKES_AN_OBJECT);
  });

  test("never a second copy, never a wrong adoption, a refusal only where the tenant holds several or cannot say", () => {
    fc.assert(
      fc.property(arbitraryCase(), ({ pending, copies, lookAlikes, unreadable }) => {
        const tenant = tenantOf(copies, lookAlikes, unreadable);
        const plan = decidePendingCreates(pending.map(pendingOf), { query: query(), snapshot: tenant.snapshot });
        const decided = [...plan.adopt, ...plan.create, ...plan.refuse].map((d) => d.urn).sort();
        expect(decided).toEqual(pending.map(urnOf).sort());
        for (const r of pending) {
          const urn = urnOf(r);
          const adopted = plan.adopt.find((a) => a.urn === urn);
          const created = plan.create.some((c) => c.urn === urn);
          const refused = plan.refuse.some((c) => c.urn === urn);
          if (!MAKES_AN_OBJECT.has(r.type)) {
            expect(created).toBe(true);
            continue;
          }
          const exact = tenant.copies.get(r.name) ?? [];
          const known = !unreadable.has(PART[r.type] as keyof TenantSnapshot);
          // Afterwards the tenant holds exactly one: the adopted one, or the one this update creates.
          if (adopted !== undefined) expect([known, exact]).toEqual([true, [adopted.id]]);
          if (created) expect([known, exact]).toEqual([true, []]);
          expect(refused).toBe(!known || exact.length > 1);
        }
      }),
      { seed: 2025, numRuns: 300 },
    );
  });

  test("the examples: a killed deploy's client and application are adopted, the grant and secret created once, two look-alike clients refused", () => {
    const byName = (name: string) => resources.find((r) => r.name === name) as RegisteredResource;
    const names = ["import-job-client", "integration-test-client", "import-job-grant", "import-job-client-secret"];
    const pending = names.map(byName);
    const copies = resources.map((r) => (r.name === "import-job-client" || r.name === "integration-test-client" ? 1 : 0));
    const plan = decidePendingCreates(pending.map(pendingOf), { query: query(), snapshot: tenantOf(copies, [], new Set()).snapshot });
    expect(plan.adopt.map((a) => [a.what, a.id])).toEqual([
      ['import-job-client (non_interactive client "Timesheets Import Job")', "import-job-client-copy-0"],
      ['integration-test-client (regular_web client "Timesheets Integration Test")', "integration-test-client-copy-0"],
    ]);
    expect(plan.create.map((c) => c.what)).toEqual([
      expect.stringMatching(/^import-job-grant \(grant of client /),
      "import-job-client-secret",
    ]);
    const twice = decidePendingCreates([pendingOf(byName("import-job-client"))], {
      query: query(),
      snapshot: tenantOf(
        resources.map((r) => (r.name === "import-job-client" ? 2 : 0)),
        [],
        new Set(),
      ).snapshot,
    });
    expect(twice.refuse).toEqual([
      expect.objectContaining({ why: "the tenant holds 2: import-job-client-copy-0, import-job-client-copy-1" }),
    ]);
  });
});
