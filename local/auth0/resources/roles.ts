import { z } from "zod";
import { badRequest, conflict, notFound } from "../errors.js";
import { roleId } from "../ids.js";
import { checkpointPage, checkpointQuery, offsetPage, offsetQuery, usesCheckpoints } from "../pagination.js";
import type { PermissionRef, Role } from "../role-store.js";
import { route, type Route } from "../router.js";
import { decodedAgain, type TenantState, type User } from "../store.js";
import { isJsonObject, parseBody, parseQuery } from "../validation.js";

// Auth0's roles, as the Management API v2 reference documents them (/roles, /roles/{id},
// /roles/{id}/permissions, /roles/{id}/users, /users/{id}/roles, /users/{id}/permissions) with
// the request and answer shapes of the auth0 SDK (node_modules/auth0, 7.x). Statuses and
// bodies marked "recorded" are from terraform-provider-auth0's recordings
// (TestAccUserRole, TestAccUserPermission); everything marked "guess" has no source.
// Scopes: each route takes any one of those Auth0's reference lists for the endpoint.

const roleFields = {
  // Guess: Auth0's limits on a role's name and description (the dashboard's).
  name: z.string().min(1).max(255),
  description: z.string().max(140).optional(),
};
const createBody = z.strictObject(roleFields);
const updateBody = z.strictObject({ name: roleFields.name.optional(), description: roleFields.description });

const permissionRef = z.strictObject({ resource_server_identifier: z.string().min(1), permission_name: z.string().min(1) });
const permissionsBody = z.strictObject({ permissions: z.array(permissionRef).min(1) });
const rolesBody = z.strictObject({ roles: z.array(z.string().min(1)).min(1) });
const usersBody = z.strictObject({ users: z.array(z.string().min(1)).min(1) });

// Guess: the error code and message of an unknown role (Auth0's `inexistent_<kind>` family).
const roleNotFound = () => notFound("The role does not exist.", "inexistent_role");

export function findRole(tenant: TenantState, id: string): Role {
  const role = tenant.authorization.roles.get(id);
  if (role === undefined) throw roleNotFound();
  return role;
}

function findUser(tenant: TenantState, id: string): User {
  // User ids carry a `|`, which some clients encode twice (`auth0%257C...`).
  const again = decodedAgain(id);
  const user = tenant.users.get(id) ?? (again === undefined ? undefined : tenant.users.get(again));
  if (user === undefined) throw notFound("The user does not exist.", "inexistent_user");
  return user;
}

/** The permissions an API declares, by value, with their descriptions. */
function declared(tenant: TenantState, identifier: string): { name: string; rs: string; scopes: Map<string, string> } | undefined {
  const resourceServer = tenant.resourceServerByIdentifier(identifier);
  if (resourceServer === undefined) return undefined;
  const scopes = new Map<string, string>();
  for (const scope of resourceServer.scopes ?? []) {
    if (isJsonObject(scope) && typeof scope.value === "string")
      scopes.set(scope.value, typeof scope.description === "string" ? scope.description : "");
  }
  return { name: String(resourceServer.name ?? ""), rs: resourceServer.identifier, scopes };
}

/**
 * A role or user can hold only a permission its API declares (Auth0: "Permissions are selected
 * from predefined values"). Guess: the status and wording of the refusal, and that the Management
 * API's own permissions are refused too (Auth0 keeps them for applications).
 */
function requireDeclared(tenant: TenantState, refs: readonly PermissionRef[]): void {
  for (const ref of refs) {
    const api = declared(tenant, ref.resource_server_identifier);
    if (api === undefined || tenant.resourceServerByIdentifier(ref.resource_server_identifier)?.is_system === true) {
      throw notFound(`Resource server not found: ${ref.resource_server_identifier}`, "inexistent_resource_server");
    }
    if (!api.scopes.has(ref.permission_name)) {
      throw badRequest(
        `Permission '${ref.permission_name}' does not exist on resource server '${ref.resource_server_identifier}'`,
        "invalid_body",
      );
    }
  }
}

/**
 * A permission as listed (`{permission_name, description, resource_server_name,
 * resource_server_identifier}`), or nothing when its API or the permission is gone: guess,
 * Auth0 drops a permission from roles and users when the API stops declaring it.
 */
