import type { TenantSnapshot } from "../auth0/model";
import type { TenantQuery } from "../auth0/read-tenant";
import { resourceName, type PendingCreate } from "./pending-creates";

/**
 * What makes an object unique in a tenant, as far as the program is concerned: Auth0 itself
 * makes resource server identifiers, connection names and (we assume, see
 * local/auth0/resources/roles.ts) role names unique; client names it does not, so a client is
 * known by name and application type, and only when exactly one has both.
 */
export type TenantIdentity =
  | { readonly kind: "resourceServer"; readonly identifier: string }
  | { readonly kind: "client"; readonly name: string; readonly appType: string }
  | { readonly kind: "grant"; readonly clientId: string; readonly audience: string; readonly subjectType: string }
  | { readonly kind: "connection"; readonly name: string }
  | { readonly kind: "user"; readonly email: string; readonly connection: string }
  | { readonly kind: "role"; readonly name: string };

/**
 * Resources whose create makes no object of its own: it writes a property of one that exists
 * (a resource server's scopes, a client's credentials, a connection's clients, a role's
 * permissions, a user's roles), or nothing outside the state (random values, providers). Done
 * twice, such a create writes the same thing twice; it can never leave a second copy. (From the
 * auth0 provider's resource reference: each of these is keyed by the id of the object it writes.)
 */
const NO_OBJECT_OF_ITS_OWN = new Set([
  "auth0:index/resourceServerScopes:ResourceServerScopes",
  "auth0:index/clientCredentials:ClientCredentials",
  "auth0:index/connectionClients:ConnectionClients",
  "auth0:index/rolePermissions:RolePermissions",
  "auth0:index/userRoles:UserRoles",
  "random:index/randomPassword:RandomPassword",
]);

const text = (inputs: Readonly<Record<string, unknown>>, key: string): string | undefined => {
  const value = inputs[key];
  return typeof value === "string" && value !== "" ? value : undefined;
};

/** What a pending create would have made, read from the inputs it sent: an identity, nothing, or why it cannot be told. */
export function identityOf(create: PendingCreate): TenantIdentity | "no-object" | { readonly unknown: string } {
  if (NO_OBJECT_OF_ITS_OWN.has(create.type) || create.type.startsWith("pulumi:providers:")) return "no-object";
  const { inputs } = create;
  const need = (...keys: string[]): { unknown: string } | undefined => {
    const missing = keys.filter((key) => text(inputs, key) === undefined);
    return missing.length === 0 ? undefined : { unknown: `its recorded inputs have no ${missing.join(" or ")}` };
  };
  switch (create.type) {
    case "auth0:index/resourceServer:ResourceServer":
      return need("identifier") ?? { kind: "resourceServer", identifier: text(inputs, "identifier") as string };
    case "auth0:index/client:Client":
      return (
        need("name", "appType") ?? { kind: "client", name: text(inputs, "name") as string, appType: text(inputs, "appType") as string }
      );
    case "auth0:index/clientGrant:ClientGrant":
      return (
        need("clientId", "audience") ?? {
          kind: "grant",
          clientId: text(inputs, "clientId") as string,
          audience: text(inputs, "audience") as string,
          // Auth0's default, which older grants do not spell out.
          subjectType: text(inputs, "subjectType") ?? "client",
        }
      );
    case "auth0:index/connection:Connection":
      return need("name") ?? { kind: "connection", name: text(inputs, "name") as string };
    case "auth0:index/user:User":
      return (
        need("email", "connectionName") ?? {
          kind: "user",
          email: text(inputs, "email") as string,
          connection: text(inputs, "connectionName") as string,
        }
      );
    case "auth0:index/role:Role":
      return need("name") ?? { kind: "role", name: text(inputs, "name") as string };
    default:
      return { unknown: `this runner does not know how to find a ${create.type} in the tenant` };
  }
}

/** How an identity reads in a message. */
export function describeIdentity(identity: TenantIdentity): string {
  switch (identity.kind) {
    case "resourceServer":
      return `API ${identity.identifier}`;
    case "client":
      return `${identity.appType} client "${identity.name}"`;
    case "grant":
      return `grant of client ${identity.clientId} on ${identity.audience} (${identity.subjectType})`;
    case "connection":
      return `connection ${identity.name}`;
    case "user":
      return `user ${identity.email} in ${identity.connection}`;
    case "role":
      return `role "${identity.name}"`;
  }
}

/** The tenant's answer, and what was asked: an identity the query did not cover was not looked up. */
export interface TenantAnswers {
  readonly query: TenantQuery;
  readonly snapshot: TenantSnapshot;
}

type Found = { readonly ok: true; readonly ids: readonly string[] } | { readonly ok: false; readonly problem: string };

const unread = (message: string): Found => ({ ok: false, problem: `the tenant could not be read: ${message}` });
const notAsked: Found = { ok: false, problem: "it was not looked up" };

