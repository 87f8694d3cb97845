import type { PolicyProviderResource } from "@pulumi/policy";
import { urnOf, type StackResourceInput, type WireProps } from "./policy-args";

/** A small compliant dev stack, written out by hand so each test breaks one thing on purpose. */

export const DOMAIN = "exampleco-dev.eu.auth0.com";
export const ISSUER = `https://${DOMAIN}/`;
export const API = "https://timesheets.dev.exampleco.com/api";
export const PERMISSIONS = ["batch:upload", "read:timesheets", "create:timesheets"];

export const T = {
  provider: "pulumi:providers:auth0",
  resourceServer: "auth0:index/resourceServer:ResourceServer",
  scopes: "auth0:index/resourceServerScopes:ResourceServerScopes",
  scope: "auth0:index/resourceServerScope:ResourceServerScope",
  client: "auth0:index/client:Client",
  grant: "auth0:index/clientGrant:ClientGrant",
  credentials: "auth0:index/clientCredentials:ClientCredentials",
  connection: "auth0:index/connection:Connection",
  user: "auth0:index/user:User",
  api: "azure-native:apimanagement:Api",
  apiPolicy: "azure-native:apimanagement:ApiPolicy",
  operation: "azure-native:apimanagement:ApiOperation",
  operationPolicy: "azure-native:apimanagement:ApiOperationPolicy",
  namedValue: "azure-native:apimanagement:NamedValue",
} as const;

export function auth0Provider(domain = DOMAIN, stack = "dev"): PolicyProviderResource {
  return { type: T.provider, name: "auth0", urn: urnOf(stack, T.provider, "auth0"), props: { domain } };
}

export function resourceServer(props: WireProps = {}, identifier = API): StackResourceInput {
  return {
    type: T.resourceServer,
    name: "timesheets-api-resource-server",
    provider: auth0Provider(),
    props: { identifier, name: "Timesheets API", signingAlg: "RS256", allowOfflineAccess: false, tokenLifetime: 3600, ...props },
  };
}

export function permissions(names: readonly string[] = PERMISSIONS, identifier = API): StackResourceInput {
  return {
    type: T.scopes,
    name: "timesheets-api-permissions",
    provider: auth0Provider(),
    props: { resourceServerIdentifier: identifier, scopes: names.map((name) => ({ name, description: name })) },
  };
}

export function importJobClient(props: WireProps = {}, name = "import-job-client"): StackResourceInput {
  return {
    type: T.client,
    name,
    props: {
      name: "Timesheets Import Job",
      appType: "non_interactive",
      grantTypes: ["client_credentials"],
      callbacks: [],
      webOrigins: [],
      allowedOrigins: [],
      allowedLogoutUrls: [],
      clientId: "import-job-client-id",
      ...props,
    },
  };
}

export const importJobComponent: StackResourceInput = { type: "timesheets:auth0:ImportJob", name: "import-job" };

export function grant(name: string, props: WireProps = {}, extra: Partial<StackResourceInput> = {}): StackResourceInput {
  return {
    type: T.grant,
    name,
    props: { audience: API, clientId: "import-job-client-id", scopes: ["batch:upload"], subjectType: "client", ...props },
    ...extra,
  };
}

export function connection(options: WireProps = {}, props: WireProps = {}): StackResourceInput {
  return {
    type: T.connection,
    name: "user-store-connection",
    props: {
      name: "timesheets-users",
      strategy: "auth0",
      options: { passwordPolicy: "good", bruteForceProtection: true, disableSignup: true, ...options },
      ...props,
    },
  };
}

const SERVICE = { resourceGroupName: "rg-timesheets-dev", serviceName: "apim-timesheets-dev" };

export interface JwtOptions {
  readonly audience?: string;
  readonly issuer?: string;
  readonly keys?: string;
  readonly attributes?: string;
  readonly claims?: string;
  readonly base?: boolean;
}

/** An APIM policy document with one validate-jwt in `<inbound>`. */
export function policyXml(options: JwtOptions = {}): string {
  const keys = options.keys ?? `<openid-config url="${options.issuer ?? ISSUER}.well-known/openid-configuration" />`;
  const audience = options.audience === "" ? "" : `<audiences><audience>${options.audience ?? API}</audience></audiences>`;
  const issuer = options.issuer === "" ? "" : `<issuers><issuer>${options.issuer ?? ISSUER}</issuer></issuers>`;
  return [
    "<policies>",
    "  <inbound>",
    options.base === false ? "" : "    <base />",
    `    <validate-jwt header-name="Authorization" require-scheme="Bearer"${options.attributes ?? ' failed-validation-httpcode="401"'}>`,
    `      ${keys}${audience}${issuer}${options.claims ?? ""}`,
    "    </validate-jwt>",
    "  </inbound>",
    "  <backend><base /></backend><outbound><base /></outbound><on-error><base /></on-error>",
    "</policies>",
  ].join("\n");
}

export function scopeClaim(...values: string[]): string {
  return `<required-claims><claim name="scope" match="any" separator=" ">${values.map((value) => `<value>${value}</value>`).join("")}</claim></required-claims>`;
}

export function gatewayApi(props: WireProps = {}): StackResourceInput {
  return { type: T.api, name: "gateway-api", props: { ...SERVICE, apiId: "timesheets-api", path: "api", ...props } };
}

export function apiPolicy(value: string = policyXml(), props: WireProps = {}, extra: Partial<StackResourceInput> = {}): StackResourceInput {
  return {
    type: T.apiPolicy,
    name: "gateway-api-policy",
    props: { ...SERVICE, apiId: "timesheets-api", format: "xml", value, ...props },
    ...extra,
  };
}

export function operation(id: string, props: WireProps = {}, extra: Partial<StackResourceInput> = {}): StackResourceInput {
  return {
    type: T.operation,
    name: `gateway-operation-${id}`,
    props: { ...SERVICE, apiId: "timesheets-api", operationId: id, method: "POST", urlTemplate: `/${id}`, ...props },
    ...extra,
  };
}

export function operationPolicy(
  id: string,
  value: string,
  props: WireProps = {},
  extra: Partial<StackResourceInput> = {},
): StackResourceInput {
  return {
    type: T.operationPolicy,
    name: `gateway-operation-${id}-policy`,
    props: { ...SERVICE, apiId: "timesheets-api", operationId: id, format: "xml", value, ...props },
    ...extra,
  };
}

export function namedValue(name: string, props: WireProps = {}): StackResourceInput {
  return { type: T.namedValue, name: `gateway-${name}`, props: { ...SERVICE, namedValueId: name, displayName: name, ...props } };
}

/** The operation policy the gateway renders: the API's check, then the permission. */
export function permissionXml(...values: string[]): string {
  return policyXml({ claims: scopeClaim(...values), attributes: ' failed-validation-httpcode="403"' });
}
