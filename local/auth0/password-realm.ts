import { OAuthError } from "./errors.js";
import type { TenantKeys } from "./keys.js";
import { verifyPassword } from "./passwords.js";
import type { Client, ResourceServer, TenantState, User } from "./store.js";
import { userPermissionsOn } from "./resources/roles.js";
import { issueAccessToken, type IssuedToken } from "./tokens.js";
import { isJsonObject } from "./validation.js";

// Auth0's password-realm grant (Resource Owner Password flow with realm support): a trusted
// application exchanges a user's e-mail and password for a token, naming the connection
// (the realm) that holds the user. Sources: Auth0's "Resource Owner Password Flow" and
// "API Access Policies for Applications" pages; the error answers marked "observed" are the
// ones Auth0's own SDK issues quote. Everything marked "guess" has no source.

export const PASSWORD_REALM_GRANT = "http://auth0.com/oauth/grant-type/password-realm";

/** Scopes that ask for the user's identity (an ID token, userinfo), not for API permissions. */
const OIDC_SCOPES = new Set(["openid", "profile", "email", "address", "phone", "offline_access"]);

// Observed (auth0/react-native-auth0#224): 403, and the same answer for an unknown user, so the
// endpoint never tells which e-mail addresses exist.
const wrongCredentials = (): OAuthError => new OAuthError(403, "invalid_grant", "Wrong email or password.");

function required(parameters: Map<string, string>, name: string): string {
  const value = parameters.get(name);
  // Guess: the shape of the grant_type check the stand-in already answers.
  if (value === undefined || value === "") throw new OAuthError(400, "invalid_request", `Missing required parameter: ${name}`);
  return value;
}

/**
 * The user of the connection `realm` whose e-mail (or username) and password these are;
 * undefined for either wrong. Every sign-in (password-realm, the sign-in page) checks here.
 */
export async function userWithPassword(tenant: TenantState, realm: string, username: string, password: string): Promise<User | undefined> {
  const user = userIn(tenant, realm, username);
  // Checked even for an unknown user, so an unknown address costs what a wrong password does.
  const matches = await verifyPassword(tenant, user?.user_id ?? "", password);
  return matches && user !== undefined ? user : undefined;
}

function userIn(tenant: TenantState, realm: string, username: string): User | undefined {
  const wanted = username.toLowerCase();
  for (const user of tenant.users.values()) {
    const inRealm = user.identities.some((identity) => identity.connection === realm);
    const name = typeof user.username === "string" ? user.username.toLowerCase() : undefined;
    if (inRealm && (user.email?.toLowerCase() === wanted || name === wanted)) return user;
  }
  return undefined;
}

function declaredScopes(resourceServer: ResourceServer): string[] {
  return (resourceServer.scopes ?? []).flatMap((scope) => (isJsonObject(scope) && typeof scope.value === "string" ? [scope.value] : []));
}

function userPolicy(resourceServer: ResourceServer): string {
  const user = resourceServer.subject_type_authorization?.user;
  return isJsonObject(user) && typeof user.policy === "string" ? user.policy : "allow_all";
}

/**
 * The grant, once the client has authenticated (the token endpoint's own client check). The
 * order of the checks is a guess where no source shows which answer wins.
 */
export async function passwordRealmGrant(
  tenant: TenantState,
  keys: TenantKeys,
  issuer: string,
  client: Client,
  parameters: Map<string, string>,
): Promise<IssuedToken> {
  if (!(client.grant_types ?? []).includes(PASSWORD_REALM_GRANT)) {
    // Observed (auth0/auth0.js#456, auth0/auth0.net#501).
    throw new OAuthError(403, "unauthorized_client", `Grant type '${PASSWORD_REALM_GRANT}' not allowed for the client.`);
  }
  const username = required(parameters, "username");
  const password = required(parameters, "password");
  const realm = required(parameters, "realm");
  const connection = tenant.connectionByName(realm);
  if (connection === undefined || !connection.enabled_clients.includes(client.client_id)) {
    // Guess: Auth0 answers an unknown realm and a connection not enabled for the client alike.
    throw new OAuthError(400, "invalid_request", "the connection is not enabled");
  }
  const user = await userWithPassword(tenant, realm, username, password);
  if (user === undefined) throw wrongCredentials();
  // Guess, from Auth0's log event for a blocked user.
  if (user.blocked === true) throw new OAuthError(401, "unauthorized", "user is blocked");
  return issueUserToken(tenant, keys, issuer, client, user, required(parameters, "audience"), parameters.get("scope") ?? "", "password");
}

/**
 * A signed-in user's access token for `audience`, whichever grant signed them in (password-realm,
 * authorization code): the API's user access policy, then the scopes Auth0 grants a user.
 */
export async function issueUserToken(
  tenant: TenantState,
  keys: TenantKeys,
  issuer: string,
  client: Client,
  user: User,
  audience: string,
  scope: string,
  grantType: "password" | "authorization_code",
): Promise<IssuedToken> {
  const resourceServer = tenant.resourceServerByIdentifier(audience);
  if (!resourceServer) throw new OAuthError(403, "access_denied", `Service not found: ${audience}`);
  const policy = userPolicy(resourceServer);
  const grant = tenant.grantFor(client.client_id, audience, "user");
  if (policy === "deny_all" || (policy === "require_client_grant" && !grant)) {
    // Guess: the client-credentials answer, for the user access policy.
    throw new OAuthError(
      403,
      "access_denied",
      `Client is not authorized to access "${audience}". You need to create a "client-grant" associated to this API. See: https://auth0.com/docs/api/v2#!/Client_Grants/post_client_grants`,
    );
  }

  const requested = scope.split(" ").filter(Boolean);
  const declared = declaredScopes(resourceServer);
  // The user grant is a ceiling (Auth0's "hard ceiling"); scopes beyond it are left out, not refused (guess).
  const ceiling = policy === "require_client_grant" ? (grant?.scope ?? []) : declared;
  // With RBAC (`enforce_policies`), Auth0's "Enable Role-Based Access Control for APIs": a
  // requested permission the user does not hold (through a role or directly) is left out of
  // the token. So the token holds requested ∩ declared ∩ user grant (when required) ∩ the
  // user's permissions. Guess: the order of the intersections does not matter (none refuses).
  const held = resourceServer.enforce_policies === true ? new Set(userPermissionsOn(tenant, user.user_id, audience)) : undefined;
  const apiScopes = requested.filter((scope) => declared.includes(scope) && ceiling.includes(scope) && (held?.has(scope) ?? true));
  const scopes = [...requested.filter((scope) => OIDC_SCOPES.has(scope)), ...apiScopes];
  return issueAccessToken(keys, {
    issuer,
    resourceServer,
    clientId: client.client_id,
    scopes,
    user: { userId: user.user_id, apiScopes, grantType },
  });
}