function shown(tenant: TenantState, ref: PermissionRef): Record<string, string> | undefined {
  const api = declared(tenant, ref.resource_server_identifier);
  const description = api?.scopes.get(ref.permission_name);
  if (api === undefined || description === undefined) return undefined;
  return {
    permission_name: ref.permission_name,
    description,
    resource_server_name: api.name,
    resource_server_identifier: api.rs,
  };
}

const listQuery = z.strictObject({ ...offsetQuery });

/** The user's permissions on one API, directly and through roles: what RBAC puts in a token. */
export function userPermissionsOn(tenant: TenantState, userId: string, identifier: string): string[] {
  return tenant.authorization
    .effectivePermissions(userId)
    .filter(({ ref }) => ref.resource_server_identifier === identifier && shown(tenant, ref) !== undefined)
    .map(({ ref }) => ref.permission_name);
}

export const roleRoutes: Route[] = [
  route("GET", "/roles", ["read:roles"], ({ tenant, query }) => {
    const params = parseQuery(
      z.strictObject({
        ...offsetQuery,
        name_filter: z.string().optional(),
        // The SDK's (7.x) filters: tenant roles, or an organization's (this tenant, without organizations, has none).
        type: z.enum(["tenant", "organization"]).optional(),
        owner_id: z.string().optional(),
      }),
      query,
    );
    // Guess: Auth0's answer for type=organization without owner_id (the SDK says it is required).
    if (params.type === "organization" && params.owner_id === undefined) {
      throw badRequest("Query validation error: 'owner_id is required when type is organization'.", "invalid_query_string");
    }
    // Auth0: "Optional filter on name (case-insensitive)". Guess: a substring match.
    const filter = params.name_filter?.toLowerCase();
    const roles = [...tenant.authorization.roles.values()].filter(
      (role) => params.type !== "organization" && (filter === undefined || role.name.toLowerCase().includes(filter)),
    );
    return { status: 200, body: offsetPage(roles, "roles", params) };
  }),

  route("POST", "/roles", ["create:roles"], ({ tenant, body }) => {
    const input = parseBody(createBody, body);
    // Guess: role names are unique in a tenant (the Deploy CLI and the dashboard match roles by name).
    if (tenant.authorization.roleByName(input.name)) throw conflict("A role with this name already exists.", "role_conflict");
    const role: Role = { id: roleId(), name: input.name, ...(input.description === undefined ? {} : { description: input.description }) };
    tenant.authorization.roles.set(role.id, role);
    // Recorded: 200 (not 201), the role itself.
    return { status: 200, body: role };
  }),

  route("GET", "/roles/:id", ["read:roles"], ({ tenant, params }) => ({ status: 200, body: findRole(tenant, params.id ?? "") })),

  route("PATCH", "/roles/:id", ["update:roles"], ({ tenant, params, body }) => {
    const input = parseBody(updateBody, body);
    const role = findRole(tenant, params.id ?? "");
    const other = input.name === undefined ? undefined : tenant.authorization.roleByName(input.name);
    if (other !== undefined && other.id !== role.id) throw conflict("A role with this name already exists.", "role_conflict");
    if (input.name !== undefined) role.name = input.name;
    if (input.description !== undefined) role.description = input.description;
    return { status: 200, body: role };
  }),

  route("DELETE", "/roles/:id", ["delete:roles"], ({ tenant, params }) => {
    findRole(tenant, params.id ?? "");
    tenant.authorization.deleteRole(params.id ?? "");
    // Recorded: 200 with an empty object.
    return { status: 200, body: {} };
  }),

  route("GET", "/roles/:id/permissions", ["read:roles"], ({ tenant, params, query }) => {
    const paging = parseQuery(listQuery, query);
    findRole(tenant, params.id ?? "");
    const list = (tenant.authorization.rolePermissions.get(params.id ?? "") ?? []).flatMap((ref) => {
      const permission = shown(tenant, ref);
      return permission === undefined ? [] : [permission];
    });
    return { status: 200, body: offsetPage(list, "permissions", paging) };
  }),

  route("POST", "/roles/:id/permissions", ["update:roles"], ({ tenant, params, body }) => {
    const input = parseBody(permissionsBody, body);
    findRole(tenant, params.id ?? "");
    requireDeclared(tenant, input.permissions);
    tenant.authorization.addRolePermissions(params.id ?? "", input.permissions);
    // Documented 201; guess: the empty object recorded for a user's permissions.
    return { status: 201, body: {} };
  }),

  route("DELETE", "/roles/:id/permissions", ["update:roles"], ({ tenant, params, body }) => {
    const input = parseBody(permissionsBody, body);
    findRole(tenant, params.id ?? "");
    tenant.authorization.removeRolePermissions(params.id ?? "", input.permissions);
    // Guess: 204, as recorded for removing a user's permissions.
    return { status: 204 };
  }),

  route("GET", "/roles/:id/users", ["read:users", "read:roles", "read:role_members"], ({ tenant, params, query }) => {
    const paging = parseQuery(z.strictObject({ ...offsetQuery, ...checkpointQuery }), query);
    findRole(tenant, params.id ?? "");
    const members = tenant.authorization.membersOf(params.id ?? "").flatMap((id) => {
      const user = tenant.users.get(id);
      if (user === undefined) return [];
      const member: Record<string, unknown> = { user_id: user.user_id };
      for (const key of ["email", "picture", "name"] as const) if (user[key] !== undefined) member[key] = user[key];
      return [member];
    });
    return { status: 200, body: usesCheckpoints(paging) ? checkpointPage(members, "users", paging) : offsetPage(members, "users", paging) };
  }),

  route("POST", "/roles/:id/users", ["update:roles", "create:role_members"], ({ tenant, params, body }) => {
    const input = parseBody(usersBody, body);
    findRole(tenant, params.id ?? "");
    const users = input.users.map((id) => findUser(tenant, id).user_id);
    for (const userId of users) tenant.authorization.assign(userId, [params.id ?? ""]);
    // Guess: 200 with an empty object, as the SDK expects no body.
    return { status: 200, body: {} };
  }),

  route("GET", "/users/:id/roles", ["read:users", "read:roles", "read:role_members"], ({ tenant, params, query }) => {
    const paging = parseQuery(listQuery, query);
    const user = findUser(tenant, params.id ?? "");
    // Recorded: `{roles, start, limit, total}` with include_totals.
    return { status: 200, body: offsetPage(tenant.authorization.rolesOf(user.user_id), "roles", paging) };
  }),

  route("POST", "/users/:id/roles", ["update:users", "create:role_members"], ({ tenant, params, body }) => {
    const input = parseBody(rolesBody, body);
    const user = findUser(tenant, params.id ?? "");
    for (const id of input.roles) findRole(tenant, id);
    tenant.authorization.assign(user.user_id, input.roles);
    return { status: 204 }; // recorded
  }),

  route("DELETE", "/users/:id/roles", ["update:users", "delete:role_members"], ({ tenant, params, body }) => {
    const input = parseBody(rolesBody, body);
    const user = findUser(tenant, params.id ?? "");
    tenant.authorization.unassign(user.user_id, input.roles);
    return { status: 204 }; // recorded
  }),

  route("GET", "/users/:id/permissions", ["read:users"], ({ tenant, params, query }) => {
    const paging = parseQuery(listQuery, query);
    const user = findUser(tenant, params.id ?? "");
    const list = tenant.authorization.effectivePermissions(user.user_id).flatMap(({ ref, sources }) => {
      const permission = shown(tenant, ref);
      // Recorded: each permission says where it comes from (`sources`).
      return permission === undefined ? [] : [{ ...permission, sources }];
    });
    return { status: 200, body: offsetPage(list, "permissions", paging) };
  }),

  route("POST", "/users/:id/permissions", ["update:users"], ({ tenant, params, body }) => {
    const input = parseBody(permissionsBody, body);
    const user = findUser(tenant, params.id ?? "");
    requireDeclared(tenant, input.permissions);
    tenant.authorization.addUserPermissions(user.user_id, input.permissions);
    return { status: 201, body: {} }; // recorded
  }),

  route("DELETE", "/users/:id/permissions", ["update:users"], ({ tenant, params, body }) => {
    const input = parseBody(permissionsBody, body);
    const user = findUser(tenant, params.id ?? "");
    tenant.authorization.removeUserPermissions(user.user_id, input.permissions);
    return { status: 204 }; // recorded
  }),
];
