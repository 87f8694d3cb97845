import { generateKeyPairSync } from "node:crypto";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Auth0StandIn } from "../../../local/auth0/index.js";
import { startAuth0StandIn } from "../../support/stand-in";
import { api } from "./helpers.js";

// A write of the local Auth0 is applied whole or not at all, and Auth0's uniqueness rules hold
// under concurrency: random writes of every modelled kind, valid and invalid, sent at once, leave
// a tenant that keeps the invariants and equals the one the same writes leave when sent one by one.

const pem = generateKeyPairSync("rsa", { modulusLength: 2048 }).publicKey.export({ format: "pem", type: "spki" }).toString();
const badPem = "-----BEGIN PUBLIC KEY-----\nAAAAnotakey\n-----END PUBLIC KEY-----\n";
const encryption = (key: string) => ({ format: "compact-nested-jwe", encryption_key: { name: "k", alg: "RSA-OAEP-256", pem: key } });
const credential = (key: string, name: string) => ({ credential_type: "public_key", name, pem: key });

interface Seeded {
  clientId: string;
  userId: string;
}

/** One write: a valid one's body depends only on its key, so which of two equal writes wins does not matter; an invalid one carries a marker no object may ever hold. */
interface Write {
  kind: string;
  valid: boolean;
  key: number;
  request(seeded: Seeded, marker: string): { method: string; path: string; body: unknown };
}

const KINDS: Record<string, (valid: boolean, key: number) => Omit<Write, "kind" | "valid" | "key">> = {
  resourceServer: (valid, key) => ({
    request: (_, marker) => ({
      method: "POST",
      path: "/resource-servers",
      body: valid
        ? { identifier: `https://api-${key}`, name: `api ${key}`, ...(key % 2 === 0 ? { token_encryption: encryption(pem) } : {}) }
        : { identifier: `https://api-${key}`, name: marker, token_encryption: encryption(badPem) },
    }),
  }),
  resourceServerUpdate: (valid) => ({
    request: (_, marker) => ({
      method: "PATCH",
      path: `/resource-servers/${encodeURIComponent("https://seed-0")}`,
      body: valid ? { name: "patched", token_encryption: encryption(pem) } : { name: marker, token_encryption: encryption(badPem) },
    }),
  }),
  client: (valid, key) => ({
    request: (_, marker) => ({
      method: "POST",
      path: "/clients",
      body: {
        name: valid ? `app ${key}` : marker,
        app_type: "non_interactive",
        client_authentication_methods: { private_key_jwt: { credentials: [credential(valid ? pem : badPem, valid ? "key" : marker)] } },
      },
    }),
  }),
  credential: (valid) => ({
    request: ({ clientId }, marker) => ({
      method: "POST",
      path: `/clients/${clientId}/credentials`,
      body: credential(valid ? pem : badPem, valid ? "key" : marker),
    }),
  }),
  clientGrant: (valid, key) => ({
    request: ({ clientId }, marker) => ({
      method: "POST",
      path: "/client-grants",
      body: { client_id: clientId, audience: valid ? `https://seed-${key}` : `https://${marker}`, scope: [] },
    }),
  }),
  connection: (valid, key) => ({
    request: (_, marker) => ({
      method: "POST",
      path: "/connections",
      body: valid
        ? { name: `db-${key}`, strategy: "auth0" }
        : {
            name: marker,
            strategy: "auth0",
            options: { requires_username: true, attributes: { email: { identifier: { active: true } } } },
          },
    }),
  }),
  user: (valid, key) => ({
    request: (_, marker) => ({
      method: "POST",
      path: "/users",
      body: valid
        ? { connection: "Username-Password-Authentication", email: `u${key}@example.com`, password: `pw-${key}-long-enough` }
        : { connection: `missing-${marker}`, email: `${marker}@example.com`, password: "x" },
    }),
  }),
  clientUpdate: (valid) => ({
    request: ({ clientId }, marker) => ({
      method: "PATCH",
      path: `/clients/${clientId}`,
      body: valid ? { description: "updated" } : { name: marker, client_metadata: { long: "x".repeat(300) } },
    }),
  }),
  userUpdate: (valid) => ({
    request: ({ userId }, marker) => ({
      method: "PATCH",
      path: `/users/${encodeURIComponent(userId)}`,
      body: valid
        ? { password: "a-new-password-long-enough", nickname: "updated" }
        : { nickname: marker, password: "p", email: "not an e-mail" },
    }),
  }),
  role: (valid, key) => ({
    request: (_, marker) => ({
      method: "POST",
      path: "/roles",
      body: valid ? { name: `role-${key}`, description: "r" } : { name: marker, description: "d".repeat(1000) },
    }),
  }),
};

