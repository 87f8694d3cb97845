import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Auth0StandIn } from "../../../local/auth0/index.js";
import { startAuth0StandIn } from "../../support/stand-in";
import { api } from "./helpers.js";

// Auth0's rules as the stand-in models them, each on a case no recording holds verbatim.

type Doc = Record<string, unknown>;
let auth0: Auth0StandIn;
let token: string;

beforeAll(async () => {
  auth0 = await startAuth0StandIn();
  token = await auth0.managementToken();
});
afterAll(() => auth0.close());

describe("client defaults by application type and authentication method", () => {
  it("gives public clients no client_credentials grant, and confidential ones longer refresh tokens", async () => {
    const spa = await api<Doc>(auth0, token, "POST", "/clients", { name: "Web", app_type: "spa", token_endpoint_auth_method: "none" });
    expect(spa.body.grant_types).toEqual(["authorization_code", "implicit", "refresh_token"]);
    const job = await api<Doc>(auth0, token, "POST", "/clients", {
      name: "Job",
      app_type: "non_interactive",
      token_endpoint_auth_method: "client_secret_basic",
    });
    expect(job.body.grant_types).toContain("client_credentials");
    expect(job.body.refresh_token).toMatchObject({ token_lifetime: 31557600, idle_token_lifetime: 2592000 });
    const thirdParty = await api<Doc>(auth0, token, "POST", "/clients", {
      name: "Partner",
      app_type: "regular_web",
      is_first_party: false,
    });
    expect(thirdParty.body).toMatchObject({ oidc_conformant: true, third_party_security_mode: "permissive" });
  });
});

describe("PATCH", () => {
  it("merges nested objects, and null removes a key at any depth", async () => {
    const created = await api<Doc>(auth0, token, "POST", "/clients", { name: "Merge", client_metadata: { a: "1", b: "2" } });
    const id = String(created.body.client_id);
    const patched = await api<Doc>(auth0, token, "PATCH", `/clients/${id}`, {
      jwt_configuration: { alg: "RS256" },
      client_metadata: { a: null },
      description: null,
    });
    expect(patched.status).toBe(200);
    expect(patched.body.jwt_configuration).toEqual({ secret_encoded: false, lifetime_in_seconds: 36000, alg: "RS256" });
    expect(patched.body.client_metadata).toEqual({ b: "2" });
    expect(patched.body).not.toHaveProperty("description");
  });

  it("stores a property it does not model and answers it on later reads", async () => {
    const created = await api<Doc>(auth0, token, "POST", "/clients", {
      name: "Newer",
      token_quota: { client_credentials: { per_day: 10 } },
    });
    const read = await api<Doc>(auth0, token, "GET", `/clients/${String(created.body.client_id)}`);
    expect(read.body.token_quota).toEqual({ client_credentials: { per_day: 10 } });
  });
});

describe("identifiers", () => {
  it("finds a resource server by its identifier encoded once or twice", async () => {
    await api(auth0, token, "POST", "/resource-servers", { identifier: "https://twice.example.com/api" });
    const once = encodeURIComponent("https://twice.example.com/api");
    expect((await api(auth0, token, "GET", `/resource-servers/${once}`)).status).toBe(200);
    expect((await api(auth0, token, "GET", `/resource-servers/${encodeURIComponent(once)}`)).status).toBe(200);
  });
});

