import { createSecretKey } from "node:crypto";
import { SignJWT, jwtVerify, errors as joseErrors } from "jose";
import { ManagementApiError } from "./errors.js";
import { jwtId } from "./ids.js";
import type { TenantKeys } from "./keys.js";
import type { ResourceServer } from "./store.js";

// Access tokens as Auth0 issues them, for a client (client-credentials) or a user (password-realm). Two token profiles
// exist (the resource server's `token_dialect`): Auth0's own (`azp`, header `typ: JWT`) and
// RFC 9068's (`client_id`, `jti`, header `typ: at+jwt`); the `_authz` variants add the
// granted scopes as `permissions`, as RBAC-enforcing APIs receive them.

export interface IssuedToken {
  access_token: string;
  expires_in: number;
  scope?: string;
  token_type: "Bearer";
}

export interface TokenRequest {
  issuer: string;
  resourceServer: ResourceServer;
  clientId: string;
  scopes: readonly string[];
  /** Seconds since the epoch; now by default. */
  issuedAt?: number;
  /** A user signed in by the client; without one, the token is the client's own (`<client>@clients`). */
  user?: {
    readonly userId: string;
    /** The API's permissions among `scopes` (the rest are OpenID scopes), for an `_authz` dialect's claim. */
    readonly apiScopes: readonly string[];
    /** How the user signed in; a browser sign-in's token carries no `gty` (guess: Auth0 sets it for the password grants). */
    readonly grantType?: "password" | "authorization_code";
  };
}

export async function issueAccessToken(keys: TenantKeys, request: TokenRequest): Promise<IssuedToken> {
  const { resourceServer, clientId, scopes } = request;
  const dialect = resourceServer.token_dialect ?? "access_token";
  const rfc9068 = dialect.startsWith("rfc9068_profile");
  const issuedAt = request.issuedAt ?? Math.floor(Date.now() / 1000);
  const lifetime = resourceServer.token_lifetime;
  const user = request.user;
  // With openid, Auth0 adds its userinfo endpoint to the audience.
  const audience = scopes.includes("openid") ? [resourceServer.identifier, `${request.issuer}userinfo`] : resourceServer.identifier;
  const claims: Record<string, unknown> = {
    iss: request.issuer,
    sub: user?.userId ?? `${clientId}@clients`,
    aud: audience,
    iat: issuedAt,
    exp: issuedAt + lifetime,
  };
  if (rfc9068) claims.jti = jwtId();
  if (scopes.length > 0) claims.scope = scopes.join(" ");
  if (user?.grantType !== "authorization_code") claims.gty = user === undefined ? "client-credentials" : "password";
  claims[rfc9068 ? "client_id" : "azp"] = clientId;
  if (dialect.endsWith("_authz")) claims.permissions = [...(user?.apiScopes ?? scopes)];
  const typ = rfc9068 ? "at+jwt" : "JWT";
  const jwt = new SignJWT(claims);
  let accessToken: string;
  if (resourceServer.signing_alg === "HS256") {
    // HS256 APIs share a secret with Auth0 and carry no `kid`: there is nothing to look up.
    const secret = resourceServer.signing_secret ?? "";
    accessToken = await jwt.setProtectedHeader({ alg: "HS256", typ }).sign(createSecretKey(Buffer.from(secret)));
  } else {
    const key = resourceServer.signing_alg === "PS256" ? await keys.PS256() : keys.RS256;
    accessToken = await jwt.setProtectedHeader({ alg: key.alg, typ, kid: key.kid }).sign(key.privateKey);
  }
  const issued: IssuedToken = { access_token: accessToken, expires_in: lifetime, token_type: "Bearer" };
  if (scopes.length > 0) issued.scope = scopes.join(" ");
  return issued;
}

/** The Management API's view of a bearer token: who it was issued to and what it may do. */
export interface ManagementPrincipal {
  scopes: ReadonlySet<string>;
  expiresAt: number;
}

const invalid = (message: string): ManagementApiError =>
  new ManagementApiError(401, message, undefined, {}, { attributes: { error: message } });

/**
 * Verifies Management API bearer tokens. Verified tokens are remembered until they expire, so
 * a test that reuses one token does not pay for an RSA verification per request.
 */
export class ManagementTokenVerifier {
  private readonly verified = new Map<string, ManagementPrincipal>();

  constructor(
    private readonly keys: () => Promise<TenantKeys>,
    private readonly issuer: string,
    private readonly audience: string,
  ) {}

  async verify(authorization: string | undefined): Promise<ManagementPrincipal> {
    if (authorization === undefined || authorization === "") throw new ManagementApiError(401, "Missing authentication");
    const [scheme, token, ...rest] = authorization.trim().split(/\s+/);
    if (scheme?.toLowerCase() !== "bearer" || token === undefined || rest.length > 0) {
      throw new ManagementApiError(401, "Missing authentication");
    }
    const now = Date.now() / 1000;
    const known = this.verified.get(token);
    if (known && known.expiresAt > now) return known;
    const keys = await this.keys();
    try {
      const { payload } = await jwtVerify(token, keys.RS256.publicKey, {
        issuer: this.issuer,
        audience: this.audience,
        algorithms: ["RS256"],
      });
      const principal: ManagementPrincipal = {
        scopes: new Set(typeof payload.scope === "string" ? payload.scope.split(" ") : []),
        expiresAt: payload.exp ?? now,
      };
      // Bounded: a long benchmark minting tokens must not grow this without limit.
      if (this.verified.size > 10_000) this.verified.clear();
      this.verified.set(token, principal);
      return principal;
    } catch (error) {
      if (error instanceof joseErrors.JWTExpired) throw invalid("Expired token received for JSON Web Token validation");
      throw invalid("Invalid token");
    }
  }

  forget(): void {
    this.verified.clear();
  }
}