const writeOf = (kind: string, valid: boolean, key: number): Write => ({
  kind,
  valid,
  key,
  ...(KINDS[kind] as (typeof KINDS)[string])(valid, key),
});

const write: fc.Arbitrary<Write> = fc
  .record({ kind: fc.constantFrom(...Object.keys(KINDS)), valid: fc.boolean(), key: fc.integer({ min: 0, max: 2 }) })
  .map(({ kind, valid, key }) => writeOf(kind, valid, key));

/** The tenant every run starts from (made once: a user's scrypt hash is slow on purpose), with what the writes refer to. */
let seeded: { state: ReturnType<Auth0StandIn["tenant"]["saved"]>; refs: Seeded };

async function makeSeed(auth0: Auth0StandIn): Promise<void> {
  for (const key of [0, 1, 2]) await auth0.createResourceServer({ identifier: `https://seed-${key}`, name: `seed ${key}` });
  const client = await auth0.createClient({ name: "seed", app_type: "non_interactive" });
  const user = await auth0.createUser({
    connection: "Username-Password-Authentication",
    email: "seed@example.com",
    password: "seed-password-1",
  });
  seeded = { state: structuredClone(auth0.tenant.saved()), refs: { clientId: String(client.client_id), userId: String(user.user_id) } };
}

function seed(auth0: Auth0StandIn): Seeded {
  auth0.tenant.restore(structuredClone(seeded.state));
  return seeded.refs;
}

async function send(auth0: Auth0StandIn, token: string, seeded: Seeded, writes: readonly Write[], together: boolean): Promise<number[]> {
  const one = (item: Write, index: number) => {
    const { method, path, body } = item.request(seeded, `marker${index}x`);
    return api(auth0, token, method, path, body).then((answer) => answer.status);
  };
  if (together) return Promise.all(writes.map(one));
  const statuses: number[] = [];
  for (const [index, item] of writes.entries()) statuses.push(await one(item, index));
  return statuses;
}

// What differs between two tenants made by the same writes: generated ids, secrets and instants.
const VOLATILE = new Set([
  "id",
  "client_id",
  "client_secret",
  "created_at",
  "updated_at",
  "user_id",
  "signing_secret",
  "signing_keys",
  "picture",
]);

function normalised(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(normalised);
  if (value === null || typeof value !== "object") return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([key]) => !VOLATILE.has(key))
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([key, inner]) => [key, normalised(inner)]),
  );
}

function tenantShape(auth0: Auth0StandIn): Record<string, string[]> {
  const { tenant } = auth0;
  const shapes = (values: Iterable<unknown>) => [...values].map((value) => JSON.stringify(normalised(value))).sort();
  return {
    resourceServers: shapes(tenant.resourceServers.values()),
    clients: shapes(tenant.clients.values()),
    credentials: shapes([...tenant.credentials.values()].flatMap((byId) => [...byId.values()].map((entry) => entry.document))),
    clientGrants: shapes(tenant.clientGrants.values()),
    connections: shapes(tenant.connections.values()),
    users: shapes(tenant.users.values()),
    roles: shapes(tenant.authorization.saved().roles),
  };
}

function duplicates(values: readonly string[]): string[] {
  return values.filter((value, index) => values.indexOf(value) !== index);
}

