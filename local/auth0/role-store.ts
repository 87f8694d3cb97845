import type { JsonObject } from "./validation.js";

// Auth0's roles (its "Authorization Core"): a role is a named set of an API's permissions,
// assigned to users; a user may also hold permissions directly. Kept apart from the rest of
// the tenant's state because the relations (role → permissions, user → roles, user →
// permissions) are not documents Auth0 answers as stored: every list is built on read.

/** A role as Auth0 answers it (recorded: `{id, name, description}`). */
export type Role = JsonObject & { id: string; name: string; description?: string };

/** One permission: an API's permission named by the API's identifier (Auth0's request shape). */
export interface PermissionRef {
  readonly resource_server_identifier: string;
  readonly permission_name: string;
}

/** What the local tenant's file keeps of the roles between starts. */
export interface SavedRoles {
  readonly roles: readonly Role[];
  readonly rolePermissions: readonly (readonly [string, readonly PermissionRef[]])[];
  readonly userRoles: readonly (readonly [string, readonly string[]])[];
  readonly userPermissions: readonly (readonly [string, readonly PermissionRef[]])[];
}

const sameRef = (a: PermissionRef, b: PermissionRef): boolean =>
  a.resource_server_identifier === b.resource_server_identifier && a.permission_name === b.permission_name;

/** Adds what is not there yet; Auth0 answers success for a permission already held (guess: no error, no duplicate). */
function addRefs(list: PermissionRef[], refs: readonly PermissionRef[]): void {
  for (const ref of refs) if (!list.some((held) => sameRef(held, ref))) list.push({ ...ref });
}

const removeRefs = (list: readonly PermissionRef[], refs: readonly PermissionRef[]): PermissionRef[] =>
  list.filter((held) => !refs.some((ref) => sameRef(held, ref)));

export class RoleStore {
  readonly roles = new Map<string, Role>();
  /** Permissions per role id, in the order they were added. */
  readonly rolePermissions = new Map<string, PermissionRef[]>();
  /** Role ids per user id, in the order they were assigned. */
  readonly userRoles = new Map<string, string[]>();
  /** Permissions assigned to a user directly, per user id. */
  readonly userPermissions = new Map<string, PermissionRef[]>();

  clear(): void {
    this.roles.clear();
    this.rolePermissions.clear();
    this.userRoles.clear();
    this.userPermissions.clear();
  }

  saved(): SavedRoles {
    return {
      roles: [...this.roles.values()],
      rolePermissions: [...this.rolePermissions],
      userRoles: [...this.userRoles],
      userPermissions: [...this.userPermissions],
    };
  }

  restore(saved: SavedRoles | undefined): void {
    this.clear();
    if (saved === undefined) return; // a tenant file written before roles were modelled
    for (const role of saved.roles) this.roles.set(role.id, role);
    for (const [id, refs] of saved.rolePermissions) this.rolePermissions.set(id, [...refs]);
    for (const [id, roles] of saved.userRoles) this.userRoles.set(id, [...roles]);
    for (const [id, refs] of saved.userPermissions) this.userPermissions.set(id, [...refs]);
  }

  roleByName(name: string): Role | undefined {
    // Guess: Auth0 compares role names as sent (case-sensitive).
    for (const role of this.roles.values()) if (role.name === name) return role;
    return undefined;
  }

  addRolePermissions(roleId: string, refs: readonly PermissionRef[]): void {
    const list = this.rolePermissions.get(roleId) ?? [];
    addRefs(list, refs);
    this.rolePermissions.set(roleId, list);
  }

  removeRolePermissions(roleId: string, refs: readonly PermissionRef[]): void {
    this.rolePermissions.set(roleId, removeRefs(this.rolePermissions.get(roleId) ?? [], refs));
  }

  assign(userId: string, roleIds: readonly string[]): void {
    const held = this.userRoles.get(userId) ?? [];
    for (const id of roleIds) if (!held.includes(id)) held.push(id);
    this.userRoles.set(userId, held);
  }

  unassign(userId: string, roleIds: readonly string[]): void {
    this.userRoles.set(
      userId,
      (this.userRoles.get(userId) ?? []).filter((id) => !roleIds.includes(id)),
    );
  }

  addUserPermissions(userId: string, refs: readonly PermissionRef[]): void {
    const list = this.userPermissions.get(userId) ?? [];
    addRefs(list, refs);
    this.userPermissions.set(userId, list);
  }

  removeUserPermissions(userId: string, refs: readonly PermissionRef[]): void {
    this.userPermissions.set(userId, removeRefs(this.userPermissions.get(userId) ?? [], refs));
  }

  /** Auth0 documents that deleting a role removes it from every user who held it. */
  deleteRole(roleId: string): void {
    this.roles.delete(roleId);
    this.rolePermissions.delete(roleId);
    for (const [userId, roles] of this.userRoles)
      this.userRoles.set(
        userId,
        roles.filter((id) => id !== roleId),
      );
  }

  /** A deleted user's assignments go with it (a new user never inherits them). */
  forgetUser(userId: string): void {
    this.userRoles.delete(userId);
    this.userPermissions.delete(userId);
  }

  /** The roles assigned to a user, by name (recorded: Auth0 lists them so, not in assignment order). */
  rolesOf(userId: string): Role[] {
    return (this.userRoles.get(userId) ?? [])
      .flatMap((id) => {
        const role = this.roles.get(id);
        return role === undefined ? [] : [role];
      })
      .sort(byName);
  }

  /** The users holding a role. */
  membersOf(roleId: string): string[] {
    return [...this.userRoles].filter(([, roles]) => roles.includes(roleId)).map(([userId]) => userId);
  }

  /**
   * Every permission a user holds and where it comes from: directly, and through each role.
   * Auth0's `sources` lists each; a direct one has empty id and name (recorded).
   */
  effectivePermissions(
    userId: string,
  ): { ref: PermissionRef; sources: { source_id: string; source_name: string; source_type: string }[] }[] {
    const found: { ref: PermissionRef; sources: { source_id: string; source_name: string; source_type: string }[] }[] = [];
    const add = (ref: PermissionRef, source: { source_id: string; source_name: string; source_type: string }) => {
      const entry = found.find((item) => sameRef(item.ref, ref));
      if (entry === undefined) found.push({ ref, sources: [source] });
      else entry.sources.push(source);
    };
    for (const ref of this.userPermissions.get(userId) ?? []) add(ref, { source_id: "", source_name: "", source_type: "DIRECT" });
    for (const role of this.rolesOf(userId)) {
      for (const ref of this.rolePermissions.get(role.id) ?? [])
        add(ref, { source_id: role.id, source_name: role.name, source_type: "ROLE" });
    }
    // Recorded: a user's permissions are listed by name, not in the order they were given.
    return found.sort((a, b) => byRef(a.ref, b.ref));
  }
}

const compare = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
const byName = (a: Role, b: Role): number => compare(a.name, b.name);
/** Guess beyond the recordings (one API each): by API identifier, then permission name. */
export const byRef = (a: PermissionRef, b: PermissionRef): number =>
  compare(a.resource_server_identifier, b.resource_server_identifier) || compare(a.permission_name, b.permission_name);

/**
 * The Management API permissions of roles, as Auth0's API reference lists them per endpoint:
 * roles themselves (`*:roles`) and their members (`*:role_members`).
 */
export const ROLE_SCOPES = [
  "read:roles",
  "create:roles",
  "update:roles",
  "delete:roles",
  "read:role_members",
  "create:role_members",
  "delete:role_members",
] as const;
