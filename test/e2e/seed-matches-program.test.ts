import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadTenantSpec } from "../../infra/config/load";
import { declareTimesheetsTenant } from "../../infra/program";
import type { TenantSpec } from "../../infra/config/spec";
import { engineConfigFor, listStacks } from "../../stacks/stack-config";
import { type Auth0StandIn } from "../../local/auth0";
import { startAuth0StandIn } from "../support/stand-in";
import { runProgram, secretInput, type RegisteredResource } from "../support/pulumi-program";
import { seedTenant } from "./audit-seed";

// The tests' one seed is the program's tenant: for every stack, what the program declares under
// mocks (each Auth0 object, each of its inputs) is what the seed leaves in the stand-in, and the
// seed leaves nothing the program does not declare. A property the program starts to set, or an
// object it starts to create, fails here until the seed does the same.

type Json = Record<string, unknown>;

const snake = (key: string): string => key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

/** An input as Auth0 holds it: keys in snake_case, except where Auth0 keeps the provider's camelCase. */
function asAuth0(value: unknown, keep: readonly string[] = []): unknown {
  if (Array.isArray(value)) return value.map((item) => asAuth0(item, keep));
  if (value === null || typeof value !== "object") return value;
  return Object.fromEntries(
    Object.entries(value as Json).map(([key, inner]) => [keep.includes(key) ? key : snake(key), asAuth0(inner, keep)]),
  );
}

const T = {
  resourceServer: "auth0:index/resourceServer:ResourceServer",
  scopes: "auth0:index/resourceServerScopes:ResourceServerScopes",
  client: "auth0:index/client:Client",
  credentials: "auth0:index/clientCredentials:ClientCredentials",
  grant: "auth0:index/clientGrant:ClientGrant",
  connection: "auth0:index/connection:Connection",
  enabledClients: "auth0:index/connectionClients:ConnectionClients",
  user: "auth0:index/user:User",
  role: "auth0:index/role:Role",
  rolePermissions: "auth0:index/rolePermissions:RolePermissions",
  userRoles: "auth0:index/userRoles:UserRoles",
};

interface Compared {
  /** The stack, or the stack and the variant of its config. */
  readonly stack: string;
  readonly resources: RegisteredResource[];
  readonly standIn: Auth0StandIn;
}

const compared: Compared[] = [];

/** Every stack as committed, and dev with RBAC (the test user's role, which no stack file declares yet). */
const variants = (): { name: string; stack: string; config: Record<string, string> }[] => [
  ...listStacks().map((stack) => ({ name: stack, stack, config: engineConfigFor(stack) })),
  { name: "dev with rbac", stack: "dev", config: { ...engineConfigFor("dev"), "timesheets:rbac": "true" } },
];

beforeAll(async () => {
  for (const { name, stack, config } of variants()) {
    let spec: TenantSpec | undefined;
    const program = await runProgram(stack, config, () => {
      spec = loadTenantSpec();
      declareTimesheetsTenant(spec);
    });
    if (spec === undefined) throw new Error(`${name}: the program built no spec`);
    const standIn = await startAuth0StandIn({ domain: spec.tenant.domain });
    await seedTenant(standIn, spec);
    compared.push({ stack: name, resources: program.resources, standIn });
  }
});
afterAll(async () => Promise.all(compared.map(({ standIn }) => standIn.close())));

function partition<T>(items: readonly T[], test: (item: T) => boolean): [T[], T[]] {
  return [items.filter(test), items.filter((item) => !test(item))];
}

/** The mock's client id for a Client resource (`<name>-client-id`) → that client's name. */
function clientNames(resources: RegisteredResource[]): Map<string, string> {
  return new Map(resources.filter((r) => r.type === T.client).map((r) => [`${r.name}-client-id`, String(r.inputs.name)]));
}

