/**
 * A tenant as read through the Management API: only the fields a stack's spec has an opinion
 * on, in our own words, so that comparisons are pure and tests build tenants by hand.
 */
import type { Problem } from "./answer";

export interface LivePermission {
  readonly name: string;
  readonly description: string | undefined;
}

export interface LiveResourceServer {
  readonly id: string;
  readonly identifier: string;
  readonly name: string | undefined;
  readonly signingAlg: string | undefined;
  /** Auth0 leaves `token_dialect` out when it is the default, `access_token`. */
  readonly tokenDialect: string | undefined;
  readonly tokenLifetime: number | undefined;
  readonly allowOfflineAccess: boolean | undefined;
  readonly enforcePolicies: boolean | undefined;
  /** `subject_type_authorization.client.policy`. */
  readonly clientPolicy: string | undefined;
  /** `subject_type_authorization.user.policy`. */
  readonly userPolicy: string | undefined;
  readonly permissions: readonly LivePermission[];
}

export interface LiveClient {
  readonly clientId: string;
  readonly name: string;
  /** Absent when Auth0 holds none. */
  readonly description: string | undefined;
  readonly appType: string | undefined;
  readonly grantTypes: readonly string[] | undefined;
  readonly isFirstParty: boolean | undefined;
  readonly oidcConformant: boolean | undefined;
  readonly callbacks: readonly string[];
  readonly allowedOrigins: readonly string[];
  readonly webOrigins: readonly string[];
  readonly allowedLogoutUrls: readonly string[];
  /** `jwt_configuration.alg`. */
  readonly jwtAlg: string | undefined;
  /** `private_key_jwt` when the client signs assertions with keys, else `token_endpoint_auth_method`. */
  readonly authMethod: string | undefined;
  /** How many keys `private_key_jwt` lists; 0 for other methods. */
  readonly keyCount: number;
}

export interface LiveGrant {
  readonly id: string;
  /** Absent on a default grant (`default_for`), which applies to a whole group of clients. */
  readonly clientId: string | undefined;
  readonly defaultFor: string | undefined;
  readonly audience: string;
  readonly scopes: readonly string[];
  /** Every permission of the API, whatever `scopes` says. */
  readonly allowAllScopes: boolean;
  readonly subjectType: string | undefined;
}

export interface LiveConnection {
  readonly id: string;
  readonly name: string;
  readonly strategy: string;
  /** The legacy password rules (`options.passwordPolicy`); undefined when absent or null. */
  readonly passwordPolicy: string | undefined;
  /** Auth0's current password rules (`options.password_options`); undefined when absent. */
  readonly passwordOptions: LivePasswordOptions | undefined;
  readonly bruteForceProtection: boolean | undefined;
  /** Whether sign-ups are closed: `options.disable_signup` (absent when sign-ups are allowed). */
  readonly disableSignup: boolean | undefined;
}

export interface LivePasswordOptions {
  readonly minLength: number | undefined;
  readonly characterTypes: readonly string[];
  readonly characterTypeRule: string | undefined;
  readonly identicalCharacters: string | undefined;
  readonly sequentialCharacters: string | undefined;
  /** 0 when history is off. */
  readonly historySize: number;
  readonly dictionary: boolean;
  readonly profileData: boolean;
}

export interface LiveUser {
  readonly userId: string;
  readonly email: string;
  readonly emailVerified: boolean | undefined;
  /** The display name; undefined where the answer has none. */
  readonly name?: string | undefined;
  /** The connections of the user's identities. */
  readonly connections: readonly string[];
}

/** A role as read, with its permissions (on any API). */
export interface LiveRole {
  readonly id: string;
  readonly name: string;
  readonly description: string | undefined;
  readonly permissions: readonly { readonly audience: string; readonly name: string }[];
}

/** The test user's role (stacks with RBAC and a test user), read by name, and every test user's roles. */
export interface LiveTestUserRoles {
  /** Every role with the declared name (Auth0 filters by name; the exact name is kept). */
  readonly named: readonly LiveRole[];
  /** Each user with the test user's address (users-by-email) and the roles assigned to it: ids and names. */
  readonly assigned: readonly { readonly user: LiveUser; readonly roles: readonly { readonly id: string; readonly name: string }[] }[];
}

/** What a stack without a test user's role reads of roles: nothing. */
export const NO_ROLES: LiveTestUserRoles = { named: [], assigned: [] };

/** Everything the audit reads, each part as one kind of Management API call returns it. */
export interface LiveTenant {
  /** The Timesheets API, looked up by its identifier; undefined when there is none. */
  readonly resourceServer: LiveResourceServer | undefined;
  /** Every client in the tenant (the import job is found by name; grants name their clients). */
  readonly clients: readonly LiveClient[];
  /** Every client grant in the tenant: unmanaged grants are found only in the whole list. */
  readonly grants: readonly LiveGrant[];
  /** The user store, looked up by name; undefined when there is none. */
  readonly connection: LiveConnection | undefined;
  /** Client ids enabled on the user store; empty when the connection is missing. */
  readonly enabledClients: readonly string[];
  /** Users found by e-mail, for every address the audit looked up. */
  readonly usersByEmail: ReadonlyMap<string, readonly LiveUser[]>;
  /** The test user's role and the test users' roles; NO_ROLES where the stack declares no role. */
  readonly testUserRoles: LiveTestUserRoles;
}

export type LivePart = keyof LiveTenant;

/** Why one part of the tenant could not be read. */
export interface ReadProblem extends Problem {
  readonly part: LivePart;
}

export type ReadResult<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly problem: ReadProblem };

/** The tenant as read: each part read, or the reason it could not be. */
export type TenantSnapshot = { readonly [K in LivePart]: ReadResult<LiveTenant[K]> };

export function readOk<T>(value: T): ReadResult<T> {
  return { ok: true, value };
}

/** A snapshot where every part was read; for tests and for callers that have the whole tenant. */
export function completeSnapshot(tenant: LiveTenant): TenantSnapshot {
  return {
    resourceServer: readOk(tenant.resourceServer),
    clients: readOk(tenant.clients),
    grants: readOk(tenant.grants),
    connection: readOk(tenant.connection),
    enabledClients: readOk(tenant.enabledClients),
    usersByEmail: readOk(tenant.usersByEmail),
    testUserRoles: readOk(tenant.testUserRoles),
  };
}
