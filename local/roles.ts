import type { Auth0StandIn, TenantState } from "./auth0";

/*
 * The three applications of the README's "Credentials" section, as a new local tenant holds
 * them: machine-to-machine applications granted on the Management API with exactly these
 * scopes (test/unit/local-roles.test.ts holds these lists and the README together).
 */

/** `npm run up`: creates, changes and deletes what the program declares. */
export const DEPLOYER_SCOPES = [
  "read:resource_servers",
  "create:resource_servers",
  "update:resource_servers",
  "delete:resource_servers",
  "read:clients",
  "create:clients",
  "update:clients",
  "delete:clients",
  "read:client_keys",
  "update:client_keys",
  "read:client_credentials",
  "create:client_credentials",
  "update:client_credentials",
  "delete:client_credentials",
  "read:client_grants",
  "create:client_grants",
  "update:client_grants",
  "delete:client_grants",
  "read:connections",
  "create:connections",
  "update:connections",
  "delete:connections",
  "read:users",
  "create:users",
  "update:users",
  "delete:users",
  // For stacks with `rbac: true` and a test user: the role, its permissions, the assignment.
  "read:roles",
  "create:roles",
  "update:roles",
  "delete:roles",
  "read:role_members",
  "create:role_members",
  "delete:role_members",
] as const;

/** `npm run preview`, pull requests' previews, `npm run drift`: read-only, never a secret. */
export const PREVIEWER_SCOPES = [
  "read:resource_servers",
  "read:clients",
  "read:client_grants",
  "read:connections",
  "read:users",
  "read:roles",
  "read:role_members",
] as const;

/** `npm run audit`, `npm run adopt`: read-only, its own application so that either can be revoked alone. */
export const AUDITOR_SCOPES = [
  "read:resource_servers",
  "read:clients",
  "read:client_grants",
  "read:connections",
  "read:users",
  // The test user's role (stacks with `rbac: true` and a test user): the role and its
  // permissions need read:roles; a user's roles, any of read:users, read:roles, read:role_members
  // as Auth0's reference lists them (which one suffices is not verified, so the previewer's pair).
  "read:roles",
  "read:role_members",
] as const;

export const ROLES = {
  deployer: { name: "Timesheets Deployer", scopes: DEPLOYER_SCOPES },
  previewer: { name: "Timesheets Previewer", scopes: PREVIEWER_SCOPES },
  auditor: { name: "Timesheets Auditor", scopes: AUDITOR_SCOPES },
} as const;

export type Role = keyof typeof ROLES;
export const ROLE_NAMES = Object.keys(ROLES) as Role[];

export interface RoleCredentials {
  readonly clientId: string;
  readonly clientSecret: string;
}

/** Creates the three applications and their grants, each once: a tenant that has one keeps it. */
export async function seedRoles(standIn: Auth0StandIn): Promise<void> {
  for (const role of ROLE_NAMES) {
    if (roleCredentials(standIn.tenant, role) !== undefined) continue;
    const client = await standIn.createClient({ name: ROLES[role].name, app_type: "non_interactive", grant_types: ["client_credentials"] });
    await standIn.createClientGrant({ client_id: client.client_id, audience: standIn.managementAudience, scope: [...ROLES[role].scopes] });
  }
}

/** The role's application in the local tenant, found by its name; undefined where it has been deleted. */
export function roleCredentials(tenant: TenantState, role: Role): RoleCredentials | undefined {
  for (const client of tenant.clients.values()) {
    if (client.name === ROLES[role].name && typeof client.client_secret === "string")
      return { clientId: client.client_id, clientSecret: client.client_secret };
  }
  return undefined;
}
