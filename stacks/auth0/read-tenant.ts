import type { Answer, Problem } from "./answer";
import { getParsed } from "./answer";
import {
  clientAnswer,
  connectionAnswer,
  enabledClientAnswer,
  grantAnswer,
  resourceServerAnswer,
  roleAnswer,
  rolePermissionAnswer,
  usersAnswer,
} from "./answers";
import { liveClient, liveConnection, liveGrant, liveResourceServer, liveUser } from "./from-auth0";
import {
  NO_ROLES,
  type LiveConnection,
  type LivePart,
  type LiveRole,
  type LiveTenant,
  type LiveTestUserRoles,
  type LiveUser,
  type ReadResult,
  type TenantSnapshot,
} from "./model";
import { checkpointPages, offsetPages } from "./pages";
import type { ManagementSession } from "./session";

/** The Management API scope each part needs: the reader's minimal, read-only grant. */
export const REQUIRED_SCOPES: Record<LivePart, string> = {
  resourceServer: "read:resource_servers",
  clients: "read:clients",
  grants: "read:client_grants",
  connection: "read:connections",
  enabledClients: "read:connections",
  usersByEmail: "read:users",
  // Auth0's reference lists read:roles for the role and its permissions, and any of read:users,
  // read:roles, read:role_members for a user's roles: read:roles serves all three reads.
  testUserRoles: "read:roles",
};

const PART_LABEL: Record<LivePart, string> = {
  resourceServer: "GET /api/v2/resource-servers/{identifier}",
  clients: "GET /api/v2/clients",
  grants: "GET /api/v2/client-grants",
  connection: "GET /api/v2/connections?name=",
  enabledClients: "GET /api/v2/connections/{id}/clients",
  usersByEmail: "GET /api/v2/users-by-email",
  testUserRoles: "GET /api/v2/roles?name_filter=, /roles/{id}/permissions, /users/{id}/roles",
};

// The fields the checks compare, and nothing else: smaller answers, no secrets in memory.
const CLIENT_FIELDS = [
  "client_id",
  "name",
  "description",
  "app_type",
  "grant_types",
  "is_first_party",
  "oidc_conformant",
  "callbacks",
  "allowed_origins",
  "web_origins",
  "allowed_logout_urls",
  "jwt_configuration",
  "token_endpoint_auth_method",
  "client_authentication_methods",
  "global",
].join(",");
const CONNECTION_FIELDS = "id,name,strategy,options";
const USER_FIELDS = "user_id,email,email_verified,name,identities";

/** What to read: the objects a stack declares, found by what names them. */
export interface TenantQuery {
  readonly apiIdentifier: string;
  readonly connectionName: string;
  /** Addresses to look up with users-by-email (one call each). */
  readonly emails: readonly string[];
  /** The test user's role, where the stack declares one: its name and the test user's address. */
  readonly testUserRole?: { readonly name: string; readonly email: string } | undefined;
}

export interface ReadOptions {
  /** How the budget is described in a message, e.g. "--timeout 60". */
  readonly budget: string;
}

function result<T, V>(part: LivePart, answer: Answer<T>, map: (value: T) => V): ReadResult<V> {
  if (answer.ok) return { ok: true, value: map(answer.value) };
  return problem(part, answer.problem);
}

const problem = (part: LivePart, { message, missingScope }: Problem): ReadResult<never> => ({
  ok: false,
  problem: { part, message: `${PART_LABEL[part]}: ${message}`, ...(missingScope === undefined ? {} : { missingScope }) },
});

/**
 * Reads what a stack's checks need, each kind of object with as few calls as Auth0 allows,
 * all at once but the enabled clients (which need the connection's id). Every answer is
 * parsed; a part whose answers do not fit, or whose list is not whole, is a problem, never a value.
 */
