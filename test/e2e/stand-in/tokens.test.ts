import { generateKeyPairSync, randomUUID, X509Certificate } from "node:crypto";
import { createRemoteJWKSet, customFetch, decodeProtectedHeader, importPKCS8, jwtVerify, SignJWT, type JWTPayload } from "jose";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type Auth0StandIn } from "../../../local/auth0/index.js";
import { startAuth0StandIn } from "../../support/stand-in";
import { api, requestToken } from "./helpers.js";

// `/oauth/token` for the client-credentials grant and the discovery documents, checked the way
// an API gateway checks tokens: jose's remote JWKS and jwtVerify, pointed at https://DOMAIN.

const API = "https://timesheets.example.com/api";
let auth0: Auth0StandIn;

beforeAll(async () => {
  auth0 = await startAuth0StandIn({ domain: "exampleco-dev.eu.auth0.com" });
});
afterAll(() => auth0.close());
beforeEach(() => auth0.reset());

interface TokenAnswer {
  access_token: string;
  expires_in: number;
  scope?: string;
  token_type: string;
}

async function machineClient(resourceServer: Record<string, unknown> = {}, scope = ["read:timesheets", "approve:timesheets"]) {
  await auth0.createResourceServer({
    identifier: API,
    scopes: [{ value: "read:timesheets" }, { value: "approve:timesheets" }, { value: "admin:timesheets" }],
    ...resourceServer,
  });
  const client = await auth0.createClient({ name: "Timesheets importer", app_type: "non_interactive" });
  await auth0.createClientGrant({ client_id: client.client_id, audience: API, scope });
  return client;
}

function verifyWithJwks(token: string, audience = API): Promise<{ payload: JWTPayload }> {
  const jwks = createRemoteJWKSet(new URL(`https://${auth0.domain}/.well-known/jwks.json`), { [customFetch]: auth0.fetch });
  return jwtVerify(token, jwks, { issuer: `https://${auth0.domain}/`, audience });
}

