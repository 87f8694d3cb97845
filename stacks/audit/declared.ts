/**
 * Every property the program declares on an Auth0 object, and what the audit does with it:
 * compares it (the finding kinds that report a difference), uses it to find the object (a
 * name, an identifier, a reference to another object), or cannot read it back (and why).
 *
 * The invariant: every input the program gives an Auth0 resource, in any stack, is listed
 * here. test/program/audit-coverage.test.ts derives the inputs from the program under mocks
 * and fails on any that is not, and on any kind listed here that no check produces; so a
 * property added to the program later is either compared or says why it cannot be.
 */

export type Coverage = { readonly compared: readonly string[] } | { readonly identifies: string } | { readonly unread: string };

const compared = (...kinds: string[]): Coverage => ({ compared: kinds });
const identifies = (how: string): Coverage => ({ identifies: how });
const unread = (why: string): Coverage => ({ unread: why });

/** Every client is held to the same declared settings (import job, integration-test and developer portal applications). */
const bothClients = (setting: string): Coverage =>
  compared(`import-job.${setting}`, `integration-test-app.${setting}`, `portal-app.${setting}`);

/** Resource type → input path (nested objects joined with `.`) → coverage. */
export const DECLARED_PROPERTIES: Readonly<Record<string, Readonly<Record<string, Coverage>>>> = {
  "auth0:index/resourceServer:ResourceServer": {
    identifier: identifies("the API is looked up by its identifier (GET /api/v2/resource-servers/{identifier})"),
    name: compared("api.name"),
    signingAlg: compared("api.signing-alg"),
    tokenDialect: compared("api.token-profile"),
    enforcePolicies: compared("api.rbac"),
    tokenLifetime: compared("api.token-lifetime"),
    allowOfflineAccess: compared("api.offline-access"),
    "subjectTypeAuthorization.client.policy": compared("api.client-policy"),
    "subjectTypeAuthorization.user.policy": compared("api.user-policy"),
  },
  "auth0:index/resourceServerScopes:ResourceServerScopes": {
    resourceServerIdentifier: identifies("the API's identifier: the permissions are read with the API"),
    scopes: compared("permission.missing", "permission.unmanaged", "permission.description"),
  },
  "auth0:index/client:Client": {
    name: identifies(
      "each client is found by its name; duplicates are findings (import-job.duplicated, integration-test-app.duplicated, portal-app.duplicated)",
    ),
    description: bothClients("description"),
    appType: bothClients("app-type"),
    grantTypes: bothClients("grant-types"),
    isFirstParty: bothClients("first-party"),
    oidcConformant: bothClients("oidc-conformant"),
    "jwtConfiguration.alg": bothClients("jwt-alg"),
    callbacks: bothClients("callbacks"),
    allowedOrigins: bothClients("allowed-origins"),
    webOrigins: bothClients("web-origins"),
    allowedLogoutUrls: bothClients("logout-urls"),
  },
  "auth0:index/clientCredentials:ClientCredentials": {
    clientId: identifies("the client the credentials belong to"),
    authenticationMethod: compared("import-job.auth-method", "integration-test-app.auth-method", "portal-app.auth-method"),
    "privateKeyJwt.credentials": compared("import-job.keys"),
    clientSecret: unread(
      "a secret: the auditor's grant deliberately lacks read:client_keys, so no secret reaches the audit (verify proves the secret works)",
    ),
  },
  "auth0:index/clientGrant:ClientGrant": {
    clientId: identifies("a grant belongs to the client it names"),
    audience: identifies("a grant is on the API it names; the import job's grants on other APIs are findings"),
    scopes: compared("grant.scopes-widened", "grant.scopes-narrowed", "grant.integration-test-app-scopes", "grant.portal-app-scopes"),
    subjectType: compared("grant.import-job-unmanaged", "grant.integration-test-app-missing", "grant.portal-app-missing"),
  },
  "auth0:index/connection:Connection": {
    name: identifies("the user store is looked up by its name; two of the name are refused as ambiguous"),
    strategy: compared("connection.strategy"),
    "options.passwordPolicy": compared("connection.password-policy", "connection.password-model"),
    "options.passwordOptions": compared("connection.password-model", "connection.password-min-length"),
    "options.bruteForceProtection": compared("connection.brute-force-protection"),
    "options.disableSignup": compared("connection.disable-signup"),
  },
  "auth0:index/connectionClients:ConnectionClients": {
    connectionId: identifies("the user store's id"),
    enabledClients: compared("connection.unmanaged-clients", "connection.import-job-disabled"),
  },
  "auth0:index/role:Role": {
    name: identifies(
      "the test user's role is looked up by its name (GET /api/v2/roles?name_filter=); two of the name are refused as ambiguous",
    ),
    description: compared("test-user-role.description", "test-user-role.missing"),
  },
  "auth0:index/rolePermissions:RolePermissions": {
    roleId: identifies("the role found by its name"),
    permissions: compared("test-user-role.permissions-widened", "test-user-role.permissions-narrowed"),
  },
  "auth0:index/userRoles:UserRoles": {
    userId: identifies("the test user, found by its address"),
    roles: compared("test-user-role.unassigned", "test-user-role.other-roles"),
  },
  "auth0:index/user:User": {
    connectionName: compared("test-user.missing"),
    email: identifies("the test user is looked up by its address (users-by-email)"),
    emailVerified: compared("test-user.email-verified"),
    name: compared("test-user.name"),
    password: unread("a password is write-only: Auth0 never returns it (verify signs the test user in instead)"),
    verifyEmail: unread("an instruction at creation (send a verification mail or not), not a setting Auth0 keeps"),
  },
};

/** Resource types the program declares that are not Auth0 objects the audit reads, and why. */
export const NOT_AUDITED_TYPES: Readonly<Record<string, string>> = {
  "auth0:index/provider:Provider": "the provider holds the tenant's domain, which the audit takes from the same spec",
  "random:index/randomPassword:RandomPassword": "the test user's generated password lives in the stack's state, not in the tenant",
};

/** Types whose resources are outside the Auth0 tenant: the gateway is checked by `npm run verify` and `npm run drift`, not by this audit. */
export const OUTSIDE_THE_TENANT = /^(azure-native:|pulumi:|timesheets:)/;
