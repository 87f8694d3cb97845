import { copyFileSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { parse, stringify } from "yaml";
import type { PasswordOptionsSpec } from "../../infra/config/password-options";
import type { UserApplicationSpec } from "../../infra/auth0/integration-test-app";
import type { ClientSettingsSpec, TenantSpec } from "../../infra/config/spec";
import { main } from "../../stacks/audit/main";
import type { Clock } from "../../stacks/auth0/clock";
import { REPO_ROOT, stackFilePath } from "../../stacks/stack-config";
import type { StackAudit } from "../../stacks/audit/report";
import type { Auth0StandIn, ManagementScope } from "../../local/auth0";
import { AUDITOR_SCOPES } from "../../local/roles";

/** The auditor's minimal grant: read-only, one scope per kind of object the audit reads (local/roles.ts, the documented list). */
export { AUDITOR_SCOPES };

/** The Management API of a stand-in, with every permission: how a test changes the tenant as an operator (or the provider) would. */
export function managementApi(standIn: Auth0StandIn) {
  return async (method: string, path: string, body?: unknown): Promise<unknown> => {
    const token = await standIn.managementToken();
    const response = await standIn.fetch(`https://${standIn.domain}/api/v2${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${text}`);
    return text === "" ? undefined : (JSON.parse(text) as unknown);
  };
}

/** The seeded test user's password. */
export const TEST_USER_PASSWORD = "Correct-Horse-Battery-42!";

export interface SeededTenant {
  readonly resourceServerId: string;
  readonly importJobClientId: string;
  readonly importJobGrantId: string;
  readonly connectionId: string;
  /** The integration-test application and its user grant; undefined where the stack has no test user. */
  readonly testApp: { readonly clientId: string; readonly clientSecret: string; readonly grantId: string } | undefined;
  /** The developer portal's application and its user grant; undefined where the stack has no developer portal. */
  readonly portalApp: { readonly clientId: string; readonly clientSecret: string; readonly grantId: string } | undefined;
  /** The test user's role and the test user it is assigned to; undefined without RBAC or a test user. */
  readonly testUserRole: { readonly roleId: string; readonly userId: string } | undefined;
}

/**
 * One create of the program, as the Auth0 provider sends it: the resource (its name in the
 * program, its type, the inputs that make it unique in the tenant, as Pulumi records them) and
 * the calls that make it, given the ids of the creates before it.
 */
export interface SeedStep {
  readonly name: string;
  readonly type: string;
  readonly inputs: Readonly<Record<string, string>>;
  /** Makes the object; `ids` holds the id of every step before it, by name. */
  readonly create: (ids: ReadonlyMap<string, string>) => Promise<string>;
}

/**
 * The creates of `seedTenant`, in the order the program's dependencies allow: a test that plays
 * an interrupted deploy stops between any two, or runs only those its state lacks.
 */
export function seedSteps(standIn: Auth0StandIn, spec: TenantSpec): SeedStep[] {
  const { api, importJob, connection, testUser } = spec;
  const id = (ids: ReadonlyMap<string, string>, name: string): string => {
    const found = ids.get(name);
    if (found === undefined) throw new Error(`${name} is not created yet`);
    return found;
  };
  const application = testUser?.application;
  const steps: SeedStep[] = [
    {
      name: "timesheets-api-resource-server",
      type: "auth0:index/resourceServer:ResourceServer",
      inputs: { identifier: api.identifier },
      create: async () =>
        (
          await standIn.createResourceServer({
            name: api.name,
            identifier: api.identifier,
            signing_alg: api.signingAlg,
            token_dialect: api.tokenDialect,
            token_lifetime: api.tokenLifetime,
            allow_offline_access: api.allowOfflineAccess,
            enforce_policies: api.enforcePolicies,
            subject_type_authorization: {
              client: { policy: api.clientPolicy },
              ...(api.userPolicy === undefined ? {} : { user: { policy: api.userPolicy } }),
            },
            scopes: api.permissions.map((p) => ({ value: p.name, description: p.description })),
          })
        ).id,
    },
    {
      name: "import-job-client",
      type: "auth0:index/client:Client",
      inputs: { name: importJob.name, appType: importJob.appType },
      create: async () =>
        (
          await standIn.createClient({
            ...clientDocument(importJob),
            // What the provider's client-credentials resource sets; a stack with private_key_jwt is not seeded here.
            token_endpoint_auth_method:
              importJob.authentication.method === "private_key_jwt" ? "client_secret_post" : importJob.authentication.method,
          })
        ).client_id,
    },
    {
      name: "import-job-grant",
      type: "auth0:index/clientGrant:ClientGrant",
      inputs: { audience: importJob.grant.audience, subjectType: importJob.grant.subjectType },
      create: async (ids) =>
        (
          await standIn.createClientGrant({
            client_id: id(ids, "import-job-client"),
            audience: importJob.grant.audience,
            scope: [...importJob.grant.scopes],
            subject_type: importJob.grant.subjectType,
          })
        ).id,
    },
  ];
  // The applications people sign in through (the program's UserApplication): the test user's, the developer portal's.
  const userApplications = [
    { name: "integration-test", application },
    { name: "developer-portal", application: spec.gateway?.developerPortal?.application },
  ].flatMap((app) => (app.application === undefined ? [] : [{ name: app.name, application: app.application }]));
  for (const app of userApplications) steps.push(...userApplicationSteps(standIn, app.name, app.application));
  steps.push({
    name: "user-store-connection",
    type: "auth0:index/connection:Connection",
    inputs: { name: connection.name },
    create: async (ids) =>
      (
        await standIn.createConnection({
          name: connection.name,
          strategy: connection.strategy,
          options: {
            ...(connection.passwordPolicy !== undefined && { passwordPolicy: connection.passwordPolicy }),
            ...(connection.passwordOptions !== undefined && { password_options: auth0PasswordOptions(connection.passwordOptions) }),
            brute_force_protection: connection.bruteForceProtection,
            disable_signup: connection.disableSignup,
          },
          enabled_clients: [id(ids, "import-job-client"), ...userApplications.map((app) => id(ids, `${app.name}-client`))],
        })
      ).id,
  });
  if (testUser !== undefined) {
    steps.push({
      name: "user-store-test-user",
      type: "auth0:index/user:User",
      inputs: { email: testUser.email, connectionName: connection.name },
      create: async () =>
        (
          await standIn.createUser({
            connection: connection.name,
            email: testUser.email,
            name: testUser.name,
            password: TEST_USER_PASSWORD,
            email_verified: true,
          })
        ).user_id,
    });
    const role = testUser.role;
    if (role !== undefined) {
      steps.push({
        name: "test-user-role-role",
        type: "auth0:index/role:Role",
        inputs: { name: role.name },
        create: async (ids) => {
          const management = managementApi(standIn);
          const created = (await management("POST", "/roles", { name: role.name, description: role.description })) as { id: string };
          await management("POST", `/roles/${created.id}/permissions`, {
            permissions: role.permissions.map((name) => ({ resource_server_identifier: api.identifier, permission_name: name })),
          });
          await management("POST", `/users/${encodeURIComponent(id(ids, "user-store-test-user"))}/roles`, { roles: [created.id] });
          return created.id;
        },
      });
    }
  }
  return steps;
}

/** The creates of an application people sign in through and of its user grant on the API, named as the program names them. */
function userApplicationSteps(standIn: Auth0StandIn, name: string, application: UserApplicationSpec): SeedStep[] {
  return [
    {
      name: `${name}-client`,
      type: "auth0:index/client:Client",
      inputs: { name: application.name, appType: application.appType },
      create: async () => {
        const app = await standIn.createClient({ ...clientDocument(application), token_endpoint_auth_method: application.authMethod });
        appSecrets.set(app.client_id, app.client_secret);
        return app.client_id;
      },
    },
    {
      name: `${name}-grant`,
      type: "auth0:index/clientGrant:ClientGrant",
      inputs: { audience: application.grant.audience, subjectType: application.grant.subjectType },
      create: async (ids) => {
        const clientId = ids.get(`${name}-client`);
        if (clientId === undefined) throw new Error(`${name}-client is not created yet`);
        return (
          await standIn.createClientGrant({
            client_id: clientId,
            audience: application.grant.audience,
            scope: [...application.grant.scopes],
            subject_type: application.grant.subjectType,
          })
        ).id;
      },
    },
  ];
}

/** The secrets of the applications people sign in through that the steps created, by client id (Auth0 shows a secret once). */
const appSecrets = new Map<string, string>();

/**
 * Puts in the stand-in exactly what the program declares for `spec`, as the Auth0 provider
 * sends it: the API (with its user access policy where the stack sets one), the import job and
 * its grant, the user store with its enabled clients and, where the stack has a test user, the
 * integration-test application, its user grant and the test user, and with RBAC the test user's
 * role, its permissions and its assignment (the calls the provider's Role, RolePermissions and
 * UserRoles send). A test holds this to the
 * program's resources under mocks (test/e2e/seed-matches-program.test.ts).
 */
export async function seedTenant(standIn: Auth0StandIn, spec: TenantSpec): Promise<SeededTenant> {
  const ids = new Map<string, string>();
  for (const step of seedSteps(standIn, spec)) ids.set(step.name, await step.create(ids));
  const need = (name: string): string => ids.get(name) as string;
  const seededApp = (name: string): SeededTenant["testApp"] => {
    const clientId = ids.get(`${name}-client`);
    return clientId === undefined
      ? undefined
      : { clientId, clientSecret: appSecrets.get(clientId) as string, grantId: need(`${name}-grant`) };
  };
  const roleId = ids.get("test-user-role-role");
  return {
    resourceServerId: need("timesheets-api-resource-server"),
    importJobClientId: need("import-job-client"),
    importJobGrantId: need("import-job-grant"),
    connectionId: need("user-store-connection"),
    testApp: seededApp("integration-test"),
    portalApp: seededApp("developer-portal"),
    testUserRole: roleId === undefined ? undefined : { roleId, userId: need("user-store-test-user") },
  };
}

/** A client's declared settings as Auth0 holds them. */
function clientDocument(client: ClientSettingsSpec & { readonly name: string; readonly description: string }): Record<string, unknown> {
  return {
    name: client.name,
    description: client.description,
    app_type: client.appType,
    grant_types: [...client.grantTypes],
    is_first_party: client.isFirstParty,
    oidc_conformant: client.oidcConformant,
    jwt_configuration: { alg: client.jwtAlg },
    callbacks: [...client.callbacks],
    allowed_origins: [...client.allowedOrigins],
    web_origins: [...client.webOrigins],
    allowed_logout_urls: [...client.allowedLogoutUrls],
  };
}

/** Password options as Auth0 holds them (`options.password_options`). */
export function auth0PasswordOptions(options: PasswordOptionsSpec): Record<string, unknown> {
  return {
    complexity: {
      min_length: options.minLength,
      character_types: [...options.characterTypes],
      character_type_rule: options.characterTypeRule,
      identical_characters: options.identicalCharacters,
      sequential_characters: options.sequentialCharacters,
    },
    history: { active: options.historySize > 0, size: options.historySize },
    dictionary: { active: options.dictionary },
    profile_data: { active: options.profileData },
  };
}

/** Environment for the audit CLI: the auditor's own client, with only the given scopes. */
export async function auditorEnv(
  standIn: Auth0StandIn,
  scopes: readonly ManagementScope[] = AUDITOR_SCOPES,
): Promise<Record<string, string>> {
  const auditor = await standIn.createManagementClient({ scopes, name: "Drift Auditor" });
  return { AUTH0_DOMAIN: standIn.domain, AUTH0_CLIENT_ID: auditor.clientId, AUTH0_CLIENT_SECRET: auditor.clientSecret };
}

export interface AuditRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the audit CLI in-process, as `npm run audit -- <args>` would, with the stand-in's fetch. */
export async function runAudit(
  args: readonly string[],
  env: Record<string, string>,
  fetch: typeof globalThis.fetch,
  clock?: Clock,
  /** Where the stack files are: a test's own variant of a stack; the repository when absent. */
  root?: string,
): Promise<AuditRun> {
  let stdout = "";
  let stderr = "";
  const code = await main(args, env, {
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text) },
    fetch,
    clock,
    root,
  });
  return { code, stdout, stderr };
}