/** The ids of the tenant's objects with this identity, each the id Pulumi's import of its type takes. */
export function findInTenant(identity: TenantIdentity, { query, snapshot }: TenantAnswers): Found {
  switch (identity.kind) {
    case "resourceServer": {
      if (query.apiIdentifier !== identity.identifier) return notAsked;
      const read = snapshot.resourceServer;
      if (!read.ok) return unread(read.problem.message);
      return { ok: true, ids: read.value !== undefined && read.value.identifier === identity.identifier ? [read.value.id] : [] };
    }
    case "client": {
      const read = snapshot.clients;
      if (!read.ok) return unread(read.problem.message);
      return {
        ok: true,
        ids: read.value.filter((c) => c.name === identity.name && c.appType === identity.appType).map((c) => c.clientId),
      };
    }
    case "grant": {
      const read = snapshot.grants;
      if (!read.ok) return unread(read.problem.message);
      const grants = read.value.filter(
        (g) => g.clientId === identity.clientId && g.audience === identity.audience && (g.subjectType ?? "client") === identity.subjectType,
      );
      return { ok: true, ids: grants.map((g) => g.id) };
    }
    case "connection": {
      if (query.connectionName !== identity.name) return notAsked;
      const read = snapshot.connection;
      if (!read.ok) return unread(read.problem.message);
      return { ok: true, ids: read.value !== undefined && read.value.name === identity.name ? [read.value.id] : [] };
    }
    case "user": {
      if (!query.emails.includes(identity.email)) return notAsked;
      const read = snapshot.usersByEmail;
      if (!read.ok) return unread(read.problem.message);
      const users = (read.value.get(identity.email) ?? []).filter((u) => u.connections.includes(identity.connection));
      return { ok: true, ids: users.map((u) => u.userId) };
    }
    case "role": {
      if (query.testUserRole?.name !== identity.name) return notAsked;
      const read = snapshot.testUserRoles;
      if (!read.ok) return unread(read.problem.message);
      return { ok: true, ids: read.value.named.filter((r) => r.name === identity.name).map((r) => r.id) };
    }
  }
}

export interface Adoption {
  readonly urn: string;
  readonly id: string;
  readonly what: string;
}
export interface FreshCreate {
  readonly urn: string;
  readonly what: string;
  readonly why: string;
}
export interface Refused {
  readonly urn: string;
  readonly what: string;
  readonly why: string;
  /** Where the tenant holds several: the copies, each a Management API path and the scope deleting it needs. */
  readonly copies?: readonly TenantObject[];
}

/** An object of the tenant as the Management API addresses it. */
export interface TenantObject {
  readonly path: string;
  readonly deleteScope: string;
}

/** The Management API's collection of each kind of object, and the scope that deletes one. */
const COLLECTIONS: Readonly<Record<TenantIdentity["kind"], { readonly collection: string; readonly deleteScope: string }>> = {
  resourceServer: { collection: "resource-servers", deleteScope: "delete:resource_servers" },
  client: { collection: "clients", deleteScope: "delete:clients" },
  grant: { collection: "client-grants", deleteScope: "delete:client_grants" },
  connection: { collection: "connections", deleteScope: "delete:connections" },
  user: { collection: "users", deleteScope: "delete:users" },
  role: { collection: "roles", deleteScope: "delete:roles" },
};

const tenantObject = (kind: TenantIdentity["kind"], id: string): TenantObject => ({
  path: `${COLLECTIONS[kind].collection}/${encodeURIComponent(id)}`,
  deleteScope: COLLECTIONS[kind].deleteScope,
});

/** What the next update does with each interrupted create. */
export interface PendingPlan {
  /** Exactly one object found: Pulumi imports it (`--import-pending-creates URN ID`). */
  readonly adopt: readonly Adoption[];
  /** Nothing found, or nothing to find: the pending create is cleared, and the update creates it once. */
  readonly create: readonly FreshCreate[];
  /** More than one found, or the answer unknown: nothing may run until a person settles it. */
  readonly refuse: readonly Refused[];
}

/**
 * The decision, pure: for each pending create, adopt the one object the tenant holds with its
 * identity, create it when the tenant holds none, refuse when it holds several or cannot say.
 * Never a create where an object exists (a second copy), never an adoption of one of several.
 */
export function decidePendingCreates(creates: readonly PendingCreate[], answers: TenantAnswers): PendingPlan {
  const adopt: Adoption[] = [];
  const create: FreshCreate[] = [];
  const refuse: Refused[] = [];
  for (const pending of creates) {
    const name = resourceName(pending.urn);
    const identity = identityOf(pending);
    if (identity === "no-object") {
      create.push({ urn: pending.urn, what: name, why: "it makes no object of its own; created again, it writes the same" });
      continue;
    }
    if ("unknown" in identity) {
      refuse.push({ urn: pending.urn, what: name, why: identity.unknown });
      continue;
    }
    const what = `${name} (${describeIdentity(identity)})`;
    const found = findInTenant(identity, answers);
    if (!found.ok) refuse.push({ urn: pending.urn, what, why: found.problem });
    else if (found.ids.length === 1) adopt.push({ urn: pending.urn, id: found.ids[0] as string, what });
    else if (found.ids.length === 0) create.push({ urn: pending.urn, what, why: "the tenant holds none" });
    else
      refuse.push({
        urn: pending.urn,
        what,
        why: `the tenant holds ${found.ids.length}: ${found.ids.join(", ")}`,
        copies: found.ids.map((id) => tenantObject(identity.kind, id)),
      });
  }
  return { adopt, create, refuse };
}
