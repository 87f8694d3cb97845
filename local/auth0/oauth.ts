import { timingSafeEqual } from "node:crypto";
import { decodeJwt, jwtVerify } from "jose";
import type { AuthorizationEndpoint } from "./authorize.js";
import { OAuthError } from "./errors.js";
import type { TenantKeys } from "./keys.js";
import { PASSWORD_REALM_GRANT, passwordRealmGrant } from "./password-realm.js";
import { usesClientSecret } from "./resources/clients.js";
import type { Client, TenantState } from "./store.js";
import { issueAccessToken, type IssuedToken } from "./tokens.js";
import { isJsonObject } from "./validation.js";

// Auth0's Authentication API, as far as machine-to-machine callers use it: the
// client-credentials grant at `/oauth/token` and the discovery documents beside it.

const ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

const unauthorized = (): OAuthError => new OAuthError(401, "access_denied", "Unauthorized");

/** Reads form-encoded (what the SDKs send) or JSON token requests into string parameters. */
export function tokenRequestParameters(contentType: string | undefined, rawBody: string): Map<string, string> {
  const parameters = new Map<string, string>();
  if ((contentType ?? "").includes("application/json")) {
    let parsed: unknown;
    try {
      parsed = rawBody === "" ? {} : JSON.parse(rawBody);
    } catch {
      throw new OAuthError(400, "invalid_request", "Invalid request body: the body is not valid JSON");
    }
    if (!isJsonObject(parsed)) throw new OAuthError(400, "invalid_request", "Invalid request body: expected an object");
    for (const [key, value] of Object.entries(parsed)) {
      if (typeof value === "string") parameters.set(key, value);
      else if (typeof value === "number" || typeof value === "boolean") parameters.set(key, String(value));
    }
    return parameters;
  }
  for (const [key, value] of new URLSearchParams(rawBody)) if (!parameters.has(key)) parameters.set(key, value);
  return parameters;
}