describe("the seed leaves each stack's tenant exactly as the program does", () => {
  for (const { name: stack } of variants()) {
    it(`${stack}: every object the program declares, with every input, and nothing else`, () => {
      const found = compared.find((c) => c.stack === stack);
      if (found === undefined) throw new Error(`${stack} was not seeded`);
      const { resources, standIn } = found;
      const tenant = standIn.tenant;
      const of = (type: string) => resources.filter((r) => r.type === type);
      const names = clientNames(resources);
      const clientByName = (name: string) => [...tenant.clients.values()].filter((c) => c.name === name);

      // The API and its permissions.
      const apis = [...tenant.resourceServers.values()].filter((rs) => rs.is_system !== true);
      expect(apis).toHaveLength(of(T.resourceServer).length);
      for (const declared of of(T.resourceServer)) {
        const live = tenant.resourceServerByIdentifier(String(declared.inputs.identifier));
        expect(live).toMatchObject(asAuth0(declared.inputs) as Json);
      }
      for (const declared of of(T.scopes)) {
        const live = tenant.resourceServerByIdentifier(String(declared.inputs.resourceServerIdentifier));
        const scopes = (declared.inputs.scopes as Array<{ name: string; description: string }>).map((s) => ({
          value: s.name,
          description: s.description,
        }));
        expect(live?.scopes).toEqual(scopes);
      }

      // Clients: the tenant's global client, which every tenant has and the program never declares,
      // then the program's, each with every input, and their authentication method. (The stand-in's
      // own management clients, made by tests for the auditor, are made after the seed.)
      const [globalClients, clients] = partition([...tenant.clients.values()], (c) => c.global === true);
      expect(globalClients.map((c) => c.name)).toEqual(["All Applications"]);
      expect(clients.map((c) => c.name).sort()).toEqual(
        of(T.client)
          .map((r) => String(r.inputs.name))
          .sort(),
      );
      for (const declared of of(T.client)) {
        const live = clientByName(String(declared.inputs.name));
        expect(live).toHaveLength(1);
        expect(live[0]).toMatchObject(asAuth0(declared.inputs) as Json);
      }
      for (const declared of of(T.credentials)) {
        const live = clientByName(names.get(String(declared.inputs.clientId)) ?? "")[0];
        expect(live?.token_endpoint_auth_method).toBe(declared.inputs.authenticationMethod);
      }

      // Grants: one for each the program declares, on the same client and audience, with its scopes and subject type.
      expect(tenant.clientGrants.size).toBe(of(T.grant).length);
      for (const declared of of(T.grant)) {
        const client = clientByName(names.get(String(declared.inputs.clientId)) ?? "")[0];
        const live = [...tenant.clientGrants.values()].find(
          (g) => g.client_id === client?.client_id && g.audience === declared.inputs.audience,
        );
        expect(live).toMatchObject({ scope: declared.inputs.scopes, subject_type: declared.inputs.subjectType });
      }

      // The user store (beside the tenant's default database), its clients, and the test user.
      const connections = [...tenant.connections.values()].filter((c) => c.name !== "Username-Password-Authentication");
      expect(connections).toHaveLength(of(T.connection).length);
      for (const declared of of(T.connection)) {
        const live = connections.find((c) => c.name === declared.inputs.name);
        // Auth0 keeps the legacy `passwordPolicy` under its provider name.
        expect(live).toMatchObject(asAuth0(declared.inputs, ["passwordPolicy"]) as Json);
      }
      for (const declared of of(T.enabledClients)) {
        const expected = (declared.inputs.enabledClients as string[]).map((id) => names.get(id)).sort();
        const enabled = connections.flatMap((c) => c.enabled_clients).map((id) => tenant.clients.get(id)?.name);
        expect(enabled.sort()).toEqual(expected);
      }
      expect([...tenant.users.values()]).toHaveLength(of(T.user).length);
      for (const declared of of(T.user)) {
        const live = [...tenant.users.values()].find((u) => u.email === declared.inputs.email);
        // Every input Auth0 keeps on the user; the password is write-only, verifyEmail an instruction at creation.
        const { password: _password, verifyEmail: _verify, connectionName: _connection, ...kept } = declared.inputs;
        expect(live).toMatchObject(asAuth0(kept) as Json);
        expect(live?.identities.map((identity) => identity.connection)).toEqual([declared.inputs.connectionName]);
        // The password is the program's own (generated or from config): the seed sets one the tests know.
        expect(secretInput(declared.inputs.password).secret).toBe(true);
      }

      // The test user's role (RBAC): the role with its inputs, exactly its permissions, assigned to the test user and to no one else.
      const roles = [...tenant.authorization.roles.values()];
      expect(roles).toHaveLength(of(T.role).length);
      for (const declared of of(T.role)) {
        const live = roles.find((role) => role.name === declared.inputs.name);
        expect(live).toMatchObject(asAuth0(declared.inputs) as Json);
      }
      for (const declared of of(T.rolePermissions)) {
        const role = roles[0];
        const held = tenant.authorization.rolePermissions.get(role?.id ?? "") ?? [];
        const expected = asAuth0(declared.inputs.permissions) as Json[];
        expect([...held].sort((a, b) => a.permission_name.localeCompare(b.permission_name))).toEqual(
          [...expected]
            .sort((a, b) => String(a.name).localeCompare(String(b.name)))
            .map((p) => ({
              resource_server_identifier: p.resource_server_identifier,
              permission_name: p.name,
            })),
        );
      }
      const assignments = [...tenant.authorization.userRoles].filter(([, held]) => held.length > 0);
      expect(assignments).toHaveLength(of(T.userRoles).length);
      for (const declared of of(T.userRoles)) {
        expect((declared.inputs.roles as unknown[]).length).toBe(1);
        const testUser = of(T.user)[0];
        const live = [...tenant.users.values()].find((u) => u.email === testUser?.inputs.email);
        expect(tenant.authorization.rolesOf(live?.user_id ?? "").map((role) => role.name)).toEqual(of(T.role).map((r) => r.inputs.name));
      }
    });
  }
});
