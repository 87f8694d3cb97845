import { createPublicKey, type KeyObject } from "node:crypto";
import { connectionId, resourceServerId } from "./ids.js";
import { isGlobalClient, newGlobalClient } from "./resources/global-client.js";
import { UNMODELLED_SCOPES, type UnmodelledScope } from "./resources/unmodelled.js";
import { ROLE_SCOPES, RoleStore, type SavedRoles } from "./role-store.js";
import type { JsonObject, JsonValue } from "./validation.js";
import { DEFAULT_PASSWORD_COST } from "./passwords.js";

/** Recorded defaults of a database (`auth0`) connection's options; a fresh copy each time, never shared between connections. */
export function databaseOptionDefaults(): JsonObject {
  return {
    mfa: { active: true, return_enroll_settings: true },
    passwordPolicy: "good",
    strategy_version: 2,
    authentication_methods: { password: { enabled: true, api_behavior: "required" }, passkey: { enabled: false } },
    passkey_options: { challenge_ui: "both", progressive_enrollment_enabled: true, local_enrollment_enabled: true },
    brute_force_protection: true,
  };
}

// The tenant's state, kept in memory as the JSON documents Auth0 answers with. Handlers shape
// each document once, on write, so every read returns exactly what the last write stored.

export type ResourceServer = JsonObject & {
  id: string;
  identifier: string;
  signing_alg: string;
  token_lifetime: number;
  token_dialect?: string;
  signing_secret?: string;
  subject_type_authorization?: JsonObject;
  scopes?: JsonValue[];
  is_system?: boolean;
};

export type Client = JsonObject & {
  client_id: string;
  name: string;
  grant_types?: JsonValue[];
  app_type?: string;
  token_endpoint_auth_method?: string | null;
  client_authentication_methods?: JsonObject | null;
  resource_server_identifier?: string;
};

export type ClientGrant = JsonObject & {
  id: string;
  client_id: string;
  audience: string;
  scope?: string[];
  subject_type?: string;
  allow_all_scopes?: boolean;
};

export type Connection = JsonObject & {
  id: string;
  name: string;
  strategy: string;
  options: JsonObject;
  enabled_clients: string[];
};

export type User = JsonObject & {
  user_id: string;
  email?: string;
  identities: JsonObject[];
};

/** A client's registered public key, for `private_key_jwt`. */
export type Credential = JsonObject & { id: string; credential_type: string; kid?: string; alg?: string };

/** A tenant's content as JSON (see TenantState.saved); passwords are the stored hashes. */
export interface SavedTenantState {
  readonly resourceServers: readonly ResourceServer[];
  readonly clients: readonly Client[];
  readonly credentials: readonly { readonly clientId: string; readonly document: Credential; readonly publicKey?: string | undefined }[];
  readonly clientGrants: readonly ClientGrant[];
  readonly connections: readonly Connection[];
  readonly users: readonly User[];
  readonly passwords: readonly (readonly [string, string])[];
  /** Absent in a file written before roles were modelled. */
  readonly roles?: SavedRoles;
  /** `private_key_jwt` assertion ids used, with their expiry (epoch seconds); absent in older files. */
  readonly usedAssertions?: readonly (readonly [string, number])[];
}

/** Everything that lives in one tenant. */
export class TenantState {
  readonly resourceServers = new Map<string, ResourceServer>();
  readonly clients = new Map<string, Client>();
  /** Public keys by credential id, per client; the documents carry only what Auth0 shows. */
  readonly credentials = new Map<string, Map<string, { document: Credential; key: KeyObject | undefined }>>();
  readonly clientGrants = new Map<string, ClientGrant>();
  readonly connections = new Map<string, Connection>();
  readonly users = new Map<string, User>();
  /** Password per user id; never part of a user document. */
  readonly passwords = new Map<string, string>();
  /** Roles, their permissions, and who holds them. */
  readonly authorization = new RoleStore();
  /** `private_key_jwt` assertion ids already used, each until its assertion expires (epoch seconds). */
  readonly usedAssertions = new Map<string, number>();
  /**
   * Counts changes made outside the Management API (an assertion id used, a password hash
   * upgraded at sign-in), so that the local tenant's file is written after those too.
   */
  revision = 0;

