import * as auth0 from "@pulumi/auth0";
import * as pulumi from "@pulumi/pulumi";
import type { TestUserRoleSpec } from "../config/spec";

export interface TestUserRoleArgs {
  readonly role: TestUserRoleSpec;
  /** The API's identifier as an output, so the role's permissions wait for the API. */
  readonly audience: pulumi.Input<string>;
  /** The API's permission set: a role can hold only permissions the API declares. */
  readonly apiPermissions: pulumi.Resource;
  readonly user: auth0.User;
}

/** The role's permissions on the API, one entry per permission. */
export function rolePermissionsArgs(
  role: TestUserRoleSpec,
  roleId: pulumi.Input<string>,
  audience: pulumi.Input<string>,
): auth0.RolePermissionsArgs {
  return { roleId, permissions: role.permissions.map((name) => ({ name, resourceServerIdentifier: audience })) };
}

/**
 * With RBAC, Auth0 puts in a user's token only what the user's roles hold (and the
 * application's user grant allows). This role holds the test user's permissions and is the
 * test user's only role: both lists are authoritative, so nothing added by hand survives an update.
 */
export class TestUserRole extends pulumi.ComponentResource {
  readonly role: auth0.Role;
  readonly permissions: auth0.RolePermissions;
  readonly assignment: auth0.UserRoles;

  constructor(name: string, args: TestUserRoleArgs, opts?: pulumi.ComponentResourceOptions) {
    super("timesheets:auth0:TestUserRole", name, {}, opts);

    this.role = new auth0.Role(`${name}-role`, { name: args.role.name, description: args.role.description }, { parent: this });
    this.permissions = new auth0.RolePermissions(`${name}-permissions`, rolePermissionsArgs(args.role, this.role.id, args.audience), {
      parent: this,
      dependsOn: [args.apiPermissions],
    });
    this.assignment = new auth0.UserRoles(`${name}-assignment`, { userId: args.user.id, roles: [this.role.id] }, { parent: this });

    this.registerOutputs({ roleId: this.role.id });
  }
}
