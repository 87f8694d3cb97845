import type { ApimConfig } from "./gateway-schema";
import type { PasswordOptionsSpec } from "./password-options";
import type { Permission } from "./permissions";
import type { AUTH_METHODS, ENVIRONMENTS, KEY_ALGORITHMS, PASSWORD_POLICIES, SIGNING_ALGORITHMS, TOKEN_PROFILES } from "./schema";
import type { SecretValue } from "./secret";

export type Environment = (typeof ENVIRONMENTS)[number];
export type SigningAlgorithm = (typeof SIGNING_ALGORITHMS)[number];
export type TokenProfile = (typeof TOKEN_PROFILES)[number];
export type PasswordPolicy = (typeof PASSWORD_POLICIES)[number];
export type AuthMethod = (typeof AUTH_METHODS)[number];
export type KeyAlgorithm = (typeof KEY_ALGORITHMS)[number];
/** Auth0's names for the token profiles, with RBAC's permissions claim (`_authz`) or without. */
export type TokenDialect = "access_token" | "access_token_authz" | "rfc9068_profile" | "rfc9068_profile_authz";

export const IMPORT_JOB_NAME = "Timesheets Import Job";
export const INTEGRATION_TEST_APP_NAME = "Timesheets Integration Test";
export const DEVELOPER_PORTAL_APP_NAME = "Timesheets Developer Portal";
/** The test user's display name (Auth0's `name`): set, so that Pulumi's auto-naming never invents one. */
export const TEST_USER_NAME = "Timesheets Test User";
/** The role that gives the test user its permissions where the API enforces RBAC. */
export const TEST_USER_ROLE_NAME = "Timesheets Test User";
/** Auth0's extension of the password grant that names the connection (the realm) to check the password against. */
export const PASSWORD_REALM_GRANT = "http://auth0.com/oauth/grant-type/password-realm";

/**
 * Everything one stack declares, derived once from its config. The program, the
 * gateway policy, the drift audit and the policy pack are all projections of it.
 */
export interface TenantSpec {
  readonly stack: string;
  readonly environment: Environment;
  /** prod protects what cannot be recreated without loss: the API's identity and the user store. */
  readonly protect: boolean;
  readonly tenant: TenantEndpoints;
  readonly api: ApiSpec;
  readonly importJob: ImportJobSpec;
  readonly connection: ConnectionSpec;
  /** Present only in stacks that ask for a test user; never in prod. */
  readonly testUser: TestUserSpec | undefined;
  /** Present only in stacks that configure `apim`. */
  readonly gateway: GatewaySpec | undefined;
  /** Existing tenant objects to import instead of create; empty for a stack that owns its tenant from the start. */
  readonly adopt: AdoptionSpec;
}

/** Ids of objects that exist in the tenant already, each imported by the resource that declares it. */
export interface AdoptionSpec {
  readonly resourceServerId?: string | undefined;
  readonly importJobClientId?: string | undefined;
  readonly importJobGrantId?: string | undefined;
  readonly connectionId?: string | undefined;
}

export interface TenantEndpoints {
  readonly domain: string;
  /** Auth0 writes `iss` with a trailing slash; validators must expect exactly this. */
  readonly issuer: string;
  readonly tokenEndpoint: string;
  readonly jwksUri: string;
  readonly openIdConfigurationUrl: string;
  readonly managementApiAudience: string;
}

export interface ApiSpec {
  readonly name: string;
  readonly identifier: string;
  readonly signingAlg: SigningAlgorithm;
  readonly tokenProfile: TokenProfile;
  readonly tokenDialect: TokenDialect;
  readonly enforcePolicies: boolean;
  readonly tokenLifetime: number;
  readonly allowOfflineAccess: false;
  readonly clientPolicy: "require_client_grant";
  /**
   * Who may get user tokens for the API (`subject_type_authorization.user.policy`). Set only in
   * stacks where people sign in (a test user, the developer portal): there a user's token carries
   * at most what the application's user grant lists. Elsewhere undefined: Auth0's setting is left alone.
   */
  readonly userPolicy: "require_client_grant" | undefined;
  readonly permissions: readonly Permission[];
}

export type ImportJobAuthentication =
  | { readonly method: "client_secret_post" | "client_secret_basic" }
  | { readonly method: "private_key_jwt"; readonly algorithm: KeyAlgorithm; readonly keys: readonly ImportJobKey[] };

/** A public key the import job may sign its client assertions with; two during a rotation. */
export interface ImportJobKey {
  /** Derived from the key itself, so a key keeps its name when it moves from "next" to current. */
  readonly name: string;
  readonly pem: string;
}

/** What the program sets on each of its clients, so that the audit compares every one of them. */
export interface ClientSettingsSpec {
  readonly description: string;
  readonly appType: string;
  readonly grantTypes: readonly string[];
  /** A first-party client: Auth0 skips consent for it. */
  readonly isFirstParty: true;
  readonly oidcConformant: true;
  /** Where a browser flow may return: none for the import job and the integration-test application. */
  readonly callbacks: readonly string[];
  readonly allowedOrigins: readonly [];
  readonly webOrigins: readonly [];
  readonly allowedLogoutUrls: readonly [];
  readonly jwtAlg: "RS256";
}

export interface ImportJobSpec extends ClientSettingsSpec {
  readonly name: typeof IMPORT_JOB_NAME;
  readonly description: string;
  readonly appType: "non_interactive";
  readonly grantTypes: readonly ["client_credentials"];
  readonly authentication: ImportJobAuthentication;
  readonly grant: {
    readonly audience: string;
    readonly scopes: readonly string[];
    readonly subjectType: "client";
  };
}