  /**
   * @param passwordCost scrypt's N for new password hashes (passwords.ts); each stored hash
   * names its own, so a tenant saved with one cost is read under any other.
   */
  constructor(
    readonly domain: string,
    readonly passwordCost: number = DEFAULT_PASSWORD_COST,
  ) {
    this.reset();
  }

  get managementAudience(): string {
    return `https://${this.domain}/api/v2/`;
  }

  /** Empties the tenant back to what a new Auth0 tenant holds: the Management API, the default database connection, the global client. */
  reset(): void {
    this.resourceServers.clear();
    this.clients.clear();
    this.credentials.clear();
    this.clientGrants.clear();
    this.connections.clear();
    this.users.clear();
    this.passwords.clear();
    this.authorization.clear();
    this.usedAssertions.clear();
    const managementApi: ResourceServer = {
      id: resourceServerId(),
      name: "Auth0 Management API",
      identifier: this.managementAudience,
      allow_offline_access: false,
      skip_consent_for_verifiable_first_party_clients: false,
      token_lifetime: 86400,
      token_lifetime_for_web: 7200,
      signing_alg: "RS256",
      scopes: MANAGEMENT_SCOPES.map((value) => ({ value, description: describeScope(value) })),
      is_system: true,
    };
    this.resourceServers.set(managementApi.id, managementApi);
    const database: Connection = {
      id: connectionId(),
      options: databaseOptionDefaults(),
      strategy: "auth0",
      name: "Username-Password-Authentication",
      is_domain_connection: false,
      authentication: { active: true },
      connected_accounts: { active: false },
      enabled_clients: [],
      realms: ["Username-Password-Authentication"],
    };
    this.connections.set(database.id, database);
    const globalClient = newGlobalClient();
    this.clients.set(globalClient.client_id, globalClient);
  }

  /** The tenant's global client ("All Applications"); every tenant has exactly one. */
  globalClient(): Client | undefined {
    for (const client of this.clients.values()) if (isGlobalClient(client)) return client;
    return undefined;
  }

  /** Everything the tenant holds, as plain JSON: what the local tenant's file keeps between starts. */
  saved(): SavedTenantState {
    return {
      resourceServers: [...this.resourceServers.values()],
      clients: [...this.clients.values()],
      credentials: [...this.credentials].flatMap(([clientId, byId]) =>
        [...byId.values()].map(({ document, key }) => ({
          clientId,
          document,
          publicKey: key?.export({ format: "pem", type: "spki" }).toString(),
        })),
      ),
      clientGrants: [...this.clientGrants.values()],
      connections: [...this.connections.values()],
      users: [...this.users.values()],
      passwords: [...this.passwords],
      roles: this.authorization.saved(),
      usedAssertions: [...this.usedAssertions],
    };
  }

  /**
   * Replaces everything with a saved tenant's content (the Management API, database connection
   * and global client included: they are saved too). A tenant saved before the global client
   * was modelled has none: it gets the one every tenant has.
   */
  restore(saved: SavedTenantState): void {
    this.reset();
    const fresh = this.globalClient();
    this.resourceServers.clear();
    this.clients.clear();
    this.connections.clear();
    for (const resourceServer of saved.resourceServers) this.resourceServers.set(resourceServer.id, resourceServer);
    for (const client of saved.clients) this.clients.set(client.client_id, client);
    if (this.globalClient() === undefined && fresh !== undefined) this.clients.set(fresh.client_id, fresh);
    for (const { clientId, document, publicKey } of saved.credentials) {
      const forClient = this.credentials.get(clientId) ?? new Map();
      forClient.set(document.id, { document, key: publicKey === undefined ? undefined : createPublicKey(publicKey) });
      this.credentials.set(clientId, forClient);
    }
    for (const grant of saved.clientGrants) this.clientGrants.set(grant.id, grant);
    for (const connection of saved.connections) this.connections.set(connection.id, connection);
    for (const user of saved.users) this.users.set(user.user_id, user);
    for (const [userId, password] of saved.passwords) this.passwords.set(userId, password);
    this.authorization.restore(saved.roles);
    for (const [id, expiry] of saved.usedAssertions ?? []) this.usedAssertions.set(id, expiry);
  }

