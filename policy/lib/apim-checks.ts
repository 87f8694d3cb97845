import type { PolicyResource } from "@pulumi/policy";
import { parseApimPolicy, resolveNamedValues, type JwtValidation } from "./apim-policy";
import { text } from "./props";
import { list, quoted, sortedSet, type DeclaredApi } from "./resources";

/** What a check needs of the stack: its APIs (audiences, issuers, permissions) and named values. */
export interface StackContext {
  readonly apis: readonly DeclaredApi[];
  readonly namedValues: ReadonlyMap<string, string>;
}

const OPENID_CONFIGURATION = ".well-known/openid-configuration";

function identifiers(context: StackContext): string[] {
  return context.apis.map((api) => api.identifier);
}

/**
 * One validate-jwt held to the stack. At API scope (`complete`) it must name audience,
 * issuer and signing keys; at operation scope whatever it names must still be right.
 */
export function checkTokenValidation(at: string, validation: JwtValidation, context: StackContext, complete: boolean): string[] {
  const problems: string[] = [];
  const resolve = (value: string) => resolveNamedValues(value, context.namedValues);
  if (validation.attributes["require-signed-tokens"]?.toLowerCase() === "false") {
    problems.push(`${at} accepts unsigned tokens (require-signed-tokens="false")`);
  }
  if (validation.attributes["require-expiration-time"]?.toLowerCase() === "false") {
    problems.push(`${at} accepts tokens without an expiry (require-expiration-time="false")`);
  }

  const audiences = validation.audiences.map(resolve);
  if (audiences.length === 0 && complete) problems.push(`${at} lists no audience; expected one of ${list(identifiers(context))}`);
  const matched: DeclaredApi[] = [];
  for (const audience of audiences) {
    const api = context.apis.find((declared) => declared.identifier === audience);
    if (api === undefined) {
      problems.push(
        `${at} accepts the audience ${audience}, which no resource server in this stack declares; expected one of ${list(identifiers(context))}`,
      );
    } else {
      matched.push(api);
    }
  }
  for (const api of matched.filter((declared) => declared.issuer === undefined)) {
    problems.push(`${at}: its issuer cannot be checked, as the Auth0 provider of resource server ${quoted(api.resource)} names no domain`);
  }
  const expectedIssuers = sortedSet(matched.flatMap((api) => (api.issuer === undefined ? [] : [api.issuer])));

  const issuers = validation.issuers.map(resolve);
  if (issuers.length === 0 && complete) {
    problems.push(
      `${at} lists no issuer; expected ${expectedIssuers.length > 0 ? list(expectedIssuers) : "its audience's tenant, https://<domain>/"}`,
    );
  }
  if (expectedIssuers.length > 0) {
    for (const issuer of issuers.filter((issuer) => !expectedIssuers.includes(issuer))) {
      problems.push(`${at} accepts the issuer ${issuer}; expected ${list(expectedIssuers)}, the tenant of its audience`);
    }
    const expectedUrls = expectedIssuers.map((issuer) => `${issuer}${OPENID_CONFIGURATION}`);
    for (const url of validation.openIdConfigUrls.map(resolve).filter((url) => !expectedUrls.includes(url))) {
      problems.push(`${at} takes its signing keys from ${url}; expected ${list(expectedUrls)}, its issuer's metadata`);
    }
  }
  if (complete && validation.openIdConfigUrls.length === 0 && validation.keys.length === 0) {
    problems.push(`${at} names no signing keys; expected <openid-config url="..."> of its issuer`);
  }
  return problems;
}

/** The policy's XML, or the reason it cannot be read. */
function documentOf(label: string, policy: PolicyResource): ReturnType<typeof parseApimPolicy> {
  const xml = text(policy.props, "value");
  if (xml === undefined) return { ok: false, error: `${label} has no policy document (value)` };
  const parsed = parseApimPolicy(xml);
  return parsed.ok ? parsed : { ok: false, error: `${label} is not a readable policy document: ${parsed.error}` };
}

export function checkApiPolicy(policy: PolicyResource, context: StackContext): string[] {
  const label = `ApiPolicy ${quoted(policy)}`;
  const document = documentOf(label, policy);
  if (!document.ok) return [document.error];
  const { validations } = document.inbound;
  if (validations.length === 0) {
    return [`${label} has no validate-jwt directly in <inbound>; the API-level policy must validate every request's access token`];
  }
  return validations.flatMap((validation) => checkTokenValidation(`${label}: validate-jwt`, validation, context, true));
}

export function checkOperationPolicy(policy: PolicyResource, context: StackContext): string[] {
  const label = `ApiOperationPolicy ${quoted(policy)}`;
  const document = documentOf(label, policy);
  if (!document.ok) return [document.error];
  const { includesBase, validations } = document.inbound;
  const problems: string[] = [];
  if (!includesBase) {
    problems.push(`${label} leaves <base /> out of <inbound>, so the API-level token validation does not run for its operation`);
  }
  const resolve = (value: string) => resolveNamedValues(value, context.namedValues);
  const scopeChecks = validations.filter((validation) => (validation.requiredClaims.get("scope") ?? []).some((value) => value !== ""));
  if (scopeChecks.length === 0) {
    problems.push(
      `${label} requires no permission; expected a validate-jwt in <inbound> whose required "scope" claim names the operation's permission`,
    );
  }
  for (const validation of validations) problems.push(...checkTokenValidation(`${label}: validate-jwt`, validation, context, false));
  for (const validation of scopeChecks) {
    const audiences = validation.audiences.map(resolve);
    const apis = audiences.length === 0 ? context.apis : context.apis.filter((api) => audiences.includes(api.identifier));
    const permissions = apis.flatMap((api) => api.permissions);
    if (permissions.length === 0) continue;
    for (const value of (validation.requiredClaims.get("scope") ?? []).map(resolve)) {
      if (value !== "" && !permissions.includes(value)) {
        problems.push(`${label} requires the permission ${value}, which is not a permission of ${list(apis.map((api) => api.identifier))}`);
      }
    }
  }
  return problems;
}
