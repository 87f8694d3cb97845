import { generateKeyPairSync } from "node:crypto";
import { ManagementClient, ManagementError } from "auth0";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { withoutRetrySleeps } from "../../support/fake-clock";
import { countRequests, type Auth0StandIn } from "../../../local/auth0/index.js";
import { startAuth0StandIn } from "../../support/stand-in";

// The official SDK (v7) against the stand-in, changed in nothing but where it is pointed: the
// domain and the stand-in's `fetch`. It fetches its own Management API token, as in production.

const API = "https://timesheets.example.com/api";
let auth0: Auth0StandIn;

beforeAll(async () => {
  auth0 = await startAuth0StandIn();
});
afterAll(() => auth0.close());
beforeEach(() => auth0.reset());

async function sdk(scopes?: Parameters<Auth0StandIn["createManagementClient"]>[0]): Promise<ManagementClient> {
  const { clientId, clientSecret } = await auth0.createManagementClient(scopes);
  return new ManagementClient({ domain: auth0.domain, clientId, clientSecret, fetch: auth0.fetch });
}

describe("ManagementClient against the stand-in", () => {
  it("obtains its token once through /oauth/token and lists clients filtered by app_type", async () => {
    const management = await sdk();
    await management.clients.create({ name: "Timesheets importer", app_type: "non_interactive" });
    await management.clients.create({ name: "Timesheets web", app_type: "spa" });
    const spas = await management.clients.list({ app_type: "spa" });
    expect(spas.data.map((client) => client.name)).toEqual(["Timesheets web"]);
    const machines = await management.clients.list({ app_type: "non_interactive" });
    // The SDK's own Management API client is a machine client too.
    expect(machines.data.map((client) => client.name).sort()).toEqual(["Management API client", "Timesheets importer"]);
    expect(countRequests(auth0.requests, "POST", "/oauth/token")).toBe(1);
  });

  it("gets a resource server by its identifier and updates its scopes", async () => {
    const management = await sdk();
    const created = await management.resourceServers.create({ identifier: API, name: "Timesheets API" });
    const fetched = await management.resourceServers.get(API);
    expect(fetched.id).toBe(created.id);
    const updated = await management.resourceServers.update(API, {
      scopes: [{ value: "read:timesheets", description: "Read timesheets" }],
    });
    expect(updated.scopes).toEqual([{ value: "read:timesheets", description: "Read timesheets" }]);
    expect(auth0.requests.some((entry) => entry.path === "/api/v2/resource-servers/https%3A%2F%2Ftimesheets.example.com%2Fapi")).toBe(true);
  });

  it("pages through client grants with checkpoints", async () => {
    const management = await sdk();
    await management.resourceServers.create({ identifier: API });
    const clientIds: string[] = [];
    for (let n = 0; n < 5; n += 1) {
      const client = await management.clients.create({ name: `Importer ${n}` });
      await management.clientGrants.create({ client_id: client.client_id ?? "", audience: API, scope: [] });
      clientIds.push(client.client_id ?? "");
    }
    const page = await management.clientGrants.list({ audience: API, take: 2 });
    const seen: string[] = [];
    for await (const grant of page) seen.push(grant.client_id ?? "");
    // In the grants' id order (Auth0's checkpoint is an id), every one once.
    expect(seen.sort()).toEqual([...clientIds].sort());
    // 5 grants at 2 a page: three list calls, each after the first carrying `from`.
    const listCalls = auth0.requests.filter((entry) => entry.method === "GET" && entry.path === "/api/v2/client-grants");
    expect(listCalls).toHaveLength(3);
    expect(listCalls.slice(1).every((entry) => entry.query.from !== undefined)).toBe(true);
  });

  it("surfaces Auth0's errors as the SDK's typed errors", async () => {
    const management = await sdk({ scopes: ["read:clients"] });
    await expect(management.clients.get("doesnotexist")).rejects.toMatchObject({
      statusCode: 404,
      body: { errorCode: "inexistent_client" },
    });
    const denied = await management.clients.create({ name: "nope" }).catch((error: unknown) => error);
    expect(denied).toBeInstanceOf(ManagementError);
    expect(denied).toMatchObject({ statusCode: 403, body: { message: "Insufficient scope, expected any of: create:clients" } });
  });

  it("works with a ready token and with a private-key client assertion", async () => {
    const withToken = new ManagementClient({
      domain: auth0.domain,
      token: await auth0.managementToken(["read:connections"]),
      fetch: auth0.fetch,
    });
    const connections = await withToken.connections.list({ name: "Username-Password-Authentication" });
    expect(connections.data).toHaveLength(1);

    const { publicKey, privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    const client = await auth0.createClient({
      name: "Key-authenticated automation",
      app_type: "non_interactive",
      client_authentication_methods: {
        private_key_jwt: {
          credentials: [{ credential_type: "public_key", pem: publicKey.export({ type: "spki", format: "pem" }).toString() }],
        },
      },
    });
    await auth0.createClientGrant({ client_id: client.client_id, audience: auth0.managementAudience, scope: ["read:clients"] });
    const withAssertion = new ManagementClient({
      domain: auth0.domain,
      clientId: client.client_id,
      clientAssertionSigningKey: privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
      fetch: auth0.fetch,
    });
    const clients = await withAssertion.clients.list();
    expect(clients.data.map((listed) => listed.client_id)).toContain(client.client_id);
  });

  it("retries a rate-limited call after Retry-After and succeeds", async () => {
    const management = await sdk();
    auth0.faults.rateLimit({ after: 0, times: 1, path: "/api/v2/clients" });
    // The SDK sleeps the Retry-After the stand-in names: at once.
    const clients = await withoutRetrySleeps(() => management.clients.list());
    // The SDK's own application, then the tenant's global client, which Auth0 lists last.
    expect(clients.data.map((listed) => listed.name)).toEqual(["Management API client", "All Applications"]);
    expect(auth0.requests.filter((entry) => entry.path === "/api/v2/clients").map((entry) => entry.status)).toEqual([429, 200]);
  });
});