describe("database connection options", () => {
  it("refuses password_options beside the legacy password settings, and attributes beside validation", async () => {
    const mixed = await api<Doc>(auth0, token, "POST", "/connections", {
      name: "mixed-db",
      strategy: "auth0",
      options: { password_options: { complexity: { min_length: 12 } }, passwordPolicy: "good" },
    });
    expect(mixed.status).toBe(400);
    expect(mixed.body.message).toBe("Cannot set both options.password_options and options.passwordPolicy");
    const both = await api<Doc>(auth0, token, "POST", "/connections", {
      name: "both-db",
      strategy: "auth0",
      options: {
        validation: { username: { min: 1, max: 5 } },
        attributes: { email: { identifier: { active: true }, signup: { status: "required" } } },
      },
    });
    expect(both).toMatchObject({ status: 400, body: { message: "Cannot set both options.attributes and options.validation" } });
  });

  it("completes password_options with Auth0's defaults and drops the legacy policy", async () => {
    const created = await api<{ options: Doc }>(auth0, token, "POST", "/connections", {
      name: "flexible-db",
      strategy: "auth0",
      options: { password_options: { complexity: { min_length: 12 } } },
    });
    expect(created.status).toBe(201);
    expect(created.body.options).not.toHaveProperty("passwordPolicy");
    expect(created.body.options.password_options).toMatchObject({
      complexity: { min_length: 12, character_type_rule: "all", max_length_exceeded: "error" },
      dictionary: { active: false, custom: [], default: "en_100k" },
      history: { active: false, size: 3 },
    });
  });

  it("invents no sign-up behaviour beside disable_signup: true, and refuses block unless the API behaviour is optional", async () => {
    type Password = { password?: Doc };
    const closed = await api<{ options: { authentication_methods: Password } }>(auth0, token, "POST", "/connections", {
      name: "closed-db",
      strategy: "auth0",
      options: { disable_signup: true, brute_force_protection: true },
    });
    expect(closed.status).toBe(201);
    expect(closed.body.options.authentication_methods.password).toEqual({ enabled: true, api_behavior: "required" });
    for (const password of [
      { enabled: true, signup_behavior: "block" },
      { enabled: true, signup_behavior: "block", api_behavior: "required" },
    ]) {
      const refused = await api<Doc>(auth0, token, "POST", "/connections", {
        name: "blocked-db",
        strategy: "auth0",
        options: { authentication_methods: { password } },
      });
      expect(refused.status, JSON.stringify(password)).toBe(400);
      expect(refused.body).toMatchObject({ statusCode: 400, error: "Bad Request", errorCode: "invalid_body" });
      const onUpdate = await api<Doc>(auth0, token, "PATCH", `/connections/${String((closed.body as unknown as Doc).id)}`, {
        options: { authentication_methods: { password } },
      });
      expect(onUpdate.status).toBe(400);
    }
    const allowed = await api<{ options: { authentication_methods: Password } }>(auth0, token, "POST", "/connections", {
      name: "blocked-db",
      strategy: "auth0",
      options: { authentication_methods: { password: { enabled: true, signup_behavior: "block", api_behavior: "optional" } } },
    });
    expect(allowed.status).toBe(201);
    expect(allowed.body.options.authentication_methods.password).toEqual({
      enabled: true,
      signup_behavior: "block",
      api_behavior: "optional",
    });
  });
});

// Recorded: a resource server answers consent_policy, token_encryption, proof_of_possession and
// authorization_details only once set (none of the 200-odd recorded documents created without
// them carries them), and is_system only on Auth0's own APIs, as true. A grant answers
// allow_all_scopes once set, false included. No recording shows a grant created without
// authorization_details_types; the stand-in leaves it out (a guess, the same rule as the rest).
describe("properties Auth0 answers only once they are set", () => {
  const OPTIONAL_RESOURCE_SERVER = ["consent_policy", "token_encryption", "proof_of_possession", "authorization_details", "is_system"];

  it("a resource server created without them has none; once set they are answered; null clears them", async () => {
    const created = await api<Doc>(auth0, token, "POST", "/resource-servers", { identifier: "https://optional.example.com" });
    expect(created.status).toBe(201);
    for (const key of OPTIONAL_RESOURCE_SERVER) expect(created.body, key).not.toHaveProperty(key);
    const path = `/resource-servers/${String(created.body.id)}`;
    const set = await api<Doc>(auth0, token, "PATCH", path, {
      consent_policy: "transactional-authorization-with-mfa",
      authorization_details: [{ type: "payment" }],
      proof_of_possession: { mechanism: "dpop", required: false },
    });
    expect(set.body).toMatchObject({
      consent_policy: "transactional-authorization-with-mfa",
      authorization_details: [{ type: "payment" }],
      proof_of_possession: { mechanism: "dpop", required: false },
    });
    expect(set.body).not.toHaveProperty("is_system");
    const cleared = await api<Doc>(auth0, token, "PATCH", path, {
      consent_policy: null,
      authorization_details: null,
      proof_of_possession: null,
    });
    for (const key of OPTIONAL_RESOURCE_SERVER) expect(cleared.body, key).not.toHaveProperty(key);
    const system = await api<Doc[]>(auth0, token, "GET", `/resource-servers`);
    expect(system.body.filter((server) => server.is_system === true).map((server) => server.name)).toEqual(["Auth0 Management API"]);
  });

  it("a client grant answers allow_all_scopes and authorization_details_types once set, false and empty included", async () => {
    const client = await auth0.createClient({ name: "Optional properties", app_type: "non_interactive" });
    const created = await api<Doc>(auth0, token, "POST", "/client-grants", {
      client_id: client.client_id,
      audience: auth0.managementAudience,
      scope: ["read:clients"],
    });
    expect(created.status).toBe(201);
    expect(created.body).toEqual({
      id: expect.any(String),
      client_id: client.client_id,
      audience: auth0.managementAudience,
      scope: ["read:clients"],
    });
    const set = await api<Doc>(auth0, token, "PATCH", `/client-grants/${String(created.body.id)}`, {
      allow_all_scopes: false,
      authorization_details_types: [],
    });
    expect(set.body).toMatchObject({ allow_all_scopes: false, authorization_details_types: [], scope: ["read:clients"] });
  });
});
