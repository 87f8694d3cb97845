import { compactVerify } from "jose";
import type { RequiredClaim, ValidateJwtPolicy } from "./policy-document";
import type { CandidateKey, SigningKeyResolver } from "./signing-keys";

/**
 * One validate-jwt statement, evaluated as Microsoft documents the policy. The failure
 * reasons are those of "Predefined errors for policies" (error handling reference).
 *
 * Documented and modelled: the algorithms (asymmetric PS256, RS256, RS512; symmetric keys
 * base64 inline or from a named value), a `kid` matched against the keys' ids, and an
 * unknown `kid` answered by one refetch of the OpenID configuration (at most once per 5
 * minutes) and then TokenSignatureKeyNotFound.
 *
 * Where the documentation is silent, each place below says "Guess:". Where a guess could
 * go either way, the model takes the permissive reading (scheme compared case-insensitively,
 * header `typ` not checked, the OpenID configuration's issuer accepted besides the listed
 * ones), so that a policy passes here only if its own elements make it safe.
 */

export interface GatewayRequest {
  readonly method: string;
  /** Path and query below the API, e.g. `/timesheets/42?x=1`. */
  readonly path: string;
  readonly headers: Readonly<Record<string, string>>;
}

export type ValidationReason =
  | "TokenNotPresent"
  | "TokenSignatureInvalid"
  | "TokenSignatureKeyNotFound"
  | "TokenAudienceNotAllowed"
  | "TokenIssuerNotAllowed"
  | "TokenExpired"
  | "TokenClaimNotFound"
  | "TokenClaimValueNotAllowed"
  | "JwtInvalid";

export type ValidationResult =
  | { readonly valid: true; readonly claims: Readonly<Record<string, unknown>> }
  | { readonly valid: false; readonly reason: ValidationReason; readonly message: string };

const fail = (reason: ValidationReason, message: string): ValidationResult => ({ valid: false, reason, message });

function header(request: GatewayRequest, name: string): string | undefined {
  const found = Object.entries(request.headers).find(([key]) => key.toLowerCase() === name.toLowerCase());
  return found?.[1];
}

/** header-name (with require-scheme, honoured only for Authorization) or query-parameter-name. */
function extractToken(policy: ValidateJwtPolicy, request: GatewayRequest): string | undefined {
  if (policy.queryParameterName !== undefined) {
    return new URL(request.path, "https://gateway.invalid").searchParams.get(policy.queryParameterName) ?? undefined;
  }
  const value = header(request, policy.headerName ?? "")?.trim();
  if (value === undefined || value === "") return undefined;
  const schemeApplies = policy.requireScheme !== undefined && policy.headerName?.toLowerCase() === "authorization";
  if (!schemeApplies) return value;
  const [scheme, token, ...rest] = value.split(/\s+/);
  if (scheme?.toLowerCase() !== policy.requireScheme?.toLowerCase() || token === undefined || rest.length > 0) return undefined;
  return token;
}