  /**
   * Records a `private_key_jwt` assertion id; false when it was used before and has not expired
   * (Auth0 refuses a replayed `jti`). Expired ids are forgotten here, so the list stays as short
   * as the assertions still valid.
   */
  useAssertionId(id: string, expiresAt: number, now = Math.floor(Date.now() / 1000)): boolean {
    for (const [used, expiry] of this.usedAssertions) if (expiry < now) this.usedAssertions.delete(used);
    if (this.usedAssertions.has(id)) return false;
    this.usedAssertions.set(id, expiresAt);
    this.revision += 1;
    return true;
  }

  resourceServerByIdentifier(identifier: string): ResourceServer | undefined {
    for (const resourceServer of this.resourceServers.values()) {
      if (resourceServer.identifier === identifier) return resourceServer;
    }
    return undefined;
  }

  /**
   * Auth0 addresses a resource server by its id or by its identifier, URL-encoded once or twice
   * (clients that encode a path segment themselves send `https:%252F%252F...`).
   */
  resourceServerByIdOrIdentifier(idOrIdentifier: string): ResourceServer | undefined {
    const found = this.resourceServers.get(idOrIdentifier) ?? this.resourceServerByIdentifier(idOrIdentifier);
    const again = found === undefined ? decodedAgain(idOrIdentifier) : undefined;
    return found ?? (again === undefined ? undefined : this.resourceServerByIdentifier(again));
  }

  connectionByName(name: string): Connection | undefined {
    for (const connection of this.connections.values()) if (connection.name === name) return connection;
    return undefined;
  }

  grantFor(clientId: string, audience: string, subjectType = "client"): ClientGrant | undefined {
    for (const grant of this.clientGrants.values()) {
      if (grant.client_id === clientId && grant.audience === audience && (grant.subject_type ?? "client") === subjectType) {
        return grant;
      }
    }
    return undefined;
  }
}

/** A path parameter that was URL-encoded twice, decoded the second time; undefined when it was not. */
export function decodedAgain(value: string): string | undefined {
  if (!/%[0-9A-Fa-f]{2}/.test(value)) return undefined;
  try {
    return decodeURIComponent(value);
  } catch {
    return undefined;
  }
}

/** The permissions of the kinds this stand-in models. */
const MODELLED_SCOPES = [
  "read:client_grants",
  "create:client_grants",
  "update:client_grants",
  "delete:client_grants",
  "read:clients",
  "create:clients",
  "update:clients",
  "delete:clients",
  "read:client_keys",
  "create:client_keys",
  "update:client_keys",
  "delete:client_keys",
  "read:client_credentials",
  "create:client_credentials",
  "update:client_credentials",
  "delete:client_credentials",
  "read:connections",
  "create:connections",
  "update:connections",
  "delete:connections",
  "read:resource_servers",
  "create:resource_servers",
  "update:resource_servers",
  "delete:resource_servers",
  "read:users",
  "create:users",
  "update:users",
  "delete:users",
  ...ROLE_SCOPES,
] as const;

/**
 * The Management API permissions this stand-in enforces, under Auth0's names: those of the kinds
 * it models, then those of the kinds it answers as empty (resources/unmodelled.ts).
 */
export const MANAGEMENT_SCOPES: readonly ManagementScope[] = [...MODELLED_SCOPES, ...UNMODELLED_SCOPES];

export type ManagementScope = (typeof MODELLED_SCOPES)[number] | UnmodelledScope;

function describeScope(scope: string): string {
  const [action = "", resource = ""] = scope.split(":");
  const words = resource.replace(/_/g, " ");
  return `${action.charAt(0).toUpperCase()}${action.slice(1)} ${words.replace(/\b\w/g, (c) => c.toUpperCase())}`;
}