describe("client credentials", () => {
  it("issues an RS256 token with Auth0's claims, verifiable through the published JWKS", async () => {
    const client = await machineClient();
    const before = Math.floor(Date.now() / 1000);
    const answer = await requestToken<TokenAnswer>(auth0, {
      grant_type: "client_credentials",
      client_id: client.client_id,
      client_secret: client.client_secret,
      audience: API,
    });
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({
      access_token: expect.any(String),
      expires_in: 86400,
      scope: "read:timesheets approve:timesheets",
      token_type: "Bearer",
    });
    const { payload } = await verifyWithJwks(answer.body.access_token);
    expect(payload).toEqual({
      iss: "https://exampleco-dev.eu.auth0.com/",
      sub: `${client.client_id}@clients`,
      aud: API,
      iat: expect.any(Number),
      exp: expect.any(Number),
      scope: "read:timesheets approve:timesheets",
      gty: "client-credentials",
      azp: client.client_id,
    });
    expect(payload.iat).toBeGreaterThanOrEqual(before);
    expect((payload.exp ?? 0) - (payload.iat ?? 0)).toBe(86400);
    const header = decodeProtectedHeader(answer.body.access_token);
    expect(header).toMatchObject({ alg: "RS256", typ: "JWT" });
    const jwks = (await (await auth0.fetch(`https://${auth0.domain}/.well-known/jwks.json`)).json()) as { keys: Array<{ kid: string }> };
    expect(jwks.keys.map((key) => key.kid)).toContain(header.kid);
  });

  it("accepts client_secret_basic and narrows to the requested scopes when the grant holds them", async () => {
    const client = await machineClient();
    const basic = Buffer.from(`${client.client_id}:${client.client_secret}`).toString("base64");
    const answer = await requestToken<TokenAnswer>(
      auth0,
      { grant_type: "client_credentials", audience: API, scope: "read:timesheets" },
      { authorization: `Basic ${basic}` },
    );
    expect(answer.status).toBe(200);
    expect(answer.body.scope).toBe("read:timesheets");
  });

  it("refuses a request for a scope the grant does not hold, as Auth0 does, instead of narrowing it", async () => {
    const client = await machineClient();
    const ask = (scope: string) =>
      requestToken<TokenAnswer>(auth0, {
        grant_type: "client_credentials",
        client_id: client.client_id,
        client_secret: client.client_secret,
        audience: API,
        scope,
      });
    const one = await ask("read:timesheets admin:timesheets");
    expect(one.status).toBe(403);
    expect(one.body).toEqual({ error: "access_denied", error_description: "Client has not been granted scopes: admin:timesheets" });
    // Not declared by the API at all, and an OpenID scope: refused alike, each named once.
    const several = await ask("openid admin:timesheets nonsense admin:timesheets");
    expect(several.status).toBe(403);
    expect(several.body).toEqual({
      error: "access_denied",
      error_description: "Client has not been granted scopes: openid, admin:timesheets, nonsense",
    });
  });

  it("follows the resource server: RFC 9068 profile, permissions, PS256, lifetime", async () => {
    const client = await machineClient({ token_dialect: "rfc9068_profile_authz", signing_alg: "PS256", token_lifetime: 600 });
    const answer = await requestToken<TokenAnswer>(auth0, {
      grant_type: "client_credentials",
      client_id: client.client_id,
      client_secret: client.client_secret,
      audience: API,
    });
    expect(answer.body.expires_in).toBe(600);
    expect(decodeProtectedHeader(answer.body.access_token)).toMatchObject({ alg: "PS256", typ: "at+jwt" });
    const { payload } = await verifyWithJwks(answer.body.access_token);
    expect(payload).toMatchObject({
      client_id: client.client_id,
      permissions: ["read:timesheets", "approve:timesheets"],
      jti: expect.any(String),
    });
    expect(payload.azp).toBeUndefined();
    expect((payload.exp ?? 0) - (payload.iat ?? 0)).toBe(600);
  });

  it("signs HS256 APIs with the API's signing secret", async () => {
    const client = await machineClient({ signing_alg: "HS256" });
    const resourceServer = (
      await api<{ signing_secret: string }>(auth0, await auth0.managementToken(), "GET", `/resource-servers/${encodeURIComponent(API)}`)
    ).body;
    const answer = await requestToken<TokenAnswer>(auth0, {
      grant_type: "client_credentials",
      client_id: client.client_id,
      client_secret: client.client_secret,
      audience: API,
    });
    const { payload, protectedHeader } = await jwtVerify(
      answer.body.access_token,
      new TextEncoder().encode(resourceServer.signing_secret),
      { issuer: auth0.issuer, audience: API },
    );
    expect(protectedHeader.alg).toBe("HS256");
    expect(payload.sub).toBe(`${client.client_id}@clients`);
  });

  it("refuses a wrong secret, an ungranted audience, an unknown audience and clients without the grant type", async () => {
    const client = await machineClient();
    const wrongSecret = await requestToken(auth0, {
      grant_type: "client_credentials",
      client_id: client.client_id,
      client_secret: "nope",
      audience: API,
    });
    expect(wrongSecret.status).toBe(401);
    expect(wrongSecret.body).toEqual({ error: "access_denied", error_description: "Unauthorized" });

    const other = await auth0.createResourceServer({ identifier: "https://payroll.example.com/api" });
    const ungranted = await requestToken<{ error: string; error_description: string }>(auth0, {
      grant_type: "client_credentials",
      client_id: client.client_id,
      client_secret: client.client_secret,
      audience: other.identifier,
    });
    expect(ungranted.status).toBe(403);
    expect(ungranted.body.error).toBe("access_denied");
    expect(ungranted.body.error_description).toContain('Client is not authorized to access "https://payroll.example.com/api"');

    const unknown = await requestToken(auth0, {
      grant_type: "client_credentials",
      client_id: client.client_id,
      client_secret: client.client_secret,
      audience: "https://nowhere.example.com",
    });
    expect(unknown.body).toEqual({ error: "access_denied", error_description: "Service not found: https://nowhere.example.com" });

    const apiClient = await auth0.createClient({
      name: "API's own client",
      app_type: "resource_server",
      resource_server_identifier: other.identifier,
    });
    const noGrantType = await requestToken(auth0, {
      grant_type: "client_credentials",
      client_id: apiClient.client_id,
      client_secret: apiClient.client_secret,
      audience: API,
    });
    expect(noGrantType.status).toBe(403);
    expect(noGrantType.body).toMatchObject({ error: "unauthorized_client" });
  });

  it("issues Management API tokens the Management API accepts, with the granted scopes only", async () => {
    const { clientId, clientSecret } = await auth0.createManagementClient({ scopes: ["read:clients"] });
    const answer = await requestToken<TokenAnswer>(auth0, {
      grant_type: "client_credentials",
      client_id: clientId,
      client_secret: clientSecret,
      audience: auth0.managementAudience,
    });
    expect((await api(auth0, answer.body.access_token, "GET", "/clients")).status).toBe(200);
    expect((await api(auth0, answer.body.access_token, "GET", "/users/auth0%7Cx")).status).toBe(403);
  });
});

