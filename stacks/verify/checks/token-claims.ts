import { decodeJwt, decodeProtectedHeader, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from "jose";
import type { TenantSpec } from "../../../infra/config/spec";
import { MAX_ANSWER_DEPTH, nestsDeeperThan } from "../../auth0/json-answer";
import { row, type CheckRow } from "../report";

/** What a token from this stack's tenant must say, whoever it was issued to. */
export interface ExpectedToken {
  /** `import-job` or `test-user`: the first part of each row's name. */
  readonly subject: string;
  readonly clientId: string;
  readonly scopes: readonly string[];
}

const show = (value: unknown): string => (value === undefined ? "absent" : typeof value === "string" ? value : JSON.stringify(value));
const sorted = (values: readonly string[]): string[] => [...new Set(values)].sort();
const sameSet = (a: readonly string[], b: readonly string[]): boolean => sorted(a).join(" ") === sorted(b).join(" ");
const words = (value: unknown): string[] => (typeof value === "string" ? value.split(" ").filter(Boolean) : []);

/**
 * One row per claim the stack's spec decides: signature (the tenant's JWKS), iss, aud, alg,
 * the lifetime, scope, the client claim of the token profile, and permissions (only with RBAC's
 * dialect). Only claims are shown, never the token.
 */
export async function tokenRows(spec: TenantSpec, token: string, expected: ExpectedToken, jwks: JWTVerifyGetKey): Promise<CheckRow[]> {
  const name = (check: string): string => `${expected.subject}.${check}`;
  let claims: JWTPayload;
  let alg: string | undefined;
  try {
    claims = decodeJwt(token);
    alg = decodeProtectedHeader(token).alg;
  } catch {
    return [row(name("format"), false, "a JWT", "not a JWT")];
  }
  // The claims are shown below; claims nested without end would overflow what shows them.
  if (nestsDeeperThan(claims, MAX_ANSWER_DEPTH))
    return [row(name("format"), false, "a JWT", `its claims nest more than ${MAX_ANSWER_DEPTH} levels deep; not read`)];
  const { api, tenant } = spec;
  const rows: CheckRow[] = [];

  if (api.signingAlg === "HS256") {
    rows.push(
      row(
        name("signature"),
        false,
        "signed by a key in the tenant's JWKS",
        "HS256: signed with the API's shared secret, which no JWKS holds",
      ),
    );
  } else {
    try {
      await jwtVerify(token, jwks, { algorithms: [api.signingAlg] });
      rows.push(row(name("signature"), true, `verifies against ${tenant.jwksUri}`, "verified"));
    } catch (error) {
      rows.push(
        row(name("signature"), false, `verifies against ${tenant.jwksUri}`, error instanceof Error ? error.message : String(error)),
      );
    }
  }
  rows.push(row(name("iss"), claims.iss === tenant.issuer, tenant.issuer, show(claims.iss)));
  const audience = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
  rows.push(row(name("aud"), audience.includes(api.identifier), `includes ${api.identifier}`, show(claims.aud)));
  rows.push(row(name("alg"), alg === api.signingAlg, api.signingAlg, show(alg)));
  const lifetime = typeof claims.exp === "number" && typeof claims.iat === "number" ? claims.exp - claims.iat : undefined;
  rows.push(
    row(
      name("lifetime"),
      lifetime === api.tokenLifetime,
      `exp - iat = ${api.tokenLifetime}`,
      lifetime === undefined ? "exp or iat missing" : `exp - iat = ${lifetime}`,
    ),
  );

  // OpenID scopes say who the user is, not what the API allows; only API permissions are compared.
  const permissionNames = api.permissions.map((p) => p.name);
  const granted = words(claims.scope).filter((scope) => permissionNames.includes(scope));
  rows.push(
    row(
      name("scope"),
      sameSet(granted, expected.scopes),
      `exactly ${sorted(expected.scopes).join(" ") || "none"}`,
      sorted(granted).join(" ") || "none",
    ),
  );

  const clientClaim = api.tokenProfile === "rfc9068" ? "client_id" : "azp";
  rows.push(row(name(clientClaim), claims[clientClaim] === expected.clientId, expected.clientId, show(claims[clientClaim])));

  const rbac = api.tokenDialect.endsWith("_authz");
  const permissions = claims.permissions;
  if (rbac) {
    const listed = Array.isArray(permissions) ? permissions.filter((p): p is string => typeof p === "string") : undefined;
    rows.push(
      row(
        name("permissions"),
        listed !== undefined && sameSet(listed, expected.scopes),
        `exactly ${sorted(expected.scopes).join(" ")}`,
        show(permissions),
      ),
    );
  } else {
    rows.push(row(name("permissions"), permissions === undefined, "absent (RBAC is off)", show(permissions)));
  }
  return rows;
}
