import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { countRequests, type Auth0StandIn } from "../../../local/auth0/index.js";
import { startAuth0StandIn } from "../../support/stand-in";
import { api } from "./helpers.js";

// The Management API over HTTP, as any client sees it: authentication, permissions, resource
// behaviour, pagination envelopes and Auth0's id formats.

let auth0: Auth0StandIn;
let token: string;

beforeAll(async () => {
  auth0 = await startAuth0StandIn();
});
afterAll(() => auth0.close());
beforeEach(async () => {
  auth0.reset();
  token = await auth0.managementToken();
});

interface Created {
  id: string;
}
interface CreatedClient {
  client_id: string;
  client_secret?: string;
}

describe("authentication and permissions", () => {
  it("answers 401 without a token, with a malformed one, or with one signed by another tenant", async () => {
    const missing = await api(auth0, undefined, "GET", "/clients");
    expect(missing.status).toBe(401);
    expect(missing.body).toEqual({ statusCode: 401, error: "Unauthorized", message: "Missing authentication" });

    const garbage = await api(auth0, "not-a-jwt", "GET", "/clients");
    expect(garbage.status).toBe(401);
    expect(garbage.body).toMatchObject({ statusCode: 401, error: "Unauthorized", message: "Invalid token" });

    const other = await startAuth0StandIn({ domain: auth0.domain });
    try {
      const foreign = await api(auth0, await other.managementToken(), "GET", "/clients");
      expect(foreign.status).toBe(401);
    } finally {
      await other.close();
    }
  });

  it("answers 403 naming the permission the endpoint needs", async () => {
    const readOnly = await auth0.managementToken(["read:clients"]);
    const denied = await api(auth0, readOnly, "POST", "/clients", { name: "nope" });
    expect(denied.status).toBe(403);
    expect(denied.body).toEqual({
      statusCode: 403,
      error: "Forbidden",
      message: "Insufficient scope, expected any of: create:clients",
      errorCode: "insufficient_scope",
    });
    expect((await api(auth0, readOnly, "GET", "/resource-servers")).status).toBe(403);
    expect((await api(auth0, readOnly, "GET", "/clients")).status).toBe(200);
  });

  it("shows client secrets only to tokens holding read:client_keys", async () => {
    const created = await auth0.createClient({ name: "Timesheets importer", app_type: "non_interactive" });
    const withoutKeys = await api<CreatedClient>(
      auth0,
      await auth0.managementToken(["read:clients"]),
      "GET",
      `/clients/${created.client_id}`,
    );
    expect(withoutKeys.body.client_secret).toBeUndefined();
    const withKeys = await api<CreatedClient>(
      auth0,
      await auth0.managementToken(["read:clients", "read:client_keys"]),
      "GET",
      `/clients/${created.client_id}`,
    );
    expect(withKeys.body.client_secret).toBe(created.client_secret);
  });
});

