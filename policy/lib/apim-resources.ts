import type { PolicyResource } from "@pulumi/policy";
import { ifKnown, text } from "./props";
import { dependsOn, ofApimKind } from "./resources";

/**
 * Which API Management resources belong together. A child names its API (and an
 * operation policy its operation) by `apiId`/`operationId`; where those are in the
 * properties and known, they decide, within the same service. Otherwise (azure-native
 * may not echo path parameters in a resource's outputs) the child's dependency on its
 * parent decides: API Management refuses a policy or operation whose API does not exist
 * yet, so a working program always orders a child after its parent.
 */

function known(resource: PolicyResource, key: string): string | undefined {
  return ifKnown(() => text(resource.props, key));
}

/** The API's id as ARM names it: `apiId` in the inputs, `name` in the outputs. */
function apiIdOf(api: PolicyResource): string | undefined {
  return known(api, "apiId") ?? known(api, "name");
}

/** The operation's id as ARM names it, where known: what the API policy's `context.Operation.Id` compares with. */
export function operationIdOf(operation: PolicyResource): string | undefined {
  return known(operation, "operationId") ?? known(operation, "name");
}

/** Equal where both sides know the value; undefined where either does not. */
function agree(a: string | undefined, b: string | undefined): boolean | undefined {
  return a === undefined || b === undefined ? undefined : a === b;
}

function sameService(a: PolicyResource, b: PolicyResource): boolean {
  return (
    agree(known(a, "serviceName"), known(b, "serviceName")) !== false &&
    agree(known(a, "resourceGroupName"), known(b, "resourceGroupName")) !== false
  );
}

function belongsToApi(child: PolicyResource, api: PolicyResource): boolean {
  const byId = agree(known(child, "apiId"), apiIdOf(api));
  return byId === undefined ? dependsOn(child, api) : byId && sameService(child, api);
}

function belongsToOperation(policy: PolicyResource, operation: PolicyResource): boolean {
  const byApi = agree(known(policy, "apiId"), known(operation, "apiId"));
  const byOperation = agree(known(policy, "operationId"), operationIdOf(operation));
  if (byApi === undefined || byOperation === undefined) return dependsOn(policy, operation);
  return byApi && byOperation && sameService(policy, operation);
}

export interface GatewayApi {
  readonly api: PolicyResource;
  readonly policies: readonly PolicyResource[];
  readonly operations: readonly { readonly operation: PolicyResource; readonly policies: readonly PolicyResource[] }[];
}

export function gatewayApis(resources: readonly PolicyResource[]): GatewayApi[] {
  const apiPolicies = ofApimKind(resources, "ApiPolicy");
  const operations = ofApimKind(resources, "ApiOperation");
  const operationPolicies = ofApimKind(resources, "ApiOperationPolicy");
  return ofApimKind(resources, "Api").map((api) => ({
    api,
    policies: apiPolicies.filter((policy) => belongsToApi(policy, api)),
    operations: operations
      .filter((operation) => belongsToApi(operation, api))
      .map((operation) => ({ operation, policies: operationPolicies.filter((policy) => belongsToOperation(policy, operation)) })),
  }));
}

/** Named values by the names a policy may use for them in `{{...}}`: display name and id. */
export function namedValues(resources: readonly PolicyResource[]): Map<string, string> {
  const values = new Map<string, string>();
  for (const namedValue of ofApimKind(resources, "NamedValue")) {
    const value = known(namedValue, "value");
    if (value === undefined) continue;
    for (const name of [known(namedValue, "displayName"), known(namedValue, "namedValueId"), known(namedValue, "name")]) {
      if (name !== undefined) values.set(name, value);
    }
  }
  return values;
}