export interface ConnectionSpec {
  readonly name: string;
  readonly strategy: "auth0";
  /** The legacy password rules; undefined exactly when `passwordOptions` is declared. */
  readonly passwordPolicy: PasswordPolicy | undefined;
  /** Auth0's current password rules (`password_options`); undefined for the legacy model. */
  readonly passwordOptions: PasswordOptionsSpec | undefined;
  readonly bruteForceProtection: true;
  readonly disableSignup: boolean;
}

export interface TestUserSpec {
  readonly email: string;
  /** The display name the user is created with. */
  readonly name: typeof TEST_USER_NAME;
  /** Undefined: the program generates one. */
  readonly password: SecretValue | undefined;
  /** How long a generated password is: at least what the connection's password options ask. */
  readonly generatedPasswordLength: number;
  /** Exactly the permissions a test user's token may carry (`testUserPermissions`). */
  readonly permissions: readonly string[];
  /**
   * Where the API enforces RBAC (`rbac: true`), a user's token carries only what the user's
   * roles hold: this role, holding `permissions` on the API, is assigned to the test user.
   * Undefined without RBAC, where the application's user grant alone decides.
   */
  readonly role: TestUserRoleSpec | undefined;
  /** The application that signs the test user in without a browser. */
  readonly application: IntegrationTestAppSpec;
}

export interface TestUserRoleSpec {
  readonly name: typeof TEST_USER_ROLE_NAME;
  readonly description: string;
  /** The API's permissions the role holds: the test user's. */
  readonly permissions: readonly string[];
}

/**
 * "Timesheets Integration Test": a first-party application that may only exchange a user's
 * password for a token (password-realm, realm = the stack's connection), with a user grant on
 * the API for exactly the test user's permissions. Only in stacks with a test user; never prod.
 */
export interface IntegrationTestAppSpec extends ClientSettingsSpec {
  readonly name: typeof INTEGRATION_TEST_APP_NAME;
  readonly description: string;
  /** Auth0's guide to the password flow registers a regular web application. */
  readonly appType: "regular_web";
  readonly grantTypes: readonly [typeof PASSWORD_REALM_GRANT];
  readonly authMethod: "client_secret_post";
  readonly grant: {
    readonly audience: string;
    readonly scopes: readonly string[];
    readonly subjectType: "user";
  };
}

export interface GatewayOperation {
  readonly id: string;
  readonly method: string;
  readonly urlTemplate: string;
  readonly displayName: string;
  /** The permission the caller's access token must carry in its `scope` claim. */
  readonly permission: string;
}

export type ApimServiceSpec =
  /** The local gateway of `npm run local` at `address` (127.0.0.1:PORT): the program declares no Azure resource for it. */
  | { readonly mode: "local"; readonly address: string }
  | { readonly mode: "existing"; readonly resourceGroupName: string; readonly serviceName: string }
  | {
      readonly mode: "create";
      readonly resourceGroupName: string;
      readonly createResourceGroup: boolean;
      readonly serviceName: string;
      readonly sku: ApimConfig["sku"];
      readonly capacity: number;
      readonly publisherEmail: string;
      readonly publisherName: string;
      readonly location: string;
    };

/**
 * "Timesheets Developer Portal": the application API Management's developer portal signs people
 * in with (authorization code only), its callbacks exactly the portal's redirect URIs for this
 * service and authorization server, with a user grant on the API for exactly `permissions`.
 */
export interface DeveloperPortalAppSpec extends ClientSettingsSpec {
  readonly name: typeof DEVELOPER_PORTAL_APP_NAME;
  readonly description: string;
  /** Auth0's guide to API Management registers a regular web application: it holds a secret. */
  readonly appType: "regular_web";
  readonly grantTypes: readonly ["authorization_code"];
  readonly authMethod: "client_secret_post";
  readonly grant: {
    readonly audience: string;
    readonly scopes: readonly string[];
    readonly subjectType: "user";
  };
}

/** API Management's OAuth 2.0 authorization server for Auth0 (`apimanagement.AuthorizationServer`). */
export interface AuthorizationServerSpec {
  /** Its resource name (`authsid`), which the portal's redirect URI ends with. */
  readonly id: string;
  readonly displayName: string;
  readonly description: string;
  /** Auth0's `/authorize` with the API's audience, so that the token is for the API. */
  readonly authorizationEndpoint: string;
  readonly tokenEndpoint: string;
  readonly clientRegistrationEndpoint: string;
  readonly grantTypes: readonly ["authorizationCode"];
  readonly authorizationMethods: readonly ["GET"];
  /** The client's credentials in the token request's body: the application's `client_secret_post`. */
  readonly clientAuthenticationMethods: readonly ["Body"];
  readonly bearerTokenSendingMethods: readonly ["authorizationHeader"];
  /** The permissions asked for, space-separated. */
  readonly defaultScope: string;
  readonly supportState: true;
}

export interface DeveloperPortalSpec {
  /** The portal's base URL: `https://<service>.developer.azure-api.net`, or the local gateway's address. */
  readonly url: string;
  readonly application: DeveloperPortalAppSpec;
  readonly authorizationServer: AuthorizationServerSpec;
}

export interface GatewaySpec {
  readonly service: ApimServiceSpec;
  readonly api: {
    /** The API's resource name in API Management. */
    readonly name: string;
    readonly displayName: string;
    readonly path: string;
    readonly backendUrl: string;
    readonly subscriptionRequired: boolean;
  };
  readonly operations: readonly GatewayOperation[];
  readonly clockSkewSeconds: number;
  /** Present only where `apim.developerPortal` is set: people sign in to the API through Auth0. */
  readonly developerPortal: DeveloperPortalSpec | undefined;
}
