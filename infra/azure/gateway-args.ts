import type * as apimanagement from "@pulumi/azure-native/apimanagement";
import type * as resources from "@pulumi/azure-native/resources";
import type * as inputs from "@pulumi/azure-native/types/input";
import type { ApimServiceSpec, DeveloperPortalSpec, GatewayOperation, GatewaySpec, TenantSpec } from "../config/spec";
import { renderApiPolicy, signingKeyNamedValue } from "./policy-xml";

/**
 * The gateway's resource inputs, as pure functions of the spec: each is tested without
 * mocks, and the component only wires them together.
 */

/** The service every child lives in. Names, not outputs: the spec holds them, and a created service is a dependency instead. */
export interface ServiceScope {
  readonly resourceGroupName: string;
  readonly serviceName: string;
}

/** The only policy id API Management accepts for an API policy. */
const POLICY_ID = "policy";

type CreatedService = Extract<ApimServiceSpec, { mode: "create" }>;

export function serviceScope(gateway: GatewaySpec): ServiceScope {
  const { service } = gateway;
  // The program declares nothing in Azure for the local gateway (program.ts); reaching here with it is a fault of ours.
  if (service.mode === "local") throw new Error("the local gateway has no API Management service");
  return { resourceGroupName: service.resourceGroupName, serviceName: service.serviceName };
}

export function resourceGroupArgs(service: CreatedService): resources.ResourceGroupArgs {
  return { resourceGroupName: service.resourceGroupName, location: service.location };
}

export function serviceArgs(service: CreatedService): apimanagement.ApiManagementServiceArgs {
  return {
    resourceGroupName: service.resourceGroupName,
    serviceName: service.serviceName,
    location: service.location,
    sku: { name: service.sku ?? "Consumption", capacity: service.capacity },
    publisherEmail: service.publisherEmail,
    publisherName: service.publisherName,
  };
}

/**
 * The Timesheets API: HTTPS only, in front of an https backend, no subscription key unless asked
 * for; with the developer portal, set to use Auth0's authorization server (the portal's test
 * console then signs people in before it calls the API), asking for the portal's permissions.
 */
export function apiArgs(gateway: GatewaySpec): apimanagement.ApiArgs {
  const portal = gateway.developerPortal;
  return {
    ...serviceScope(gateway),
    apiId: gateway.api.name,
    displayName: gateway.api.displayName,
    path: gateway.api.path,
    protocols: ["https"],
    serviceUrl: gateway.api.backendUrl,
    subscriptionRequired: gateway.api.subscriptionRequired,
    apiType: "http",
    ...(portal !== undefined && {
      authenticationSettings: {
        oAuth2AuthenticationSettings: [
          { authorizationServerId: portal.authorizationServer.id, scope: portal.authorizationServer.defaultScope },
        ],
      },
    }),
  };
}

/**
 * API Management's OAuth 2.0 authorization server for Auth0, without the portal application's
 * id and secret, which come from Auth0 as outputs (the secret as a secret).
 */
export function authorizationServerArgs(
  gateway: GatewaySpec,
  portal: DeveloperPortalSpec,
): Omit<apimanagement.AuthorizationServerArgs, "clientId" | "clientSecret"> {
  const server = portal.authorizationServer;
  return {
    ...serviceScope(gateway),
    authsid: server.id,
    displayName: server.displayName,
    description: server.description,
    authorizationEndpoint: server.authorizationEndpoint,
    tokenEndpoint: server.tokenEndpoint,
    clientRegistrationEndpoint: server.clientRegistrationEndpoint,
    grantTypes: [...server.grantTypes],
    authorizationMethods: [...server.authorizationMethods],
    clientAuthenticationMethod: [...server.clientAuthenticationMethods],
    bearerTokenSendingMethods: [...server.bearerTokenSendingMethods],
    defaultScope: server.defaultScope,
    supportState: server.supportState,
    useInTestConsole: true,
  };
}

/**
 * The `{name}` parameters of a URL template. API Management refuses an operation whose
 * template names a parameter it does not declare.
 */
export function templateParameters(urlTemplate: string): inputs.apimanagement.ParameterContractArgs[] {
  const names = [...urlTemplate.matchAll(/\{([^{}]+)\}/g)].map((match) => match[1] as string);
  return [...new Set(names)].map((name) => ({ name, type: "string", required: true }));
}

export function operationArgs(gateway: GatewaySpec, operation: GatewayOperation): apimanagement.ApiOperationArgs {
  return {
    ...serviceScope(gateway),
    apiId: gateway.api.name,
    operationId: operation.id,
    displayName: operation.displayName,
    method: operation.method,
    urlTemplate: operation.urlTemplate,
    templateParameters: templateParameters(operation.urlTemplate),
    // Says what the API-level policy enforces; the check itself is not here.
    description: `Requires the ${operation.permission} permission.`,
  };
}

export function apiPolicyArgs(spec: TenantSpec, gateway: GatewaySpec): apimanagement.ApiPolicyArgs {
  return { ...serviceScope(gateway), apiId: gateway.api.name, policyId: POLICY_ID, format: "xml", value: renderApiPolicy(spec) };
}

/**
 * validate-jwt wants a symmetric `<key>` base64-encoded (Microsoft's usage notes); Auth0
 * signs HS256 tokens with the UTF-8 bytes of the API's signing secret.
 */
export function signingKeyValue(signingSecret: string): string {
  return Buffer.from(signingSecret, "utf8").toString("base64");
}

/** The named value's inputs without its value, which comes from Auth0 as a secret output. */
export function signingKeyNamedValueArgs(gateway: GatewaySpec): Omit<apimanagement.NamedValueArgs, "value"> {
  const name = signingKeyNamedValue(gateway);
  return { ...serviceScope(gateway), namedValueId: name, displayName: name, secret: true };
}

/**
 * The API's public URL on the service's default gateway host (`<service>.azure-api.net`,
 * Azure's public cloud). Known at preview, the same for a created or an existing service;
 * a custom domain, if any, is not reflected. The local gateway serves the same path on its address.
 */
export function gatewayUrl(gateway: GatewaySpec): string {
  const { service } = gateway;
  const host = service.mode === "local" ? service.address : `${service.serviceName}.azure-api.net`;
  return `https://${host}/${gateway.api.path}`;
}