/** The JSON report of a run made with `--format json`. */
export function jsonReport(run: AuditRun): { exitCode: number; stacks: StackAudit[] } {
  return JSON.parse(run.stdout) as { exitCode: number; stacks: StackAudit[] };
}

/** One fetch for several stand-ins: each `https://DOMAIN/...` goes to the stand-in for that tenant. */
export function tenantsFetch(standIns: readonly Auth0StandIn[]): typeof globalThis.fetch {
  const byHost = new Map(standIns.map((standIn) => [standIn.domain.toLowerCase(), standIn.fetch]));
  return (input, init) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    const route = byHost.get(url.host.toLowerCase());
    if (route === undefined) return Promise.reject(new Error(`no stand-in for ${url.host}`));
    return route(input, init);
  };
}

/**
 * This repository's stack files in a folder of their own, with dev's RBAC turned on: a stack
 * with RBAC and a test user (the test user's role), which no stack file declares yet. Commands
 * take the folder as their `root`.
 */
export function rbacDevRoot(): string {
  const root = mkdtempSync(path.join(tmpdir(), "rbac-dev-"));
  for (const file of readdirSync(REPO_ROOT).filter((name) => /^Pulumi(\..+)?\.yaml$/.test(name))) {
    copyFileSync(path.join(REPO_ROOT, file), path.join(root, file));
  }
  const dev = parse(readFileSync(stackFilePath("dev"), "utf8")) as { config: Record<string, unknown> };
  dev.config["timesheets:rbac"] = true;
  writeFileSync(stackFilePath("dev", root), stringify(dev));
  return root;
}