function decodeSegment(segment: string | undefined): Record<string, unknown> | undefined {
  if (segment === undefined) return undefined;
  try {
    const value = JSON.parse(Buffer.from(segment, "base64url").toString("utf8")) as unknown;
    return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The documented list: "Asymmetric - PS256, RS256, RS512". For symmetric keys the usage
 * notes name only encryption algorithms (A128CBC-HS256 ...); HS256 signing is documented
 * only by the examples (`<key>{{jwt-signing-key}}</key>`). Guess: HS256 is the one
 * symmetric signing algorithm; HS384 and HS512 are refused like any unlisted algorithm.
 */
const ALGORITHMS: Readonly<Record<string, "symmetric" | "rsa">> = { HS256: "symmetric", RS256: "rsa", RS512: "rsa", PS256: "rsa" };

async function verifiesWith(token: string, alg: string, candidates: readonly CandidateKey[]): Promise<boolean> {
  for (const candidate of candidates) {
    try {
      await compactVerify(token, candidate.key, { algorithms: [alg] });
      return true;
    } catch {
      // Documented: each key is tried until one succeeds (token rollover).
    }
  }
  return false;
}

/** Keys a token's `kid` selects: a key with that id, or (guess) a key that carries no id at all. */
function selectedBy(kid: string | undefined, keys: readonly CandidateKey[]): CandidateKey[] {
  return kid === undefined ? [...keys] : keys.filter((key) => key.kid === kid || key.kid === undefined);
}

async function verifySignature(
  token: string,
  alg: string,
  kid: string | undefined,
  policy: ValidateJwtPolicy,
  resolver: SigningKeyResolver,
): Promise<ValidationResult | undefined> {
  const kind = ALGORITHMS[alg];
  // Guess: the reason for an algorithm outside the list is not documented.
  if (kind === undefined) return fail("TokenSignatureInvalid", `alg ${alg} is not supported`);
  let usable = (await resolver.resolve(policy)).keys.filter((key) => key.kind === kind);
  let candidates = selectedBy(kid, usable);
  if (candidates.length === 0 && kid !== undefined && policy.openIdConfigUrls.length > 0) {
    usable = (await resolver.refreshForUnknownKid(policy)).keys.filter((key) => key.kind === kind);
    candidates = selectedBy(kid, usable);
  }
  if (candidates.length === 0)
    return fail("TokenSignatureKeyNotFound", `no ${kind} key${kid === undefined ? "" : ` with kid ${kid}`} to verify ${alg}`);
  return (await verifiesWith(token, alg, candidates))
    ? undefined
    : fail("TokenSignatureInvalid", "the signature matches none of the signing keys");
}

function audiencesOf(claims: Record<string, unknown>): string[] {
  const aud = claims.aud;
  if (typeof aud === "string") return [aud];
  return Array.isArray(aud) ? aud.filter((value): value is string => typeof value === "string") : [];
}

/** A claim's values: array elements, or a string split on the separator when one is given. */
function claimValues(value: unknown, separator: string | undefined): string[] {
  if (Array.isArray(value)) return value.map(String);
  const text = String(value);
  return separator === undefined || separator === "" ? [text] : text.split(separator);
}

function checkClaim(claims: Record<string, unknown>, required: RequiredClaim): ValidationResult | undefined {
  if (!(required.name in claims)) return fail("TokenClaimNotFound", `JWT token is missing the following claims: ${required.name}`);
  const present = claimValues(claims[required.name], required.separator);
  const satisfied =
    required.match === "all" ? required.values.every((v) => present.includes(v)) : required.values.some((v) => present.includes(v));
  return satisfied
    ? undefined
    : fail("TokenClaimValueNotAllowed", `Claim ${required.name} value of ${String(claims[required.name])} is not allowed`);
}

export async function evaluateValidateJwt(
  policy: ValidateJwtPolicy,
  request: GatewayRequest,
  keys: SigningKeyResolver,
  nowSeconds: number,
): Promise<ValidationResult> {
  const token = extractToken(policy, request);
  if (token === undefined) return fail("TokenNotPresent", "JWT not present.");
  const segments = token.split(".");
  if (segments.length !== 3) return fail("JwtInvalid", "the token is not a signed JWT (JWS compact serialization)");
  const [encodedHeader, encodedPayload, signature] = segments;
  const jose = decodeSegment(encodedHeader);
  const claims = decodeSegment(encodedPayload);
  if (jose === undefined || claims === undefined) return fail("JwtInvalid", "the token's header or payload is not JSON");

  // Guess: the header's `typ` (JWT, or at+jwt of RFC 9068) is not checked; the documentation names no check of it.
  const alg = typeof jose.alg === "string" ? jose.alg : "none";
  if (alg === "none" || signature === "") {
    if (policy.requireSignedTokens) return fail("TokenSignatureInvalid", "the token is not signed");
  } else {
    const problem = await verifySignature(token, alg, typeof jose.kid === "string" ? jose.kid : undefined, policy, keys);
    if (problem !== undefined) return problem;
  }

  // Guess: the lifetime rule of .NET's token validation, to the second: expired once
  // now > exp + skew, not yet valid while now + skew < nbf.
  const skew = policy.clockSkewSeconds;
  if (typeof claims.exp !== "number") {
    if (policy.requireExpirationTime) return fail("JwtInvalid", "the token has no expiration time");
  } else if (nowSeconds > claims.exp + skew) {
    return fail("TokenExpired", "the token has expired");
  }
  if (typeof claims.nbf === "number" && nowSeconds + skew < claims.nbf) return fail("JwtInvalid", "the token is not valid yet");

  if (policy.audiences.length === 0) throw new Error("validate-jwt without audiences is outside the modelled subset");
  if (!audiencesOf(claims).some((aud) => policy.audiences.includes(aud)))
    return fail("TokenAudienceNotAllowed", "the audience is not allowed");

  const issuers = [...policy.issuers, ...(await keys.resolve(policy)).issuers];
  if (issuers.length > 0 && (typeof claims.iss !== "string" || !issuers.includes(claims.iss)))
    return fail("TokenIssuerNotAllowed", "the issuer is not allowed");

  for (const required of policy.requiredClaims) {
    const problem = checkClaim(claims, required);
    if (problem !== undefined) return problem;
  }
  return { valid: true, claims };
}
