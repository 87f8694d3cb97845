import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Auth0StandIn } from "../../../local/auth0/index.js";
import { startAuth0StandIn } from "../../support/stand-in";
import { api } from "./helpers.js";

// Rules the Terraform provider's acceptance suite, run live against the local Auth0, found
// missing; each from Auth0's answers (the suite's, or the shared recordings).

type Doc = Record<string, unknown>;
let auth0: Auth0StandIn;
let token: string;

beforeAll(async () => {
  auth0 = await startAuth0StandIn();
  token = await auth0.managementToken();
});
afterAll(() => auth0.close());

const emailIdentifier = { email: { identifier: { active: true }, profile_required: true, signup: { status: "required" } } };

describe("database connections with attributes", () => {
  it("refuses attributes beside requires_username", async () => {
    const answer = await api<Doc>(auth0, token, "POST", "/connections", {
      name: "attributes-and-username",
      strategy: "auth0",
      options: { requires_username: true, attributes: emailIdentifier },
    });
    expect(answer.status).toBe(400);
    expect(answer.body).toMatchObject({
      message: "Cannot set both options.attributes and options.requires_username",
      errorCode: "invalid_body",
    });
  });

  it("refuses attributes where no identifier is active, on create and on update", async () => {
    const inactive = { email: { identifier: { active: false }, profile_required: true, signup: { status: "required" } } };
    const created = await api<Doc>(auth0, token, "POST", "/connections", {
      name: "no-identifier",
      strategy: "auth0",
      options: { attributes: inactive },
    });
    expect(created.status).toBe(400);
    expect(created.body).toMatchObject({ message: "attributes must contain one active identifier" });
    const good = await api<Doc>(auth0, token, "POST", "/connections", {
      name: "one-identifier",
      strategy: "auth0",
      options: { attributes: emailIdentifier },
    });
    expect(good.status).toBe(201);
    const updated = await api<Doc>(auth0, token, "PATCH", `/connections/${String(good.body.id)}`, { options: { attributes: inactive } });
    expect(updated.status).toBe(400);
  });
});

describe("a client's session_transfer", () => {
  it("comes back complete, as Auth0 fills it in", async () => {
    const created = await api<Doc>(auth0, token, "POST", "/clients", {
      name: "Transfer",
      session_transfer: { can_create_session_transfer_token: true },
    });
    expect(created.body.session_transfer).toEqual({
      can_create_session_transfer_token: true,
      allowed_authentication_methods: [],
      enforce_device_binding: "ip",
      allow_refresh_token: false,
      enforce_online_refresh_tokens: true,
      enforce_cascade_revocation: true,
      delegation: { allow_delegated_access: false, enforce_device_binding: "ip" },
    });
  });
});

describe("queries", () => {
  it("reads the array form (`strategy[0]=auth0&strategy[1]=email`) as the same key given twice", async () => {
    const answer = await api<Doc[]>(auth0, token, "GET", "/connections?strategy[0]=auth0&strategy[1]=email");
    expect(answer.status).toBe(200);
    expect(answer.body.map((connection) => connection.name)).toContain("Username-Password-Authentication");
    const escaped = await api<Doc[]>(auth0, token, "GET", "/connections?strategy%5B0%5D=email");
    expect(escaped.body).toEqual([]);
  });
});

describe("what the tenant does not model", () => {
  it("answers /logs with an empty list", async () => {
    const answer = await api(auth0, token, "GET", "/logs");
    expect(answer).toMatchObject({ status: 200, body: [] });
  });

  it("refuses a default_for client grant as a feature not modelled, not as a missing client_id", async () => {
    const answer = await api<Doc>(auth0, token, "POST", "/client-grants", {
      default_for: "third_party_clients",
      audience: auth0.managementAudience,
      scope: [],
    });
    expect(answer.status).toBe(403);
    expect(answer.body).toMatchObject({ errorCode: "feature_not_enabled" });
    expect(String(answer.body.message)).toMatch(/default_for/);
  });

  const parents = {
    clients: "The client does not exist",
    connections: "The connection does not exist",
    users: "The user does not exist.",
    roles: "The role does not exist",
    "client-grants": "The grant does not exist",
    "resource-servers": "The resource server does not exist",
  } as const;

  it("checks the parent of any sub-path it does not model, and always answers in Auth0's error shape", async () => {
    const segment = fc.stringMatching(/^[a-z][a-z-]{0,20}$/);
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...(Object.keys(parents) as (keyof typeof parents)[])),
        fc.array(segment, { minLength: 1, maxLength: 3 }),
        fc.constantFrom("GET", "POST", "PATCH", "DELETE"),
        async (collection, below, method) => {
          const answer = await api<Doc>(
            auth0,
            token,
            method,
            `/${collection}/missing-parent/${below.join("/")}`,
            method === "GET" ? undefined : {},
          );
          if (answer.status === 404) {
            // Either the parent's own 404, or a modelled sub-path's (`/users/{id}/roles`): never a bare one.
            expect(answer.body).toMatchObject({ statusCode: 404, error: "Not Found", errorCode: expect.any(String) });
          } else expect(answer.status).toBeGreaterThanOrEqual(400);
        },
      ),
      { seed: 2704, numRuns: 60 },
    );
    const scim = await api<Doc>(auth0, token, "GET", "/connections/con_missing/scim-configuration");
    expect(scim.body).toMatchObject({ statusCode: 404, message: parents.connections, errorCode: "inexistent_connection" });
    const database = auth0.tenant.connectionByName("Username-Password-Authentication");
    const known = await api<Doc>(auth0, token, "GET", `/connections/${String(database?.id)}/scim-configuration`);
    expect(known.status).toBe(404);
    expect(known.body.errorCode).not.toBe("inexistent_connection");
  });
});
