import type { PolicyResource } from "@pulumi/policy";
import {
  namedPermission,
  parseApimPolicy,
  resolveNamedValues,
  wholeWordPermission,
  type JwtValidation,
  type OperationSwitch,
} from "./apim-policy";
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

/** A `scope` required by `required-claims` must be matched whole-word: `separator=" "` (one space) and `match="any"`. */
function checkScopeClaims(at: string, validation: JwtValidation): string[] {
  return validation.claimRules
    .filter((rule) => rule.name === "scope" && (rule.separator !== " " || rule.match !== "any"))
    .map(
      (rule) =>
        `${at} requires "scope" with separator=${JSON.stringify(rule.separator ?? "")} and match=${JSON.stringify(rule.match ?? "all")}; expected separator=" " and match="any", so a permission counts only as a whole word of the space-separated scope`,
    );
}

function permissionsOf(context: StackContext, validation: JwtValidation): string[] {
  const audiences = validation.audiences.map((value) => resolveNamedValues(value, context.namedValues));
  const apis = audiences.length === 0 ? context.apis : context.apis.filter((api) => audiences.includes(api.identifier));
  return apis.flatMap((api) => api.permissions);
}

/**
 * The deny-by-default part of an API policy: after its validate-jwt, a `<choose>` on
 * `context.Operation.Id` whose branch for each operation refuses (403) a token without
 * the operation's permission as a whole word of `scope`, and whose `<otherwise>` refuses
 * (403) any operation it does not name.
 */
function checkDenyByDefault(
  label: string,
  validation: JwtValidation,
  switches: readonly OperationSwitch[],
  operationIds: readonly (string | undefined)[],
  context: StackContext,
): string[] {
  const expected = `expected after its validate-jwt a <choose> on context.Operation.Id with a <when> per operation requiring its permission (403) and an <otherwise> answering 403`;
  const operationSwitch = switches[0];
  if (operationSwitch === undefined) return [`${label} does not deny by default: ${expected}`];
  if (switches.length > 1) return [`${label} decides by operation in ${switches.length} <choose> elements; ${expected}`];
  const problems: string[] = [];
  if (operationSwitch.otherwiseStatus !== 403) {
    problems.push(
      `${label} lets through operations its <choose> does not name (<otherwise> ${operationSwitch.otherwiseStatus === undefined ? "answers nothing" : `answers ${operationSwitch.otherwiseStatus}`}); expected <otherwise> with a return-response of 403`,
    );
  }
  const named = operationSwitch.branches.map((branch) => branch.operationId);
  for (const id of operationIds) {
    if (id !== undefined && !named.includes(id))
      problems.push(`${label} names no permission for operation ${id}, so it refuses it to every token; expected a <when> for it`);
  }
  const variable = validation.attributes["output-token-variable-name"];
  const permissions = permissionsOf(context, validation);
  for (const branch of operationSwitch.branches) {
    const at = `${label}, operation ${branch.operationId}`;
    if (branch.validations.length > 0) {
      problems.push(
        `${at} validates the token a second time; expected one validate-jwt per request, its output variable read by the permission check`,
      );
    }
    const refusals = branch.refusals.filter((refusal) => refusal.status !== undefined);
    if (refusals.length === 0) problems.push(`${at} requires no permission; expected a <when> that answers 403 without it`);
    for (const refusal of refusals) {
      const permission = variable === undefined ? undefined : wholeWordPermission(refusal.condition, variable);
      if (permission === undefined) {
        problems.push(
          `${at} does not require a permission as a whole word of scope (${refusal.condition}); expected @(!((Jwt)context.Variables["${variable ?? "<output-token-variable-name>"}"]).Claims.GetValueOrDefault("scope", "").Split(' ').Contains("<permission>"))`,
        );
        const named = namedPermission(refusal.condition);
        if (named !== undefined && permissions.length > 0 && !permissions.includes(named)) {
          problems.push(`${at} requires the permission ${named}, which is not a permission of this API`);
        }
        continue;
      }
      if (refusal.status !== 403) problems.push(`${at} answers ${refusal.status} without ${permission}; expected 403`);
      if (permissions.length > 0 && !permissions.includes(permission)) {
        problems.push(`${at} requires the permission ${permission}, which is not a permission of this API`);
      }
    }
  }
  return problems;
}

export function checkApiPolicy(
  policy: PolicyResource,
  context: StackContext,
  operationIds: readonly (string | undefined)[] = [],
): string[] {
  const label = `ApiPolicy ${quoted(policy)}`;
  const document = documentOf(label, policy);
  if (!document.ok) return [document.error];
  const { validations, operationSwitches } = document.inbound;
  if (validations.length === 0) {
    return [`${label} has no validate-jwt directly in <inbound>; the API-level policy must validate every request's access token`];
  }
  const problems = validations.flatMap((validation) => [
    ...checkTokenValidation(`${label}: validate-jwt`, validation, context, true),
    ...checkScopeClaims(`${label}: validate-jwt`, validation),
  ]);
  if (validations.length > 1)
    problems.push(`${label} validates every request's token ${validations.length} times; expected one validate-jwt`);
  problems.push(...checkDenyByDefault(label, validations[0] as JwtValidation, operationSwitches, operationIds, context));
  return problems;
}

/**
 * An operation's own policy. None is needed (the API policy decides); one that exists must
 * keep `<base />`, or the API's validation and permission check do not run for its operation.
 */
export function checkOperationPolicy(policy: PolicyResource, context: StackContext): string[] {
  const label = `ApiOperationPolicy ${quoted(policy)}`;
  const document = documentOf(label, policy);
  if (!document.ok) return [document.error];
  const { includesBase, validations } = document.inbound;
  const problems: string[] = [];
  if (!includesBase) {
    problems.push(
      `${label} leaves <base /> out of <inbound>, so the API-level token validation and permission check do not run for its operation`,
    );
  }
  for (const validation of validations) {
    problems.push(
      ...checkTokenValidation(`${label}: validate-jwt`, validation, context, false),
      ...checkScopeClaims(`${label}: validate-jwt`, validation),
    );
    const permissions = permissionsOf(context, validation);
    if (permissions.length === 0) continue;
    for (const value of (validation.requiredClaims.get("scope") ?? []).map((text) => resolveNamedValues(text, context.namedValues))) {
      if (value !== "" && !permissions.includes(value)) {
        problems.push(`${label} requires the permission ${value}, which is not a permission of this API`);
      }
    }
  }
  return problems;
}
