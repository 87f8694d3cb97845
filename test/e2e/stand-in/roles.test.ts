import fc from "fast-check";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { loadStackSpec } from "../../../stacks/stack-config";
import { passwordRealmToken } from "../../../stacks/verify/token-requests";
import { type Auth0StandIn } from "../../../local/auth0";
import { startAuth0StandIn } from "../../support/stand-in";
import { TEST_USER_PASSWORD } from "../audit-seed";
import { managementApi, seedForVerify, type VerifySeed } from "../verify-seed";
import { api } from "./helpers";

// The local Auth0's roles, held to Auth0's rules as its Management API reference and the
// recorded traffic show them (see local/auth0/resources/roles.ts for what is a guess), and the
// token a user gets under RBAC: what was asked for, within the user grant, of what the user holds.

const spec = loadStackSpec("staging");
const API = spec.api.identifier;
const PERMISSIONS = spec.api.permissions.map((p) => p.name);
let standIn: Auth0StandIn;
let seed: VerifySeed;
let token: string;
let userId: string;

const ref = (name: string, audience = API) => ({ resource_server_identifier: audience, permission_name: name });

beforeAll(async () => {
  standIn = await startAuth0StandIn({ domain: spec.tenant.domain });
});
afterAll(() => standIn?.close());
beforeEach(async () => {
  standIn.reset();
  seed = await seedForVerify(standIn, spec);
  token = await standIn.managementToken();
  userId = [...standIn.tenant.users.values()][0]?.user_id ?? "";
});

describe("roles on the Management API", () => {
  it("creates (200, recorded), reads, lists by name, updates and deletes (200 {}, recorded) a role", async () => {
    const created = await api<{ id: string; name: string }>(standIn, token, "POST", "/roles", {
      name: "Approvers",
      description: "approve",
    });
    expect(created.status).toBe(200);
    expect(created.body).toEqual({ id: expect.stringMatching(/^rol_[A-Za-z0-9]{16}$/), name: "Approvers", description: "approve" });
    expect((await api(standIn, token, "GET", `/roles/${created.body.id}`)).body).toEqual(created.body);
    const listed = await api(standIn, token, "GET", "/roles?name_filter=approv&include_totals=true&per_page=50");
    expect(listed.body).toEqual({ roles: [created.body], start: 0, limit: 50, total: 1 });
    expect((await api(standIn, token, "GET", "/roles")).body).toEqual([created.body]);
    // The SDK's (and the Deploy CLI's) type filter: a tenant role, no organization's.
    expect((await api(standIn, token, "GET", "/roles?type=tenant")).body).toEqual([created.body]);
    expect((await api(standIn, token, "GET", "/roles?type=organization&owner_id=org_1")).body).toEqual([]);
    const patched = await api(standIn, token, "PATCH", `/roles/${created.body.id}`, { description: "changed" });
    expect(patched.body).toMatchObject({ name: "Approvers", description: "changed" });
    expect(await api(standIn, token, "DELETE", `/roles/${created.body.id}`)).toMatchObject({ status: 200, body: {} });
    expect(await api(standIn, token, "GET", `/roles/${created.body.id}`)).toMatchObject({ status: 404, body: { statusCode: 404 } });
  });

  it("refuses a second role of a name, a body that is not a role, and a permission the API does not declare", async () => {
    await api(standIn, token, "POST", "/roles", { name: "Approvers" });
    expect(await api(standIn, token, "POST", "/roles", { name: "Approvers" })).toMatchObject({ status: 409 });
    expect(await api(standIn, token, "POST", "/roles", { description: "no name" })).toMatchObject({
      status: 400,
      body: { message: "Payload validation error: 'Missing required property: name'." },
    });
    const role = (await api<{ id: string }>(standIn, token, "POST", "/roles", { name: "Other" })).body;
    expect(await api(standIn, token, "POST", `/roles/${role.id}/permissions`, { permissions: [ref("fly:timesheets")] })).toMatchObject({
      status: 400,
    });
    expect(
      await api(standIn, token, "POST", `/roles/${role.id}/permissions`, { permissions: [ref("read:x", "https://nowhere")] }),
    ).toMatchObject({
      status: 404,
    });
    expect(await api(standIn, token, "POST", `/roles/${role.id}/permissions`, { permissions: [] })).toMatchObject({ status: 400 });
    expect(standIn.tenant.authorization.rolePermissions.get(role.id) ?? []).toEqual([]);
  });

  it("lists a role's permissions and members, and a user's roles and permissions with their sources, in Auth0's envelopes", async () => {
    const role = (await api<{ id: string }>(standIn, token, "POST", "/roles", { name: "Readers", description: "read" })).body;
    expect(await api(standIn, token, "POST", `/roles/${role.id}/permissions`, { permissions: [ref("read:timesheets")] })).toMatchObject({
      status: 201,
    });
    const user = encodeURIComponent(userId);
    expect((await api(standIn, token, "POST", `/users/${user}/roles`, { roles: [role.id] })).status).toBe(204);
    expect((await api(standIn, token, "POST", `/users/${user}/permissions`, { permissions: [ref("create:timesheets")] })).status).toBe(201);
    expect((await api(standIn, token, "GET", `/roles/${role.id}/permissions?include_totals=true`)).body).toEqual({
      permissions: [
        {
          permission_name: "read:timesheets",
          description: spec.api.permissions.find((p) => p.name === "read:timesheets")?.description,
          resource_server_name: spec.api.name,
          resource_server_identifier: API,
        },
      ],
      start: 0,
      limit: 50,
      total: 1,
    });
    expect((await api(standIn, token, "GET", `/users/${user}/roles?include_totals=true&page=0&per_page=100`)).body).toEqual({
      roles: [{ id: role.id, name: "Readers", description: "read" }],
      start: 0,
      limit: 100,
      total: 1,
    });
    const members = (await api<{ users: { user_id: string }[] }>(standIn, token, "GET", `/roles/${role.id}/users?take=10`)).body;
    expect(members.users.map((u) => u.user_id)).toEqual([userId]);
    const held = (await api<Array<{ permission_name: string; sources: unknown[] }>>(standIn, token, "GET", `/users/${user}/permissions`))
      .body;
    expect(held.map((p) => [p.permission_name, p.sources])).toEqual([
      ["create:timesheets", [{ source_id: "", source_name: "", source_type: "DIRECT" }]],
      ["read:timesheets", [{ source_id: role.id, source_name: "Readers", source_type: "ROLE" }]],
    ]);
    // Deleting a role takes it from its users; deleting a user takes its assignments.
    await api(standIn, token, "DELETE", `/roles/${role.id}`);
    expect((await api(standIn, token, "GET", `/users/${user}/roles`)).body).toEqual([]);
  });

  it("keeps roles, their permissions and who holds them in the tenant's saved content", async () => {
    const role = (await api<{ id: string }>(standIn, token, "POST", "/roles", { name: "Readers" })).body;
    await api(standIn, token, "POST", `/roles/${role.id}/permissions`, { permissions: [ref("read:timesheets")] });
    await api(standIn, token, "POST", `/users/${encodeURIComponent(userId)}/roles`, { roles: [role.id] });
    const saved = JSON.parse(JSON.stringify(standIn.tenant.saved())) as ReturnType<typeof standIn.tenant.saved>;
    standIn.reset();
    expect(standIn.tenant.authorization.roles.size).toBe(0);
    standIn.tenant.restore(saved);
    expect(standIn.tenant.authorization.rolesOf(userId).map((r) => r.name)).toEqual(["Readers"]);
    expect((await api(standIn, token, "GET", `/roles/${role.id}/permissions`)).body).toMatchObject([
      { permission_name: "read:timesheets" },
    ]);
    // A file written before roles were modelled restores with none.
    const { roles: _roles, ...older } = saved;
    standIn.tenant.restore(older);
    expect(standIn.tenant.authorization.roles.size).toBe(0);
  });

  it("asks for Auth0's scopes: read:roles to read a role, create:role_members to assign one", async () => {
    const role = (await api<{ id: string }>(standIn, token, "POST", "/roles", { name: "Readers" })).body;
    const reader = await standIn.managementToken(["read:users"]);
    expect((await api(standIn, reader, "GET", `/roles/${role.id}`)).status).toBe(403);
    expect((await api(standIn, reader, "GET", `/users/${encodeURIComponent(userId)}/roles`)).status).toBe(200);
    const roleReader = await standIn.managementToken(["read:roles"]);
    expect((await api(standIn, roleReader, "POST", `/users/${encodeURIComponent(userId)}/roles`, { roles: [role.id] })).status).toBe(403);
  });
});