describe("resource servers", () => {
  it("applies Auth0's defaults on create and answers the same document by id and by URL-encoded identifier", async () => {
    const created = await api<Created>(auth0, token, "POST", "/resource-servers", {
      identifier: "https://timesheets.example.com/api",
      name: "Timesheets API",
    });
    expect(created.status).toBe(201);
    expect(created.body).toEqual({
      id: expect.stringMatching(/^[0-9a-f]{24}$/),
      name: "Timesheets API",
      identifier: "https://timesheets.example.com/api",
      allow_offline_access: false,
      skip_consent_for_verifiable_first_party_clients: false,
      subject_type_authorization: { client: { policy: "require_client_grant" }, user: { policy: "allow_all" } },
      token_lifetime: 86400,
      token_lifetime_for_web: 7200,
      signing_alg: "RS256",
    });
    const byId = await api(auth0, token, "GET", `/resource-servers/${created.body.id}`);
    const byIdentifier = await api(auth0, token, "GET", `/resource-servers/${encodeURIComponent("https://timesheets.example.com/api")}`);
    expect(byId.body).toEqual(created.body);
    expect(byIdentifier.body).toEqual(created.body);
  });

  it("replaces the whole scopes array on patch and refuses a second API with the same identifier", async () => {
    const { id } = await auth0.createResourceServer({
      identifier: "https://timesheets.example.com/api",
      scopes: [{ value: "read:timesheets" }, { value: "write:timesheets" }],
    });
    const patched = await api(auth0, token, "PATCH", `/resource-servers/${id}`, {
      scopes: [{ value: "approve:timesheets", description: "Approve" }],
    });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ scopes: [{ value: "approve:timesheets", description: "Approve" }] });
    const duplicate = await api(auth0, token, "POST", "/resource-servers", { identifier: "https://timesheets.example.com/api" });
    expect(duplicate.status).toBe(409);
    expect(duplicate.body).toMatchObject({ statusCode: 409, error: "Conflict" });
  });

  it("lists with offset pagination and totals, the Management API included", async () => {
    for (const n of [1, 2, 3]) await auth0.createResourceServer({ identifier: `https://api-${n}.example.com` });
    const all = await api<unknown[]>(auth0, token, "GET", "/resource-servers");
    expect(all.body).toHaveLength(4);
    const page = await api(auth0, token, "GET", "/resource-servers?page=1&per_page=3&include_totals=true");
    expect(page.body).toEqual({
      start: 3,
      limit: 3,
      total: 4,
      resource_servers: [expect.objectContaining({ identifier: "https://api-3.example.com" })],
    });
  });

  it("deletes, after which the API is gone along with its grants", async () => {
    const { id, identifier } = await auth0.createResourceServer({ identifier: "https://timesheets.example.com/api" });
    const client = await auth0.createClient({ name: "Importer" });
    await auth0.createClientGrant({ client_id: client.client_id, audience: identifier, scope: [] });
    expect((await api(auth0, token, "DELETE", `/resource-servers/${id}`)).status).toBe(204);
    const gone = await api(auth0, token, "GET", `/resource-servers/${id}`);
    expect(gone.status).toBe(404);
    expect(gone.body).toEqual({
      statusCode: 404,
      error: "Not Found",
      message: "The resource server does not exist",
      errorCode: "inexistent_resource_server",
    });
    expect(await api(auth0, token, "GET", `/client-grants?audience=${encodeURIComponent(identifier)}`)).toMatchObject({ body: [] });
  });
});

describe("clients", () => {
  it("generates a 32-character client id and a secret, and filters lists by app_type", async () => {
    const created = await api<CreatedClient>(auth0, token, "POST", "/clients", {
      name: "Timesheets importer",
      app_type: "non_interactive",
    });
    expect(created.status).toBe(201);
    expect(created.body.client_id).toMatch(/^[A-Za-z0-9]{32}$/);
    expect(created.body.client_secret).toMatch(/^[A-Za-z0-9_-]{64}$/);
    await auth0.createClient({ name: "Timesheets web", app_type: "spa" });
    await auth0.createClient({ name: "Timesheets mobile", app_type: "native" });
    const machines = await api<Array<{ name: string }>>(auth0, token, "GET", "/clients?app_type=non_interactive");
    expect(machines.body.map((client) => client.name)).toEqual(["Timesheets importer"]);
    const twoTypes = await api<{ total: number }>(auth0, token, "GET", "/clients?app_type=spa,native&include_totals=true");
    expect(twoTypes.body.total).toBe(2);
    const fields = await api(auth0, token, "GET", `/clients/${created.body.client_id}?fields=client_id,app_type&include_fields=true`);
    expect(Object.keys(fields.body as object).sort()).toEqual(["app_type", "client_id", "signing_keys"]);
  });

  it("patches, and deleting a client removes its grants and connection links", async () => {
    const client = await auth0.createClient({ name: "Importer" });
    const { identifier } = await auth0.createResourceServer({ identifier: "https://timesheets.example.com/api" });
    await auth0.createClientGrant({ client_id: client.client_id, audience: identifier, scope: [] });
    const connection = await auth0.createConnection({ name: "timesheets-db", strategy: "auth0", enabled_clients: [client.client_id] });
    const patched = await api(auth0, token, "PATCH", `/clients/${client.client_id}`, {
      name: "Importer v2",
      grant_types: ["client_credentials"],
    });
    expect(patched.body).toMatchObject({ name: "Importer v2", grant_types: ["client_credentials"] });
    expect((await api(auth0, token, "DELETE", `/clients/${client.client_id}`)).status).toBe(204);
    expect((await api(auth0, token, "GET", `/clients/${client.client_id}`)).status).toBe(404);
    expect((await api(auth0, token, "GET", `/client-grants?client_id=${client.client_id}`)).body).toEqual([]);
    expect((await api(auth0, token, "GET", `/connections/${connection.id}`)).body).toMatchObject({ enabled_clients: [] });
  });
});

