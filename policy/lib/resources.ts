import type { PolicyResource } from "@pulumi/policy";
import { issuerFor } from "./config";
import { ifKnown, records, text, type Props } from "./props";

/**
 * Type tokens, spelled out rather than imported from the provider SDKs: the pack then
 * needs neither @pulumi/auth0 nor @pulumi/azure-native installed (the tests check the
 * spelling against both).
 */
export const AUTH0 = {
  provider: "pulumi:providers:auth0",
  resourceServer: "auth0:index/resourceServer:ResourceServer",
  resourceServerScopes: "auth0:index/resourceServerScopes:ResourceServerScopes",
  resourceServerScope: "auth0:index/resourceServerScope:ResourceServerScope",
  client: "auth0:index/client:Client",
  clientGrant: "auth0:index/clientGrant:ClientGrant",
  clientCredentials: "auth0:index/clientCredentials:ClientCredentials",
  connection: "auth0:index/connection:Connection",
  user: "auth0:index/user:User",
} as const;

export type ApimKind = "Api" | "ApiPolicy" | "ApiOperation" | "ApiOperationPolicy" | "NamedValue" | "AuthorizationServer";

/** API Management types, in the default module or any versioned one (`apimanagement/v20240501`). */
export function isApim(type: string, kind: ApimKind): boolean {
  return new RegExp(`^azure-native:apimanagement(?:/v[0-9a-z]+)?:${kind}$`).test(type);
}

/**
 * How the pack recognises the import job without importing the program: Auth0's name
 * for its client, or the logical names the program gives it. Either is enough, so a
 * rename of one still leaves the other.
 */
export const IMPORT_JOB = {
  clientName: "Timesheets Import Job",
  component: "timesheets:auth0:ImportJob",
  clientResource: "import-job-client",
  grantResource: "import-job-grant",
} as const;

/** The integration-test application (stacks with a test user): Auth0's name for it, or its logical names. */
export const INTEGRATION_TEST_APP = {
  clientName: "Timesheets Integration Test",
  component: "timesheets:auth0:IntegrationTestApp",
  clientResource: "integration-test-client",
  grantType: "http://auth0.com/oauth/grant-type/password-realm",
} as const;

/** The logical name, for messages: the one name a reader finds in the preview and the code. */
export function quoted(resource: { readonly name: string }): string {
  return `"${resource.name}"`;
}

export function ofType(resources: readonly PolicyResource[], type: string): PolicyResource[] {
  return resources.filter((resource) => resource.type === type);
}

export function ofApimKind(resources: readonly PolicyResource[], kind: ApimKind): PolicyResource[] {
  return resources.filter((resource) => isApim(resource.type, kind));
}

/** A resource server as the other rules need it: its audience and the tenant that issues its tokens. */
export interface DeclaredApi {
  readonly resource: PolicyResource;
  readonly identifier: string;
  /** `https://<domain>/` from the resource server's Auth0 provider; undefined when the provider names no domain. */
  readonly issuer: string | undefined;
  /** Its permissions, from ResourceServerScopes / ResourceServerScope resources in the stack. */
  readonly permissions: readonly string[];
}

export function declaredApis(resources: readonly PolicyResource[]): DeclaredApi[] {
  const apis: DeclaredApi[] = [];
  for (const resource of ofType(resources, AUTH0.resourceServer)) {
    const identifier = text(resource.props, "identifier");
    if (identifier === undefined) continue;
    apis.push({ resource, identifier, issuer: issuerOf(resource), permissions: permissionsOf(resources, identifier) });
  }
  return apis;
}

function issuerOf(resource: PolicyResource): string | undefined {
  const provider: Props | undefined = resource.provider?.props;
  const domain = provider === undefined ? undefined : ifKnown(() => text(provider, "domain"));
  return domain === undefined ? undefined : issuerFor(domain);
}

function permissionsOf(resources: readonly PolicyResource[], identifier: string): string[] {
  const names: string[] = [];
  for (const set of ofType(resources, AUTH0.resourceServerScopes)) {
    if (ifKnown(() => text(set.props, "resourceServerIdentifier")) !== identifier) continue;
    for (const scope of records(set.props, "scopes")) {
      const name = text(scope, "name");
      if (name !== undefined) names.push(name);
    }
  }
  for (const single of ofType(resources, AUTH0.resourceServerScope)) {
    if (ifKnown(() => text(single.props, "resourceServerIdentifier")) !== identifier) continue;
    const name = text(single.props, "scope");
    if (name !== undefined) names.push(name);
  }
  return names;
}

/** Whether `resource` lists `other` among its dependencies (a property's, or dependsOn). */
export function dependsOn(resource: PolicyResource, other: PolicyResource): boolean {
  return resource.dependencies.some((dependency) => dependency.urn === other.urn);
}

/** Sorted and de-duplicated, for set comparisons that read well in a message. */
export function sortedSet(values: readonly string[]): string[] {
  return [...new Set(values)].sort();
}

export function sameSet(a: readonly string[], b: readonly string[]): boolean {
  const left = sortedSet(a);
  const right = sortedSet(b);
  return left.length === right.length && left.every((value, index) => value === right[index]);
}

export function list(values: readonly string[]): string {
  return `[${values.join(", ")}]`;
}