describe("a password-realm token under RBAC", () => {
  const signIn = (scope: string) =>
    passwordRealmToken(
      { url: spec.tenant.tokenEndpoint, issuer: spec.tenant.issuer, fetch: standIn.fetch, signal: AbortSignal.timeout(10_000) },
      {
        clientId: String(seed.outputs.testClientId),
        clientSecret: String(seed.outputs.testClientSecret),
        username: spec.testUser?.email ?? "",
        password: TEST_USER_PASSWORD,
        realm: spec.connection.name,
      },
      API,
      scope,
    );

  it("carries exactly what was asked for, within the user grant, of what the user's roles and own permissions hold", async () => {
    const management = managementApi(standIn);
    const grantId = seed.testUserGrantId ?? "";
    const rs = standIn.tenant.resourceServerByIdentifier(API);
    await management("PATCH", `/resource-servers/${rs?.id ?? ""}`, {
      enforce_policies: true,
      token_dialect: "access_token_authz",
      subject_type_authorization: { user: { policy: "require_client_grant" }, client: { policy: "require_client_grant" } },
    });
    const subset = fc.subarray([...PERMISSIONS]);
    await fc.assert(
      fc.asyncProperty(
        fc.record({ role: subset, direct: subset, grant: subset, asked: subset }),
        async ({ role, direct, grant, asked }) => {
          standIn.tenant.authorization.clear();
          await management("PATCH", `/client-grants/${grantId}`, { scope: grant });
          const created = (await management("POST", "/roles", { name: "Timesheets Test User" })) as { id: string };
          if (role.length > 0) await management("POST", `/roles/${created.id}/permissions`, { permissions: role.map((p) => ref(p)) });
          await management("POST", `/users/${encodeURIComponent(userId)}/roles`, { roles: [created.id] });
          if (direct.length > 0)
            await management("POST", `/users/${encodeURIComponent(userId)}/permissions`, { permissions: direct.map((p) => ref(p)) });
          const answer = await signIn(["openid", ...asked].join(" "));
          if (!answer.ok) throw new Error(`refused: ${answer.error} ${answer.description}`);
          const claims = JSON.parse(Buffer.from(answer.accessToken.split(".")[1] ?? "", "base64url").toString()) as {
            permissions: string[];
          };
          const expected = asked.filter((p) => grant.includes(p) && (role.includes(p) || direct.includes(p)));
          expect([...claims.permissions].sort()).toEqual([...expected].sort());
        },
      ),
      { seed: 2207, numRuns: 25 },
    );
  });
});
