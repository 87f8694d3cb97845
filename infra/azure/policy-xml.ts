import type { GatewayOperation, GatewaySpec, TenantSpec } from "../config/spec";
import { element, renderXml, textElement, type XmlNode } from "./xml";

/**
 * The gateway's one policy, at API scope, rendered from the spec (Microsoft's "Policies in
 * API Management", the validate-jwt, choose and return-response references):
 *
 * 1. validate-jwt, once per request: anything that is not a valid Auth0 access token for
 *    this API (header and Bearer scheme, signature, expiry, audience, issuer) is answered
 *    401, and the token is left in a context variable.
 * 2. A `<choose>` on `context.Operation.Id`: each declared operation requires its permission
 *    as a whole word of the space-separated `scope` claim, or 403 with RFC 6750's
 *    `insufficient_scope` challenge; `<otherwise>` (an operation nobody declared: added in
 *    the portal, by an OpenAPI import, or between deployments) is 403. Nothing here
 *    depends on an operation having a policy of its own, so none has one.
 *
 * A failed validate-jwt sends API Management to `on-error` with `context.LastError` set
 * (Source "validate-jwt", Reason, PolicyId = the policy's `id`); the challenge is chosen
 * there. `return-response` ends the pipeline, so the 403 carries its header itself.
 */

/** The `id` of the validate-jwt (401). */
export const AUTHENTICATE_POLICY_ID = "authenticate";
/** Where validate-jwt leaves the validated token (a `Jwt`); the permission check reads it. */
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

/** A C# string literal for a policy expression (the spec's ids and permissions never hold quotes or backslashes; escape anyway). */
function csharpString(value: string): string {
  return `"${value.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`;
}

/** `@(context.Operation.Id == "<id>")`: the operation API Management matched the request to. */
export function operationCondition(operationId: string): string {
  return `@(context.Operation.Id == ${csharpString(operationId)})`;
}

/**
 * True when the token lacks the permission: `scope` (one space-separated string, as Auth0
 * writes it) split on single spaces must contain the permission as a whole word, so
 * "batch:uploads", "batch:upload:all" and "batch:upload,read:timesheets" do not satisfy
 * "batch:upload". `GetValueOrDefault` answers "" where the token has no `scope`.
 */
export function missingPermissionCondition(permission: string): string {
  return `@(!((Jwt)context.Variables[${csharpString(TOKEN_VARIABLE)}]).Claims.GetValueOrDefault("scope", "").Split(' ').Contains(${csharpString(permission)}))`;
}

/** RFC 6750 section 3.1: the permission that was missing, so a client knows what to ask for. */
export function insufficientScopeChallenge(permission: string): string {
  return `Bearer error="insufficient_scope", scope="${permission}"`;
}

/** RFC 6750 section 3: no token, no error code; a token that failed validation, `invalid_token`. */
export const NO_TOKEN_CHALLENGE = "Bearer";
export const INVALID_TOKEN_CHALLENGE = 'Bearer error="invalid_token"';

/** Where validate-jwt finds its keys: Auth0's published keys, or (HS256) the shared secret. */
function signingKeys(spec: TenantSpec, gateway: GatewaySpec): XmlNode {
  if (spec.api.signingAlg === "HS256") {
    // Never the secret itself: APIM substitutes {{name}} from a secret named value at run time.
    return element("issuer-signing-keys", {}, [textElement("key", `{{${signingKeyNamedValue(gateway)}}}`)]);
  }
  return element("openid-config", { url: spec.tenant.openIdConfigurationUrl });
}

/** The one validate-jwt. Child elements follow the order of Microsoft's policy statement. */
function authenticate(spec: TenantSpec, gateway: GatewaySpec): XmlNode {
  return element(
    "validate-jwt",
    {
      id: AUTHENTICATE_POLICY_ID,
      // With any other header APIM ignores require-scheme; only Authorization carries "Bearer".
      "header-name": "Authorization",
      "require-scheme": "Bearer",
      "failed-validation-httpcode": 401,
      "failed-validation-error-message": "Unauthorized: the access token is missing or invalid.",
      "require-expiration-time": "true",
      "require-signed-tokens": "true",
      "clock-skew": gateway.clockSkewSeconds,
      "output-token-variable-name": TOKEN_VARIABLE,
    },
    [
      signingKeys(spec, gateway),
      element("audiences", {}, [textElement("audience", spec.api.identifier)]),
      // Exactly what Auth0 writes in `iss`, trailing slash included.
      element("issuers", {}, [textElement("issuer", spec.tenant.issuer)]),
    ],
  );
}

function forbidden(message: string, challenge: string | undefined): XmlNode {
  return element("return-response", {}, [
    element("set-status", { code: 403, reason: "Forbidden" }),
    ...(challenge === undefined
      ? []
      : [element("set-header", { name: "WWW-Authenticate", "exists-action": "override" }, [textElement("value", challenge)])]),
    element("set-header", { name: "Content-Type", "exists-action": "override" }, [textElement("value", "application/json")]),
    textElement("set-body", JSON.stringify({ statusCode: 403, message })),
  ]);
}

function requirePermission(operation: GatewayOperation): XmlNode {
  return element("when", { condition: operationCondition(operation.id) }, [
    element("choose", {}, [
      element("when", { condition: missingPermissionCondition(operation.permission) }, [
        forbidden(
          `Forbidden: the access token lacks the ${operation.permission} permission.`,
          insufficientScopeChallenge(operation.permission),
        ),
      ]),
    ]),
  ]);
}

/** Deny by default: each declared operation's permission, and 403 for any other operation. */
function authorize(gateway: GatewaySpec): XmlNode {
  return element("choose", {}, [
    ...gateway.operations.map(requirePermission),
    // No challenge: no token would help, the operation is not one this API declares.
    element("otherwise", {}, [forbidden("Forbidden: this operation is not open to any access token.", undefined)]),
  ]);
}

/** The 401's challenge: plain `Bearer` when no token came, `invalid_token` otherwise. No description: it would tell a prober which check failed. */
function challengeOnError(): XmlNode {
  const ours = `context.LastError.Source == "validate-jwt" && context.LastError.PolicyId == ${csharpString(AUTHENTICATE_POLICY_ID)}`;
  const header = (value: string): XmlNode =>
    element("set-header", { name: "WWW-Authenticate", "exists-action": "override" }, [textElement("value", value)]);
  return element("choose", {}, [
    element("when", { condition: `@(${ours} && context.LastError.Reason == "TokenNotPresent")` }, [header(NO_TOKEN_CHALLENGE)]),
    element("when", { condition: `@(${ours})` }, [header(INVALID_TOKEN_CHALLENGE)]),
  ]);
}

/** The API-scope policy: one validation (401), then the operation's permission (403), denying any undeclared operation. */
export function renderApiPolicy(spec: TenantSpec): string {
  const gateway = requireGateway(spec);
  const base = element("base");
  return renderXml(
    element("policies", {}, [
      element("inbound", {}, [base, authenticate(spec, gateway), authorize(gateway)]),
      element("backend", {}, [base]),
      element("outbound", {}, [base]),
      element("on-error", {}, [base, challengeOnError()]),
    ]),
  );
}
