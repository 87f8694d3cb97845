import type { GatewayOperation, GatewaySpec, TenantSpec } from "../config/spec";
import { element, renderXml, textElement, type XmlNode } from "./xml";

/**
 * The gateway's policies, rendered from the spec. Two scopes, as API Management
 * evaluates them (Microsoft's "Policies in API Management" and the validate-jwt
 * reference):
 *
 * - API scope: validate-jwt answers 401 to anything that is not a valid Auth0 access
 *   token for this API (header and Bearer scheme, signature, expiry, audience, issuer).
 * - Operation scope: `<base/>` first, so the API's check has already run; then a second
 *   validate-jwt that requires the operation's permission as a whole word of the
 *   space-separated `scope` claim and answers 403, so "who are you" and "you may not"
 *   stay distinguishable.
 *
 * A failed validate-jwt sends API Management to the `on-error` section with
 * `context.LastError.PolicyId` set to the policy's `id`; each scope adds the RFC 6750
 * WWW-Authenticate header for its own failure there.
 */

/** The `id` of the API-scope validate-jwt (401). */
export const AUTHENTICATE_POLICY_ID = "authenticate";
/** The `id` of each operation's validate-jwt (403). */
export const REQUIRE_PERMISSION_POLICY_ID = "require-permission";
/** Where the API scope leaves the validated token, for policies that want its claims. */
export const TOKEN_VARIABLE = "access-token";

/**
 * The named value that holds the HS256 key (base64, as validate-jwt's `<key>` takes it).
 * Named after the API: an existing API Management instance may serve other APIs.
 */
export function signingKeyNamedValue(gateway: GatewaySpec): string {
  return `${gateway.api.name}-signing-key`;
}

function requireGateway(spec: TenantSpec): GatewaySpec {
  if (spec.gateway === undefined) throw new Error(`stack "${spec.stack}" has no gateway: timesheets:apim is not set`);
  return spec.gateway;
}

/** Where validate-jwt finds its keys: Auth0's published keys, or (HS256) the shared secret. */
function signingKeys(spec: TenantSpec, gateway: GatewaySpec): XmlNode {
  if (spec.api.signingAlg === "HS256") {
    // Never the secret itself: APIM substitutes {{name}} from a secret named value at run time.
    return element("issuer-signing-keys", {}, [textElement("key", `{{${signingKeyNamedValue(gateway)}}}`)]);
  }
  return element("openid-config", { url: spec.tenant.openIdConfigurationUrl });
}

interface TokenCheck {
  readonly id: string;
  readonly status: 401 | 403;
  readonly message: string;
  readonly variable?: string;
  readonly requiredClaims?: XmlNode;
}

/**
 * One validate-jwt, complete on its own: each scope's check verifies the token fully,
 * so a policy edited at one scope cannot quietly rely on the other. Child elements
 * follow the order of Microsoft's policy statement.
 */
function validateJwt(spec: TenantSpec, gateway: GatewaySpec, check: TokenCheck): XmlNode {
  const attributes: Record<string, string | number> = {
    id: check.id,
    // With any other header APIM ignores require-scheme; only Authorization carries "Bearer".
    "header-name": "Authorization",
    "require-scheme": "Bearer",
    "failed-validation-httpcode": check.status,
    "failed-validation-error-message": check.message,
    "require-expiration-time": "true",
    "require-signed-tokens": "true",
    "clock-skew": gateway.clockSkewSeconds,
  };
  if (check.variable !== undefined) attributes["output-token-variable-name"] = check.variable;
  return element("validate-jwt", attributes, [
    signingKeys(spec, gateway),
    element("audiences", {}, [textElement("audience", spec.api.identifier)]),
    // Exactly what Auth0 writes in `iss`, trailing slash included.
    element("issuers", {}, [textElement("issuer", spec.tenant.issuer)]),
    ...(check.requiredClaims === undefined ? [] : [check.requiredClaims]),
  ]);
}

/** On this scope's own failure (and no other), say how to authenticate, per RFC 6750 section 3. */
function challengeOnError(policyId: string, challenge: string): XmlNode {
  return element("choose", {}, [
    element("when", { condition: `@(context.LastError.PolicyId == "${policyId}")` }, [
      element("set-header", { name: "WWW-Authenticate", "exists-action": "override" }, [textElement("value", challenge)]),
    ]),
  ]);
}

function policies(inbound: readonly XmlNode[], onError: readonly XmlNode[]): string {
  const base = element("base");
  return renderXml(
    element("policies", {}, [
      element("inbound", {}, [base, ...inbound]),
      element("backend", {}, [base]),
      element("outbound", {}, [base]),
      element("on-error", {}, [base, ...onError]),
    ]),
  );
}

/** The API-scope policy: a valid Auth0 access token for this API, or 401. */
export function renderApiPolicy(spec: TenantSpec): string {
  const gateway = requireGateway(spec);
  const authenticate = validateJwt(spec, gateway, {
    id: AUTHENTICATE_POLICY_ID,
    status: 401,
    message: "Unauthorized: the access token is missing or invalid.",
    variable: TOKEN_VARIABLE,
  });
  // No error code in the challenge: RFC 6750 asks for none when the request had no token,
  // and one header for every 401 keeps the policy free of guesses about APIM's reasons.
  return policies([authenticate], [challengeOnError(AUTHENTICATE_POLICY_ID, "Bearer")]);
}

/** An operation's policy: the API's check (via `<base/>`), then its permission in `scope`, or 403. */
export function renderOperationPolicy(spec: TenantSpec, operation: GatewayOperation): string {
  const gateway = requireGateway(spec);
  const requiredClaims = element("required-claims", {}, [
    // `scope` is one space-separated string; the separator makes APIM compare whole
    // permissions, so "batch:uploads" does not satisfy "batch:upload".
    element("claim", { name: "scope", match: "any", separator: " " }, [textElement("value", operation.permission)]),
  ]);
  const requirePermission = validateJwt(spec, gateway, {
    id: REQUIRE_PERMISSION_POLICY_ID,
    status: 403,
    message: `Forbidden: the access token lacks the ${operation.permission} permission.`,
    requiredClaims,
  });
  const challenge = `Bearer error="insufficient_scope", scope="${operation.permission}"`;
  return policies([requirePermission], [challengeOnError(REQUIRE_PERMISSION_POLICY_ID, challenge)]);
}
