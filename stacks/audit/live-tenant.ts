/**
 * The live tenant as the audit reads it: only the fields the spec has an opinion on, in the
 * audit's own words, so the comparison is pure and tests build tenants by hand.
 */

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
  readonly permissions: readonly LivePermission[];
}

export interface LiveClient {
  readonly clientId: string;
  readonly name: string;
  readonly appType: string | undefined;
  readonly grantTypes: readonly string[] | undefined;
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
  readonly passwordPolicy: string | undefined;
  readonly bruteForceProtection: boolean | undefined;
  /** Auth0 leaves `disable_signup` out when sign-ups are allowed. */
  readonly disableSignup: boolean | undefined;
}

export interface LiveUser {
  readonly userId: string;
  readonly email: string;
  /** The connections of the user's identities. */
  readonly connections: readonly string[];
}

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
}

export type LivePart = keyof LiveTenant;

/** Why one part of the tenant could not be read. */
export interface ReadProblem {
  readonly part: LivePart;
  readonly message: string;
  /** The Management API scope the auditor lacks, when Auth0 answered 403. */
  readonly missingScope?: string;
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
  };
}