function secretsEqual(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** RFC 6749 §2.3.1: Basic credentials are form-encoded before base64. */
function basicCredentials(authorization: string | undefined): { clientId: string; secret: string } | undefined {
  const match = /^Basic\s+(\S+)$/i.exec(authorization ?? "");
  if (!match?.[1]) return undefined;
  const decoded = Buffer.from(match[1], "base64").toString();
  const separator = decoded.indexOf(":");
  if (separator < 0) return undefined;
  const decode = (part: string): string => decodeURIComponent(part.replace(/\+/g, " "));
  try {
    return { clientId: decode(decoded.slice(0, separator)), secret: decode(decoded.slice(separator + 1)) };
  } catch {
    return undefined;
  }
}

/** A grant of `/oauth/token`: answers a token for the request, or throws Auth0's OAuth error. */
export type GrantHandler = (
  endpoint: TokenEndpoint,
  parameters: Map<string, string>,
  authorization: string | undefined,
) => Promise<IssuedToken>;

/**
 * The grants the token endpoint answers, by `grant_type`. A grant lives in its own function (or
 * module) and is added here; anything not listed is Auth0's `unsupported_grant_type`.
 */
export const GRANT_TYPES: Readonly<Record<string, GrantHandler>> = {
  client_credentials: (endpoint, parameters, authorization) => endpoint.clientCredentials(parameters, authorization),
  [PASSWORD_REALM_GRANT]: (endpoint, parameters, authorization) => endpoint.passwordRealm(parameters, authorization),
  authorization_code: (endpoint, parameters, authorization) => endpoint.authorizationCode(parameters, authorization),
};

export class TokenEndpoint {
  constructor(
    private readonly tenant: TenantState,
    private readonly keys: () => Promise<TenantKeys>,
    /** Where the codes of `/authorize` are kept; without it, the authorization_code grant knows no code. */
    private readonly codes?: AuthorizationEndpoint,
  ) {}

  get issuer(): string {
    return `https://${this.tenant.domain}/`;
  }

  async handle(parameters: Map<string, string>, authorization: string | undefined): Promise<IssuedToken> {
    const grantType = parameters.get("grant_type");
    if (grantType === undefined) throw new OAuthError(400, "invalid_request", "Missing required parameter: grant_type");
    const grant = Object.hasOwn(GRANT_TYPES, grantType) ? GRANT_TYPES[grantType] : undefined;
    if (!grant) throw new OAuthError(400, "unsupported_grant_type", `Unsupported grant type: ${grantType}`);
    return grant(this, parameters, authorization);
  }

  /** Auth0's password-realm grant (a user signed in without a browser), after the client is authenticated. */
  async passwordRealm(parameters: Map<string, string>, authorization: string | undefined): Promise<IssuedToken> {
    const client = await this.authenticate(parameters, authorization);
    return passwordRealmGrant(this.tenant, await this.keys(), this.issuer, client, parameters);
  }

  /** The authorization code grant: a code `/authorize` issued to this client, exchanged once (authorize.ts). */
  async authorizationCode(parameters: Map<string, string>, authorization: string | undefined): Promise<IssuedToken> {
    const client = await this.authenticate(parameters, authorization);
    if (this.codes === undefined) throw new OAuthError(403, "invalid_grant", "Invalid authorization code");
    return this.codes.exchange(client, parameters, await this.keys(), this.issuer);
  }

  /** The client-credentials grant (machine-to-machine): the client's grant on the audience decides the scopes. */
  async clientCredentials(parameters: Map<string, string>, authorization: string | undefined): Promise<IssuedToken> {
    const client = await this.authenticate(parameters, authorization);
    if (!(client.grant_types ?? []).includes("client_credentials")) {
      throw new OAuthError(403, "unauthorized_client", "Grant type 'client_credentials' not allowed for the client.");
    }
    const audience = parameters.get("audience");
    if (audience === undefined || audience === "") {
      throw new OAuthError(403, "access_denied", "No audience parameter was provided, and no default audience has been configured");
    }
    const resourceServer = this.tenant.resourceServerByIdentifier(audience);
    if (!resourceServer) throw new OAuthError(403, "access_denied", `Service not found: ${audience}`);
    const grant = this.tenant.grantFor(client.client_id, audience);
    const policy = resourceServer.subject_type_authorization?.client;
    const deniedToAll = isJsonObject(policy) && policy.policy === "deny_all";
    if (!grant || deniedToAll) {
      throw new OAuthError(
        403,
        "access_denied",
        `Client is not authorized to access "${audience}". You need to create a "client-grant" associated to this API. See: https://auth0.com/docs/api/v2#!/Client_Grants/post_client_grants`,
      );
    }
    const granted = grant.allow_all_scopes === true ? declaredScopes(resourceServer.scopes) : (grant.scope ?? []);
    const requested = parameters.get("scope")?.split(" ").filter(Boolean);
    if (requested !== undefined) {
      // Auth0 refuses the whole request rather than narrow it when a scope is not granted (any
      // scope: `openid` too, since a client-credentials grant holds only the API's permissions).
      const notGranted = [...new Set(requested.filter((scope) => !granted.includes(scope)))];
      // Guess: the list's separator (", ") is as reported by users; every report quoted lists one scope.
      if (notGranted.length > 0) throw new OAuthError(403, "access_denied", `Client has not been granted scopes: ${notGranted.join(", ")}`);
    }
    const scopes = requested === undefined ? granted : granted.filter((scope) => requested.includes(scope));
    return issueAccessToken(await this.keys(), { issuer: this.issuer, resourceServer, clientId: client.client_id, scopes });
  }

  /** Authenticates the calling client by secret (Basic or form) or by `private_key_jwt` assertion. */
  async authenticate(parameters: Map<string, string>, authorization: string | undefined): Promise<Client> {
    const assertion = parameters.get("client_assertion");
    if (assertion !== undefined) return this.authenticateWithAssertion(assertion, parameters);
    const basic = basicCredentials(authorization);
    const clientId = basic?.clientId ?? parameters.get("client_id");
    const secret = basic?.secret ?? parameters.get("client_secret");
    if (clientId === undefined) throw new OAuthError(401, "access_denied", "Unauthorized");
    const client = this.tenant.clients.get(clientId);
    const expected = client?.client_secret;
    if (!client || secret === undefined || typeof expected !== "string" || !usesClientSecret(client) || !secretsEqual(secret, expected)) {
      throw unauthorized();
    }
    return client;
  }

  /** `private_key_jwt` (RFC 7523): the assertion must verify against one of the client's keys. */
  private async authenticateWithAssertion(assertion: string, parameters: Map<string, string>): Promise<Client> {
    if (parameters.get("client_assertion_type") !== ASSERTION_TYPE) {
      throw new OAuthError(400, "invalid_request", `client_assertion_type must be ${ASSERTION_TYPE}`);
    }
    let claimedId: string | undefined;
    try {
      claimedId = decodeJwt(assertion).iss;
    } catch {
      throw new OAuthError(401, "invalid_client", "Invalid client assertion: the assertion is not a JWT");
    }
    const clientId = claimedId ?? parameters.get("client_id") ?? "";
    const client = this.tenant.clients.get(clientId);
    const credentials = [...(this.tenant.credentials.get(clientId)?.values() ?? [])];
    const enabled = privateKeyJwtCredentialIds(client);
    for (const { document, key } of credentials) {
      if (key === undefined || !enabled.has(document.id)) continue;
      try {
        const { payload } = await jwtVerify(assertion, key, {
          issuer: clientId,
          subject: clientId,
          audience: [this.issuer, `${this.issuer}oauth/token`],
          algorithms: ["RS256", "RS384", "PS256"],
        });
        // Used ids are kept in the tenant until their assertion expires, so a restart does not
        // forget them. Guess: an assertion without `exp` is held to an hour.
        const expiresAt = payload.exp ?? Math.floor(Date.now() / 1000) + 3600;
        if (typeof payload.jti !== "string" || !this.tenant.useAssertionId(payload.jti, expiresAt)) {
          throw new OAuthError(401, "invalid_client", "Invalid client assertion: jti is missing or was already used");
        }
        if (client) return client;
      } catch (error) {
        if (error instanceof OAuthError) throw error;
        // Try the client's next key.
      }
    }
    throw new OAuthError(401, "invalid_client", "Invalid client assertion: signature or claims could not be verified");
  }
}

function declaredScopes(scopes: unknown): string[] {
  if (!Array.isArray(scopes)) return [];
  return scopes.flatMap((scope) => (isJsonObject(scope) && typeof scope.value === "string" ? [scope.value] : []));
}

function privateKeyJwtCredentialIds(client: Client | undefined): Set<string> {
  const methods = client?.client_authentication_methods;
  const keyJwt = isJsonObject(methods) ? methods.private_key_jwt : undefined;
  const credentials = isJsonObject(keyJwt) && Array.isArray(keyJwt.credentials) ? keyJwt.credentials : [];
  return new Set(credentials.flatMap((reference) => (isJsonObject(reference) && typeof reference.id === "string" ? [reference.id] : [])));
}

/** The discovery document Auth0 publishes at `/.well-known/openid-configuration`. */
export function openIdConfiguration(domain: string): Record<string, unknown> {
  const base = `https://${domain}`;
  return {
    issuer: `${base}/`,
    authorization_endpoint: `${base}/authorize`,
    token_endpoint: `${base}/oauth/token`,
    device_authorization_endpoint: `${base}/oauth/device/code`,
    userinfo_endpoint: `${base}/userinfo`,
    mfa_challenge_endpoint: `${base}/mfa/challenge`,
    jwks_uri: `${base}/.well-known/jwks.json`,
    registration_endpoint: `${base}/oidc/register`,
    revocation_endpoint: `${base}/oauth/revoke`,
    scopes_supported: [
      "openid",
      "profile",
      "offline_access",
      "name",
      "given_name",
      "family_name",
      "nickname",
      "email",
      "email_verified",
      "picture",
      "created_at",
      "identities",
      "phone",
      "address",
    ],
    response_types_supported: ["code", "token", "id_token", "code token", "code id_token", "token id_token", "code token id_token"],
    code_challenge_methods_supported: ["S256", "plain"],
    response_modes_supported: ["query", "fragment", "form_post"],
    subject_types_supported: ["public"],
    token_endpoint_auth_methods_supported: ["client_secret_basic", "client_secret_post", "private_key_jwt"],
    token_endpoint_auth_signing_alg_values_supported: ["RS256", "RS384", "PS256"],
    claims_supported: [
      "aud",
      "auth_time",
      "created_at",
      "email",
      "email_verified",
      "exp",
      "family_name",
      "given_name",
      "iat",
      "identities",
      "iss",
      "name",
      "nickname",
      "phone_number",
      "picture",
      "sub",
    ],
    request_uri_parameter_supported: false,
    request_parameter_supported: false,
    id_token_signing_alg_values_supported: ["HS256", "RS256", "PS256"],
    end_session_endpoint: `${base}/oidc/logout`,
    backchannel_logout_supported: true,
    backchannel_logout_session_supported: true,
  };
}