describe("client grants", () => {
  async function seedGrants(count: number): Promise<{ audience: string; clientIds: string[] }> {
    const { identifier } = await auth0.createResourceServer({ identifier: "https://timesheets.example.com/api" });
    const clientIds: string[] = [];
    for (let n = 0; n < count; n += 1) {
      const client = await auth0.createClient({ name: `Importer ${n}` });
      await auth0.createClientGrant({ client_id: client.client_id, audience: identifier, scope: ["read:timesheets"] });
      clientIds.push(client.client_id);
    }
    return { audience: identifier, clientIds };
  }

  it("answers 409 to a second grant for the same client and audience", async () => {
    const { audience, clientIds } = await seedGrants(1);
    const second = await api(auth0, token, "POST", "/client-grants", { client_id: clientIds[0], audience, scope: [] });
    expect(second.status).toBe(409);
    expect(second.body).toMatchObject({ statusCode: 409, error: "Conflict", errorCode: "client_grant_conflict" });
  });

  it("filters by audience and client_id, and pages with checkpoints (from/take, next)", async () => {
    const { audience, clientIds } = await seedGrants(3);
    const byClient = await api<Array<{ id: string }>>(
      auth0,
      token,
      "GET",
      `/client-grants?client_id=${clientIds[1]}&audience=${encodeURIComponent(audience)}`,
    );
    expect(byClient.body).toHaveLength(1);
    expect(byClient.body[0]?.id).toMatch(/^cgr_[A-Za-z0-9]{16}$/);

    const query = `audience=${encodeURIComponent(audience)}`;
    const first = await api<{ client_grants: Array<{ client_id: string }>; next?: string }>(
      auth0,
      token,
      "GET",
      `/client-grants?${query}&take=2`,
    );
    // Pages follow the grants' ids (Auth0's `from` is an id), not the order they were made in.
    expect(first.body.client_grants).toHaveLength(2);
    expect(first.body.next).toEqual(expect.any(String));
    const second = await api<{ client_grants: Array<{ client_id: string }>; next?: string }>(
      auth0,
      token,
      "GET",
      `/client-grants?${query}&take=2&from=${first.body.next}`,
    );
    const read = [...first.body.client_grants, ...second.body.client_grants].map((grant) => grant.client_id);
    expect(read.sort()).toEqual([...clientIds].sort());
    expect(second.body.next).toBeUndefined();
  });

  it("answers Auth0's offset envelope when totals are asked for without checkpoints", async () => {
    await seedGrants(2);
    const page = await api(auth0, token, "GET", "/client-grants?include_totals=true&per_page=1&page=1");
    expect(page.body).toMatchObject({ start: 1, limit: 1, total: 2, client_grants: [expect.any(Object)] });
  });
});

describe("connections", () => {
  it("creates with Auth0's defaults, filters by name and strategy, and deletes with 202", async () => {
    const created = await api<Created>(auth0, token, "POST", "/connections", { name: "timesheets-db", strategy: "auth0" });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      id: expect.stringMatching(/^con_[A-Za-z0-9]{16}$/),
      name: "timesheets-db",
      strategy: "auth0",
      realms: ["timesheets-db"],
      enabled_clients: [],
      options: { passwordPolicy: "good", brute_force_protection: true },
    });
    await auth0.createConnection({ name: "timesheets-google", strategy: "google-oauth2" });
    const byName = await api<Array<{ id: string }>>(auth0, token, "GET", "/connections?name=timesheets-db");
    expect(byName.body.map((connection) => connection.id)).toEqual([created.body.id]);
    const byStrategy = await api<Array<{ name: string }>>(auth0, token, "GET", "/connections?strategy=auth0");
    // Auth0 lists connections by name, case-insensitively (recorded), not in creation order.
    expect(byStrategy.body.map((connection) => connection.name)).toEqual(["timesheets-db", "Username-Password-Authentication"]);
    const deleted = await api(auth0, token, "DELETE", `/connections/${created.body.id}`);
    expect(deleted.status).toBe(202);
    expect(deleted.body).toEqual({ deleted_at: expect.any(String) });
    expect((await api(auth0, token, "GET", `/connections/${created.body.id}`)).status).toBe(404);
  });

  it("enables and disables clients through /connections/{id}/clients, paginated", async () => {
    const connection = await auth0.createConnection({ name: "timesheets-db", strategy: "auth0" });
    const clients = [
      await auth0.createClient({ name: "One" }),
      await auth0.createClient({ name: "Two" }),
      await auth0.createClient({ name: "Three" }),
    ];
    const enable = await api(
      auth0,
      token,
      "PATCH",
      `/connections/${connection.id}/clients`,
      clients.map((client) => ({ client_id: client.client_id, status: true })),
    );
    expect(enable.status).toBe(204);
    const page = await api<{ clients: Array<{ client_id: string }>; next?: string }>(
      auth0,
      token,
      "GET",
      `/connections/${connection.id}/clients?take=2`,
    );
    expect(page.body.clients).toHaveLength(2);
    const rest = await api<{ clients: Array<{ client_id: string }>; next?: string }>(
      auth0,
      token,
      "GET",
      `/connections/${connection.id}/clients?take=2&from=${page.body.next}`,
    );
    expect([...page.body.clients, ...rest.body.clients].map((entry) => entry.client_id)).toEqual(clients.map((client) => client.client_id));
    await api(auth0, token, "PATCH", `/connections/${connection.id}/clients`, [{ client_id: clients[1]?.client_id, status: false }]);
    expect((await api(auth0, token, "GET", `/connections/${connection.id}`)).body).toMatchObject({
      enabled_clients: [clients[0]?.client_id, clients[2]?.client_id],
    });
  });
});