/** Auth0's uniqueness rules, and no credential or password without its object. */
function invariantBreaks(auth0: Auth0StandIn): string[] {
  const { tenant } = auth0;
  const breaks = [
    ...duplicates([...tenant.resourceServers.values()].map((resourceServer) => resourceServer.identifier)).map((id) => `identifier ${id}`),
    ...duplicates([...tenant.connections.values()].map((connection) => connection.name)).map((name) => `connection ${name}`),
    ...duplicates(
      [...tenant.clientGrants.values()].map((grant) => `${grant.client_id} ${grant.audience} ${grant.subject_type ?? "client"}`),
    ).map((grant) => `grant ${grant}`),
    ...duplicates([...tenant.users.values()].map((user) => `${user.email} ${String(user.identities[0]?.connection)}`)).map(
      (user) => `user ${user}`,
    ),
    ...duplicates(tenant.authorization.saved().roles.map((role) => String(role.name))).map((name) => `role ${name}`),
  ];
  for (const clientId of tenant.credentials.keys()) if (!tenant.clients.has(clientId)) breaks.push(`credentials of no client ${clientId}`);
  for (const userId of tenant.passwords.keys()) if (!tenant.users.has(userId)) breaks.push(`password of no user ${userId}`);
  return breaks;
}

let concurrent: Auth0StandIn;
let sequential: Auth0StandIn;
let concurrentToken: string;
let sequentialToken: string;

beforeAll(async () => {
  [concurrent, sequential] = await Promise.all([startAuth0StandIn(), startAuth0StandIn()]);
  [concurrentToken, sequentialToken] = await Promise.all([concurrent.managementToken(), sequential.managementToken()]);
  await makeSeed(concurrent);
});
afterAll(() => Promise.all([concurrent.close(), sequential.close()]));

describe("a write is whole or nothing, under concurrency", () => {
  it("keeps the invariants, lets no refused write leave a trace, and ends as the same writes one by one", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(write, { minLength: 4, maxLength: 12 }), async (writes) => {
        const [together, oneByOne] = [seed(concurrent), seed(sequential)];
        const statuses = await send(concurrent, concurrentToken, together, writes, true);
        const sequentialStatuses = await send(sequential, sequentialToken, oneByOne, writes, false);
        expect(invariantBreaks(concurrent)).toEqual([]);
        const saved = JSON.stringify(concurrent.tenant.saved());
        writes.forEach((item, index) => {
          if (!item.valid) expect(statuses[index], `${item.kind} invalid`).toBeGreaterThanOrEqual(400);
          if ((statuses[index] ?? 0) >= 400) expect(saved).not.toContain(`marker${index}x`);
        });
        expect([...statuses].sort()).toEqual([...sequentialStatuses].sort());
        expect(tenantShape(concurrent)).toEqual(tenantShape(sequential));
        expect(concurrent.internalErrors).toEqual([]);
      }),
      { seed: 2707, numRuns: 12 },
    );
  });

  it("eight identical creates of a resource server with an encryption key make one", async () => {
    const refs = seed(concurrent);
    const writes = Array.from({ length: 8 }, () => writeOf("resourceServer", true, 0));
    const statuses = await send(concurrent, concurrentToken, refs, writes, true);
    expect(statuses.filter((status) => status === 201)).toHaveLength(1);
    expect(statuses.filter((status) => status === 409)).toHaveLength(7);
  });

  it("a client refused for its credential's PEM does not exist, nor does a half-applied update", async () => {
    seed(concurrent);
    const client = await api<{ message: string }>(
      concurrent,
      concurrentToken,
      "POST",
      "/clients",
      writeOf("client", false, 0).request({ clientId: "", userId: "" }, "refused-client").body,
    );
    expect(client.status).toBe(400);
    const update = await api(concurrent, concurrentToken, "PATCH", `/resource-servers/${encodeURIComponent("https://seed-0")}`, {
      name: "renamed",
      token_encryption: encryption(badPem),
    });
    expect(update.status).toBe(400);
    const names = [...concurrent.tenant.clients.values()].map((document) => document.name);
    expect(names).not.toContain("refused-client");
    expect(concurrent.tenant.resourceServerByIdentifier("https://seed-0")?.name).toBe("seed 0");
  });
});
