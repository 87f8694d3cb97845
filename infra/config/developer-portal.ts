import type { ConfigProblem } from "./errors";
import type { ApimConfig, DeveloperPortalConfig } from "./gateway-schema";
import { DEVELOPER_PORTAL_APP_NAME, type DeveloperPortalSpec, type TenantEndpoints } from "./spec";

// The developer portal's sign-in (`timesheets:apim.developerPortal`): the Auth0 application API
// Management signs people in with, and API Management's authorization server for Auth0. Sources:
// Auth0's "Integrate Azure API Management" guide (a regular web application; the authorization
// endpoint carries the API's audience) and Microsoft's "Authorize test console of developer
// portal by configuring OAuth 2.0 user authorization" (the redirect URI's form).

/**
 * The developer portal's redirect URI for the authorization code grant of one authorization
 * server: Microsoft documents the suffix `/signin-oauth/code/callback/{authServerName}` on the
 * portal's host. The implicit grant's `/signin-oauth/implicit/callback` is not registered: the
 * application has no implicit grant, so a callback for it could only be a target no flow uses.
 */
export function portalRedirectUri(portalUrl: string, authorizationServerId: string): string {
  return `${portalUrl}/signin-oauth/code/callback/${authorizationServerId}`;
}

/**
 * The portal's host: the service's own `<service>.developer.azure-api.net` (Azure's public cloud;
 * a custom portal domain is not reflected), or, for the local gateway, its address, where the
 * local gateway answers the portal's callback.
 */
export function portalUrl(apim: ApimConfig): string {
  return apim.mode === "local" ? `https://${apim.address ?? ""}` : `https://${apim.serviceName ?? ""}.developer.azure-api.net`;
}

const problem = (key: string, message: string): ConfigProblem => ({ key, message });

export function checkDeveloperPortal(portal: DeveloperPortalConfig | undefined, permissionNames: readonly string[]): ConfigProblem[] {
  if (portal === undefined) return [];
  const key = "apim.developerPortal.permissions";
  const problems = [...new Set(portal.permissions.filter((name, index) => portal.permissions.indexOf(name) !== index))].map((name) =>
    problem(key, `lists "${name}" more than once`),
  );
  for (const name of portal.permissions) {
    if (!permissionNames.includes(name))
      problems.push(problem(key, `"${name}" is not one of the API's permissions; expected one of ${permissionNames.join(", ")}`));
  }
  return problems;
}

export function developerPortal(apim: ApimConfig, tenant: TenantEndpoints, audience: string): DeveloperPortalSpec | undefined {
  const portal = apim.developerPortal;
  if (portal === undefined) return undefined;
  const url = portalUrl(apim);
  const authorize = new URL(`https://${tenant.domain}/authorize`);
  authorize.searchParams.set("audience", audience);
  return {
    url,
    application: {
      name: DEVELOPER_PORTAL_APP_NAME,
      description: "Signs people in to the Timesheets API from API Management's developer portal (authorization code).",
      appType: "regular_web",
      grantTypes: ["authorization_code"],
      authMethod: "client_secret_post",
      // First party: the portal is this organisation's own; Auth0 asks first-party users for no consent.
      isFirstParty: true,
      oidcConformant: true,
      callbacks: [portalRedirectUri(url, portal.authorizationServerId)],
      allowedOrigins: [],
      webOrigins: [],
      allowedLogoutUrls: [],
      jwtAlg: "RS256",
      grant: { audience, scopes: [...portal.permissions], subjectType: "user" },
    },
    authorizationServer: {
      id: portal.authorizationServerId,
      displayName: "Auth0",
      description: `Auth0 tenant ${tenant.domain}: people sign in to the Timesheets API with their account in the user store.`,
      authorizationEndpoint: authorize.href,
      tokenEndpoint: tenant.tokenEndpoint,
      // API Management requires a registration page; Auth0 has none for people to register clients
      // themselves. The tenant's address stands in (Microsoft's own walkthrough uses a placeholder).
      clientRegistrationEndpoint: `https://${tenant.domain}/`,
      grantTypes: ["authorizationCode"],
      authorizationMethods: ["GET"],
      clientAuthenticationMethods: ["Body"],
      bearerTokenSendingMethods: ["authorizationHeader"],
      defaultScope: portal.permissions.join(" "),
      supportState: true,
    },
  };
}