export async function readTenant(session: ManagementSession, query: TenantQuery, options: ReadOptions): Promise<TenantSnapshot> {
  const get = (part: LivePart) => ({ budget: options.budget, scope: REQUIRED_SCOPES[part] });

  const resourceServer = (async (): Promise<ReadResult<LiveTenant["resourceServer"]>> => {
    const answer = await getParsed(
      session,
      `/api/v2/resource-servers/${encodeURIComponent(query.apiIdentifier)}`,
      {},
      resourceServerAnswer,
      get("resourceServer"),
    );
    if (!answer.ok && answer.notFound) return { ok: true, value: undefined };
    if (answer.ok && answer.value.identifier !== query.apiIdentifier) {
      return problem("resourceServer", {
        message: `asked for ${query.apiIdentifier}, Auth0 answered the resource server ${JSON.stringify(answer.value.identifier)}`,
      });
    }
    return result("resourceServer", answer, liveResourceServer);
  })();

  // The tenant's applications, never its global client ("All Applications", which every tenant
  // has and no stack declares): a name search must not find it, whatever its name or place in the
  // list. Auth0's `is_global=false` leaves it out; an answer that holds it anyway says `global`.
  const clients = (async () =>
    result(
      "clients",
      await offsetPages(
        session,
        "/api/v2/clients",
        { is_global: false, fields: CLIENT_FIELDS, include_fields: true },
        "clients",
        clientAnswer,
        (c) => c.client_id,
        get("clients"),
      ),
      (list) => list.filter((c) => c.global !== true).map(liveClient),
    ))();

  const grants = (async () =>
    result(
      "grants",
      // Client grants have checkpoint paging (`from`/`take`): an item cannot be shifted out of sight.
      await checkpointPages(session, "/api/v2/client-grants", {}, "client_grants", grantAnswer, (g) => g.id, get("grants")),
      (list) => list.map(liveGrant),
    ))();

  const connection = (async (): Promise<ReadResult<LiveConnection | undefined>> => {
    const answer = await offsetPages(
      session,
      "/api/v2/connections",
      { name: query.connectionName, fields: CONNECTION_FIELDS, include_fields: true },
      "connections",
      connectionAnswer,
      (c) => c.id,
      get("connection"),
    );
    if (!answer.ok) return result("connection", answer, () => undefined);
    // Auth0 holds one connection per name in a tenant; two of the name is an answer that cannot be
    // the tenant's user store, and which of them the program manages cannot be told: not one of them.
    const named = answer.value.filter((c) => c.name === query.connectionName);
    if (named.length > 1) {
      return problem("connection", {
        message: `${named.length} connections are named ${query.connectionName} (${named.map((c) => c.id).join(", ")}): which one is the user store is ambiguous`,
      });
    }
    const document = named[0];
    return { ok: true, value: document === undefined ? undefined : liveConnection(document) };
  })();

  const enabledClients = connection.then(async (read): Promise<ReadResult<readonly string[]>> => {
    if (!read.ok) return { ok: false, problem: { ...read.problem, part: "enabledClients" } };
    const id = read.value?.id;
    if (id === undefined) return { ok: true, value: [] };
    const answer = await checkpointPages(
      session,
      `/api/v2/connections/${encodeURIComponent(id)}/clients`,
      {},
      "clients",
      enabledClientAnswer,
      (c) => c.client_id,
      get("enabledClients"),
    );
    return result("enabledClients", answer, (list) => list.map((c) => c.client_id));
  });

  const usersByEmail = (async (): Promise<ReadResult<ReadonlyMap<string, readonly LiveUser[]>>> => {
    const found = await Promise.all(
      query.emails.map(async (email) => {
        const answer = await getParsed(
          session,
          "/api/v2/users-by-email",
          { email, fields: USER_FIELDS, include_fields: true },
          usersAnswer,
          get("usersByEmail"),
        );
        return [email, answer] as const;
      }),
    );
    const users = new Map<string, readonly LiveUser[]>();
    for (const [email, answer] of found) {
      if (!answer.ok) return problem("usersByEmail", answer.notFound ? { message: "404 Not Found" } : answer.problem);
      // Only a user with the address asked for is that address's user: an answer naming another
      // is not the test user. Auth0 keeps addresses lower-cased, so case does not tell two apart.
      users.set(
        email,
        answer.value.map(liveUser).filter((user) => user.email.toLowerCase() === email.toLowerCase()),
      );
    }
    return { ok: true, value: users };
  })();

  const testUserRoles = usersByEmail.then(async (users): Promise<ReadResult<LiveTestUserRoles>> => {
    const declared = query.testUserRole;
    if (declared === undefined) return { ok: true, value: NO_ROLES };
    if (!users.ok) return { ok: false, problem: { ...users.problem, part: "testUserRoles" } };
    const listed = await offsetPages(
      session,
      "/api/v2/roles",
      { name_filter: declared.name },
      "roles",
      roleAnswer,
      (r) => r.id,
      get("testUserRoles"),
    );
    if (!listed.ok) return result("testUserRoles", listed, () => NO_ROLES);
    // Auth0's name_filter is looser than equality; only the exact name is the declared role.
    const named = listed.value.filter((role) => role.name === declared.name);
    // Role names are unique in a tenant (guess, see local/auth0/resources/roles.ts): two of the name
    // cannot be told apart, so the answer is not used (and a long list costs no permission reads).
    if (named.length > 1) {
      return problem("testUserRoles", {
        message: `${named.length} roles are named ${declared.name} (${named
          .slice(0, 3)
          .map((r) => r.id)
          .join(", ")}): which one is the test user's role is ambiguous`,
      });
    }
    const roles: LiveRole[] = [];
    for (const role of named) {
      const permissions = await offsetPages(
        session,
        `/api/v2/roles/${encodeURIComponent(role.id)}/permissions`,
        {},
        "permissions",
        rolePermissionAnswer,
        (p) => `${p.resource_server_identifier} ${p.permission_name}`,
        get("testUserRoles"),
      );
      if (!permissions.ok) return result("testUserRoles", permissions, () => NO_ROLES);
      roles.push({
        id: role.id,
        name: role.name,
        description: role.description,
        permissions: permissions.value.map((p) => ({ audience: p.resource_server_identifier, name: p.permission_name })),
      });
    }
    const assigned: { user: LiveUser; roles: { id: string; name: string }[] }[] = [];
    for (const user of users.value.get(declared.email) ?? []) {
      const held = await offsetPages(
        session,
        `/api/v2/users/${encodeURIComponent(user.userId)}/roles`,
        {},
        "roles",
        roleAnswer,
        (r) => r.id,
        get("testUserRoles"),
      );
      if (!held.ok) return result("testUserRoles", held, () => NO_ROLES);
      assigned.push({ user, roles: held.value.map((r) => ({ id: r.id, name: r.name })) });
    }
    return { ok: true, value: { named: roles, assigned } };
  });

  const [rs, cl, gr, co, ec, us, tr] = await Promise.all([
    resourceServer,
    clients,
    grants,
    connection,
    enabledClients,
    usersByEmail,
    testUserRoles,
  ]);
  return {
    resourceServer: rs,
    clients: cl,
    grants: gr,
    connection: co,
    enabledClients: ec,
    usersByEmail: us,
    testUserRoles: tr,
  } satisfies {
    [K in LivePart]: ReadResult<LiveTenant[K]>;
  };
}
