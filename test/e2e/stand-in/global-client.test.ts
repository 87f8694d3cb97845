import fc from "fast-check";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type Auth0StandIn, type ManagementScope } from "../../../local/auth0/index.js";
import { startAuth0StandIn } from "../../support/stand-in";
import { api } from "./helpers.js";

// Every Auth0 tenant has one global client, "All Applications" (local/auth0/resources/global-client.ts
// says what is recorded and what is guessed). A new local tenant holds it, the Management API
// finds and changes it as Auth0 does, and no write makes a second one or takes it away.

type Listed = { client_id: string; name: string; global?: boolean; tenant?: string; client_secret?: string };
type Page = { total: number; clients: Listed[] };

const DOMAIN = "timesheets-dev.eu.auth0.com";
let auth0: Auth0StandIn;
let token: string;

beforeAll(async () => {
  auth0 = await startAuth0StandIn({ domain: DOMAIN });
});
afterAll(() => auth0.close());
beforeEach(async () => {
  auth0.reset();
  token = await auth0.managementToken();
});

const list = async (query: string, as = token) => (await api<Page>(auth0, as, "GET", `/clients?include_totals=true&${query}`)).body;

describe("a new tenant's global client", () => {
  it("is the one client of a new tenant, with what Auth0 shows of it and nothing more", async () => {
    const all = await list("");
    expect(all.total).toBe(1);
    const [global] = all.clients;
    expect(global).toEqual({
      name: "All Applications",
      client_id: expect.stringMatching(/^[A-Za-z0-9]{32}$/) as unknown,
      client_secret: expect.any(String) as unknown,
      is_first_party: true,
      callbacks: [],
      signing_keys: [expect.objectContaining({ cert: expect.stringContaining("BEGIN CERTIFICATE") as unknown })],
      custom_login_page_on: false,
      refresh_token: {
        rotation_type: "non-rotating",
        expiration_type: "non-expiring",
        leeway: 0,
        token_lifetime: 2592000,
        infinite_token_lifetime: true,
        infinite_idle_token_lifetime: true,
        idle_token_lifetime: 1296000,
      },
    });
  });

  it("shows its secret only to read:client_keys, as every client's", async () => {
    const readClients = await auth0.managementToken(["read:clients"]);
    const [listed] = (await list("", readClients)).clients;
    expect(listed).toBeDefined();
    expect(listed).not.toHaveProperty("client_secret");
    const [withKeys] = (await list("", await auth0.managementToken(["read:client_keys"]))).clients;
    expect(withKeys?.client_secret).toMatch(/^[A-Za-z0-9_-]{64}$/);
  });

  it("is found by is_global=true, left out by is_global=false, and listed after every other client", async () => {
    const importer = (await api<Listed>(auth0, token, "POST", "/clients", { name: "Timesheets Import Job", app_type: "non_interactive" }))
      .body;
    const web = (await api<Listed>(auth0, token, "POST", "/clients", { name: "Timesheets web", app_type: "spa" })).body;
    const global = auth0.tenant.globalClient();
    expect((await list("")).clients.map((c) => c.client_id)).toEqual([importer.client_id, web.client_id, global?.client_id]);
    expect((await list("is_global=true")).clients.map((c) => c.client_id)).toEqual([global?.client_id]);
    expect((await list("is_global=false")).clients.map((c) => c.client_id)).toEqual([importer.client_id, web.client_id]);
    // It has no app type; it is first-party.
    expect((await list("app_type=non_interactive,spa")).total).toBe(2);
    expect((await list("is_first_party=true")).clients.map((c) => c.name)).toContain("All Applications");
  });

  it("answers `tenant` (and not signing_keys) under fields, as recorded; `global` when asked", async () => {
    const found = await list("is_global=true&fields=client_id&include_fields=true");
    expect(found.clients).toEqual([{ client_id: auth0.tenant.globalClient()?.client_id, tenant: "timesheets-dev" }]);
    const named = await list("fields=client_id,global&include_fields=true");
    expect(named.clients).toEqual([expect.objectContaining({ global: true, tenant: "timesheets-dev" })]);
    const app = (await api<Listed>(auth0, token, "POST", "/clients", { name: "Timesheets web", app_type: "spa" })).body;
    const one = await api<Record<string, unknown>>(
      auth0,
      token,
      "GET",
      `/clients/${app.client_id}?fields=client_id,global&include_fields=true`,
    );
    expect(Object.keys(one.body).sort()).toEqual(["client_id", "global", "signing_keys"]);
    expect(one.body.global).toBe(false);
  });

  it("takes the login page through PATCH, as Terraform and the Deploy CLI set it", async () => {
    const id = auth0.tenant.globalClient()?.client_id ?? "";
    const page = "<html>TEST123</html>";
    const patched = await api<Record<string, unknown>>(auth0, token, "PATCH", `/clients/${id}`, {
      custom_login_page_on: true,
      custom_login_page: page,
    });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ name: "All Applications", custom_login_page_on: true, custom_login_page: page });
    expect(patched.body).not.toHaveProperty("global");
    expect((await api(auth0, token, "GET", `/clients/${id}`)).body).toMatchObject({ custom_login_page: page });
  });

  it("cannot be deleted, and `global` or `tenant` cannot be written on any client", async () => {
    const id = auth0.tenant.globalClient()?.client_id ?? "";
    const deleted = await api<{ statusCode: number; message: string }>(auth0, token, "DELETE", `/clients/${id}`);
    expect(deleted.status).toBe(400);
    expect(deleted.body.message).toBe("The global client cannot be deleted");
    const created = await api<{ message: string }>(auth0, token, "POST", "/clients", { name: "Second global", global: true });
    expect(created.status).toBe(400);
    expect(created.body.message).toBe("Payload validation error: 'Additional properties not allowed: global'.");
    const demoted = await api<{ message: string }>(auth0, token, "PATCH", `/clients/${id}`, { global: false, tenant: "other" });
    expect(demoted.status).toBe(400);
    expect(demoted.body.message).toBe("Payload validation error: 'Additional properties not allowed: global,tenant'.");
    expect((await list("is_global=true")).clients.map((c) => c.client_id)).toEqual([id]);
  });

  it("is kept by the tenant's saved file, and a tenant saved before it was modelled gets one", async () => {
    const id = auth0.tenant.globalClient()?.client_id;
    const saved = await auth0.saved();
    const restarted = await startAuth0StandIn({ domain: DOMAIN, restore: saved });
    try {
      expect([...restarted.tenant.clients.values()].filter((c) => c.global === true).map((c) => c.client_id)).toEqual([id]);
    } finally {
      await restarted.close();
    }
    const older = { ...saved, tenant: { ...saved.tenant, clients: saved.tenant.clients.filter((c) => c.global !== true) } };
    const upgraded = await startAuth0StandIn({ domain: DOMAIN, restore: older });
    try {
      expect([...upgraded.tenant.clients.values()].filter((c) => c.global === true).map((c) => c.name)).toEqual(["All Applications"]);
    } finally {
      await upgraded.close();
    }
  });
});