describe("users", () => {
  it("creates, reads, merges metadata, finds by email and deletes", async () => {
    const created = await api<{ user_id: string }>(auth0, token, "POST", "/users", {
      connection: "Username-Password-Authentication",
      email: "Ada.Lovelace@example.com",
      password: "correct horse battery staple",
      app_metadata: { roles: ["approver"] },
    });
    expect(created.status).toBe(201);
    expect(created.body.user_id).toMatch(/^auth0\|[0-9a-f]{24}$/);
    const path = `/users/${encodeURIComponent(created.body.user_id)}`;
    expect((await api(auth0, token, "GET", path)).body).toMatchObject({
      email: "Ada.Lovelace@example.com",
      email_verified: false,
      app_metadata: { roles: ["approver"] },
    });
    const patched = await api(auth0, token, "PATCH", path, { app_metadata: { team: "finance", roles: null } });
    expect(patched.body).toMatchObject({ app_metadata: { team: "finance" } });
    const found = await api<Array<{ user_id: string }>>(
      auth0,
      token,
      "GET",
      `/users-by-email?email=${encodeURIComponent("ada.lovelace@example.com")}`,
    );
    expect(found.body.map((user) => user.user_id)).toEqual([created.body.user_id]);
    expect((await api(auth0, token, "DELETE", path)).status).toBe(204);
    expect((await api(auth0, token, "GET", path)).body).toEqual({
      statusCode: 404,
      error: "Not Found",
      message: "The user does not exist.",
      errorCode: "inexistent_user",
    });
  });

  it("refuses a duplicate email and an unknown connection", async () => {
    const user = { connection: "Username-Password-Authentication", email: "ada@example.com", password: "pw-1234567" };
    await auth0.createUser(user);
    expect((await api(auth0, token, "POST", "/users", user)).body).toEqual({
      statusCode: 409,
      error: "Conflict",
      message: "The user already exists.",
      errorCode: "auth0_idp_error",
    });
    expect((await api(auth0, token, "POST", "/users", { ...user, connection: "nope" })).body).toEqual({
      statusCode: 400,
      error: "Bad Request",
      message: "The connection does not exist.",
      errorCode: "inexistent_connection",
    });
  });
});

describe("request log", () => {
  it("records each call with method, path, query and status, so tests can count them", async () => {
    await api(auth0, token, "GET", "/clients?app_type=spa");
    await api(auth0, token, "GET", "/clients/missing");
    expect(auth0.requests.map(({ method, path, query, status }) => ({ method, path, query, status }))).toEqual([
      { method: "GET", path: "/api/v2/clients", query: { app_type: "spa" }, status: 200 },
      { method: "GET", path: "/api/v2/clients/missing", query: {}, status: 404 },
    ]);
    expect(countRequests(auth0.requests, "GET", /^\/api\/v2\/clients/)).toBe(2);
    expect(auth0.requests[0]?.time).toMatch(/^\d{4}-\d{2}-\d{2}T/);
  });
});