describe("private_key_jwt", () => {
  it("verifies client assertions against the client's registered public key, once each", async () => {
    await machineClient();
    const { publicKey, privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    const pem = publicKey.export({ type: "spki", format: "pem" }).toString();
    const client = await auth0.createClient({
      name: "Key-authenticated importer",
      app_type: "non_interactive",
      client_authentication_methods: { private_key_jwt: { credentials: [{ credential_type: "public_key", pem, alg: "RS256" }] } },
    });
    expect(client).not.toHaveProperty("client_secret");
    await auth0.createClientGrant({ client_id: client.client_id, audience: API, scope: ["read:timesheets"] });
    const signingKey = await importPKCS8(privateKey.export({ type: "pkcs8", format: "pem" }).toString(), "RS256");
    const assertion = await new SignJWT({})
      .setProtectedHeader({ alg: "RS256" })
      .setIssuer(client.client_id)
      .setSubject(client.client_id)
      .setAudience(`https://${auth0.domain}/`)
      .setIssuedAt()
      .setExpirationTime("3m")
      .setJti(randomUUID())
      .sign(signingKey);
    const parameters = {
      grant_type: "client_credentials",
      audience: API,
      client_assertion: assertion,
      client_assertion_type: "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
    };
    const accepted = await requestToken<TokenAnswer>(auth0, parameters);
    expect(accepted.status).toBe(200);
    expect((await verifyWithJwks(accepted.body.access_token)).payload.sub).toBe(`${client.client_id}@clients`);
    const replayed = await requestToken(auth0, parameters);
    expect(replayed.status).toBe(401);

    const stranger = generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey;
    const forged = await new SignJWT({})
      .setProtectedHeader({ alg: "RS256" })
      .setIssuer(client.client_id)
      .setSubject(client.client_id)
      .setAudience(`https://${auth0.domain}/`)
      .setExpirationTime("3m")
      .setJti(randomUUID())
      .sign(stranger);
    expect((await requestToken(auth0, { ...parameters, client_assertion: forged })).body).toMatchObject({ error: "invalid_client" });
  });
});

describe("discovery", () => {
  it("publishes the OpenID configuration and JWKS as Auth0 does", async () => {
    const configuration = (await (await auth0.fetch(`https://${auth0.domain}/.well-known/openid-configuration`)).json()) as Record<
      string,
      unknown
    >;
    expect(configuration).toMatchObject({
      issuer: "https://exampleco-dev.eu.auth0.com/",
      jwks_uri: "https://exampleco-dev.eu.auth0.com/.well-known/jwks.json",
      token_endpoint: "https://exampleco-dev.eu.auth0.com/oauth/token",
    });
    const jwks = (await (await auth0.fetch(`https://${auth0.domain}/.well-known/jwks.json`)).json()) as {
      keys: Array<Record<string, unknown>>;
    };
    for (const key of jwks.keys) {
      expect(key).toMatchObject({
        kty: "RSA",
        use: "sig",
        kid: expect.any(String),
        n: expect.any(String),
        e: "AQAB",
        x5c: [expect.any(String)],
      });
      expect(key).not.toHaveProperty("d");
      // The published certificate is real: self-signed over the very key that signs tokens.
      const certificate = new X509Certificate(Buffer.from(String((key.x5c as string[])[0]), "base64"));
      expect(certificate.verify(certificate.publicKey)).toBe(true);
      expect(certificate.publicKey.export({ format: "jwk" }).n).toBe(key.n);
    }
  });
});
