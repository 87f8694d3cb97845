import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Auth0StandIn } from "../../../local/auth0/index.js";
import { startAuth0StandIn } from "../../support/stand-in";
import { api } from "./helpers.js";

// Bad requests get Auth0's 400s in Auth0's words, and nothing a caller sends can make the
// stand-in fail: no 5xx that was not injected, no internal error.

let auth0: Auth0StandIn;
let token: string;
let clientId: string;
let connectionId: string;

beforeAll(async () => {
  auth0 = await startAuth0StandIn();
  token = await auth0.managementToken();
  clientId = (await auth0.createClient({ name: "Existing" })).client_id;
  connectionId = (await auth0.createConnection({ name: "existing-db", strategy: "auth0" })).id;
  await auth0.createResourceServer({ identifier: "https://existing.example.com" });
});
afterAll(() => auth0.close());

describe("payload validation", () => {
  it("stores a top-level property it does not model and echoes it, as Auth0 does for properties newer than a client", async () => {
    const created = await api<Record<string, unknown>>(auth0, token, "POST", "/resource-servers", {
      identifier: "https://a.example.com",
      authorization_policy: { policy_id: "p-1" },
    });
    expect(created.status).toBe(201);
    expect(created.body.authorization_policy).toEqual({ policy_id: "p-1" });
    const read = await api<Record<string, unknown>>(auth0, token, "GET", "/resource-servers/https%3A%2F%2Fa.example.com");
    expect(read.body.authorization_policy).toEqual({ policy_id: "p-1" });
  });

  it("names an unknown property inside an object it validates, in Auth0's words", async () => {
    const nested = await api(auth0, token, "PATCH", "/resource-servers/https%3A%2F%2Fexisting.example.com", {
      subject_type_authorization: { user: { policy: "allow_all", extra: true } },
    });
    expect(nested.status).toBe(400);
    expect(nested.body).toEqual({
      statusCode: 400,
      error: "Bad Request",
      message: "Payload validation error: 'Additional properties not allowed: extra' on property subject_type_authorization.user.",
      errorCode: "invalid_body",
    });
  });

  it("reports missing properties, wrong types, enum misses and malformed JSON", async () => {
    expect((await api(auth0, token, "POST", "/resource-servers", { name: "no identifier" })).body).toMatchObject({
      message: "Payload validation error: 'Missing required property: identifier'.",
    });
    expect((await api(auth0, token, "POST", "/clients", { name: 42 })).body).toMatchObject({
      message: "Payload validation error: 'Expected type string but found type integer' on property name.",
    });
    expect((await api(auth0, token, "POST", "/clients", { name: "x", app_type: "mainframe" })).body).toMatchObject({
      message: "Payload validation error: 'No enum match for: \"mainframe\"' on property app_type.",
    });
    const broken = await api(auth0, token, "POST", "/clients", '{"name": ');
    expect(broken.status).toBe(400);
    expect(broken.body).toMatchObject({ statusCode: 400, error: "Bad Request", message: "Invalid request payload JSON format" });
    expect((await api(auth0, token, "GET", "/clients?per_page=500")).body).toMatchObject({
      statusCode: 400,
      errorCode: "invalid_query_string",
    });
  });

  it("answers a batch of malformed requests with 4xx only, and never fails internally", async () => {
    const bodies: unknown[] = [
      null,
      [],
      "[]",
      '"text"',
      7,
      true,
      "{",
      "{}",
      { name: null },
      { name: [] },
      { name: {} },
      { name: "" },
      { name: "<script>" },
      { scopes: "all" },
      { scopes: [{}] },
      { scopes: [{ value: 1 }] },
      { token_lifetime: -1 },
      { token_lifetime: 1.5 },
      { token_lifetime: "1" },
      { signing_alg: "none" },
      { identifier: "" },
      { client_id: 1, audience: [] },
      { options: "x" },
      { metadata: { k: 1 } },
      { connection: 5 },
      { email: "not-an-email", connection: "existing-db", password: "x" },
      [{ client_id: 1 }],
      [{ client_id: "x", status: "yes" }],
      { ["__proto__"]: { polluted: true } },
      { constructor: { prototype: {} } },
      "x".repeat(2 * 1024 * 1024),
    ];
    const targets: Array<[string, string]> = [
      ["POST", "/resource-servers"],
      ["PATCH", "/resource-servers/https%3A%2F%2Fexisting.example.com"],
      ["POST", "/clients"],
      ["PATCH", `/clients/${clientId}`],
      ["POST", `/clients/${clientId}/credentials`],
      ["POST", "/client-grants"],
      ["POST", "/connections"],
      ["PATCH", `/connections/${connectionId}`],
      ["PATCH", `/connections/${connectionId}/clients`],
      ["POST", "/users"],
      ["PATCH", "/users/auth0%7Cnobody"],
    ];
    const statuses: Array<{ request: string; status: number; body: unknown }> = [];
    for (const [method, path] of targets) {
      for (const body of bodies) {
        const answer = await api(auth0, token, method, path, body);
        statuses.push({ request: `${method} ${path} ${JSON.stringify(body).slice(0, 40)}`, status: answer.status, body: answer.body });
      }
    }
    const odd = [
      "GET /clients?page=-1",
      "GET /clients?include_totals=maybe",
      "GET /client-grants?from=%%%",
      "GET /client-grants?take=0",
      "GET /resource-servers/%E0%A4%A",
      "GET /users/%",
      "DELETE /connections/nope",
      "GET /nowhere",
      "PUT /clients",
    ];
    for (const request of odd) {
      const [method = "GET", path = "/"] = request.split(" ");
      const answer = await api(auth0, token, method, path);
      statuses.push({ request, status: answer.status, body: answer.body });
    }
    const serverErrors = statuses.filter((entry) => entry.status >= 500);
    expect(serverErrors).toEqual([]);
    for (const entry of statuses.filter((candidate) => candidate.status >= 400)) {
      expect(entry.body, entry.request).toMatchObject({ statusCode: entry.status, error: expect.any(String), message: expect.any(String) });
    }
    expect(statuses.filter((entry) => entry.status >= 400).length).toBeGreaterThan(statuses.length * 0.9);
    expect(auth0.internalErrors).toEqual([]);
    expect(Object.prototype).not.toHaveProperty("polluted");
  });

  it("never answers 5xx to any JSON body on any write (property, seeded)", async () => {
    const targets: Array<[string, string]> = [
      ["POST", "/resource-servers"],
      ["PATCH", "/resource-servers/https%3A%2F%2Fexisting.example.com"],
      ["POST", "/clients"],
      ["PATCH", `/clients/${clientId}`],
      ["POST", `/clients/${clientId}/credentials`],
      ["POST", "/client-grants"],
      ["POST", "/connections"],
      ["PATCH", `/connections/${connectionId}`],
      ["PATCH", `/connections/${connectionId}/clients`],
      ["POST", "/users"],
    ];
    // Known property names with arbitrary values reach the validators and the merge; arbitrary
    // JSON reaches the parser. Names of nested objects are included so that merges meet them.
    const known = [
      "name",
      "identifier",
      "app_type",
      "jwt_configuration",
      "refresh_token",
      "client_metadata",
      "options",
      "scopes",
      "subject_type_authorization",
      "token_endpoint_auth_method",
      "client_authentication_methods",
      "oidc_logout",
      "oidc_backchannel_logout",
      "audience",
      "client_id",
      "scope",
      "strategy",
      "password_options",
      "attributes",
      "validation",
      "connection",
      "email",
      "password",
      "credential_type",
      "pem",
      "expires_at",
      "is_first_party",
    ];
    const body = fc.oneof(
      fc.jsonValue({ maxDepth: 3 }),
      fc.dictionary(fc.constantFrom(...known), fc.jsonValue({ maxDepth: 3 }), { maxKeys: 5 }),
    );
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...targets), body, async ([method, path], payload) => {
        const answer = await api(auth0, token, method, path, payload);
        expect(answer.status, `${method} ${path} ${JSON.stringify(payload)}`).toBeLessThan(500);
        if (answer.status >= 400)
          expect(answer.body).toMatchObject({ statusCode: answer.status, error: expect.any(String), message: expect.any(String) });
      }),
      { seed: 20261201, numRuns: 300 },
    );
    expect(auth0.internalErrors).toEqual([]);
  });
});