// Writes a client of the Management API could send, aimed at any client, the global one included.
const NAMES = ["All Applications", "Timesheets Import Job", "x"];
const BODIES: readonly Record<string, unknown>[] = [
  {},
  { global: true },
  { global: false },
  { tenant: "other" },
  { name: "All Applications" },
  { app_type: "non_interactive" },
  { custom_login_page_on: true, custom_login_page: "<html></html>" },
  { is_first_party: false },
  { callbacks: ["https://app.example.com/callback"] },
  { name: "" },
];
type Write =
  | { readonly kind: "create"; readonly name: string; readonly body: Record<string, unknown> }
  | { readonly kind: "update" | "delete" | "rotate"; readonly target: number; readonly body: Record<string, unknown> };
const write: fc.Arbitrary<Write> = fc.oneof(
  fc.record({ kind: fc.constant("create" as const), name: fc.constantFrom(...NAMES), body: fc.constantFrom(...BODIES) }),
  fc.record({
    kind: fc.constantFrom("update" as const, "delete" as const, "rotate" as const),
    target: fc.nat(20),
    body: fc.constantFrom(...BODIES),
  }),
);

const ALL_SCOPES: readonly ManagementScope[] = ["read:clients", "create:clients", "update:clients", "delete:clients", "update:client_keys"];

describe("whatever a client writes", () => {
  it("the tenant keeps exactly one global client, the same one, listed once and last", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(write, { maxLength: 8 }), async (writes) => {
        auth0.reset();
        const as = await auth0.managementToken(ALL_SCOPES);
        const original = auth0.tenant.globalClient()?.client_id;
        for (const step of writes) {
          if (step.kind === "create") {
            await api(auth0, as, "POST", "/clients", { name: step.name, ...step.body });
            continue;
          }
          const ids = [...auth0.tenant.clients.keys()];
          const id = ids[step.target % ids.length] ?? "";
          if (step.kind === "update") await api(auth0, as, "PATCH", `/clients/${id}`, step.body);
          if (step.kind === "delete") await api(auth0, as, "DELETE", `/clients/${id}`);
          if (step.kind === "rotate") await api(auth0, as, "POST", `/clients/${id}/rotate-secret`);
        }
        const globals = (await list("is_global=true&fields=client_id,global&include_fields=true", as)).clients;
        expect(globals).toEqual([expect.objectContaining({ client_id: original, global: true })]);
        const all = await list("fields=client_id,global&include_fields=true", as);
        expect(all.clients.filter((c) => c.global === true).map((c) => c.client_id)).toEqual([original]);
        expect(all.clients.at(-1)?.client_id).toBe(original);
        expect(all.total).toBe(auth0.tenant.clients.size);
        expect((await list("is_global=false", as)).clients.map((c) => c.client_id)).not.toContain(original);
        expect(auth0.internalErrors).toEqual([]);
      }),
      { seed: 20261203, numRuns: 40 },
    );
  });
});
