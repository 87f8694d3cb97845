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
 * Puts in the stand-in exactly what the program declares for `spec`, as the Auth0 provider
 * sends it: the API (with its user access policy where the stack sets one), the import job and
 * its grant, the user store with its enabled clients and, where the stack has a test user, the
 * integration-test application, its user grant and the test user, where it has a developer
 * portal, the portal's application and its user grant, and with RBAC the test user's
 * role, its permissions and its assignment (the calls the provider's Role, RolePermissions and
 * UserRoles send). A test holds this to the
 * program's resources under mocks (test/e2e/seed-matches-program.test.ts).
 */
export async function seedTenant(standIn: Auth0StandIn, spec: TenantSpec): Promise<SeededTenant> {
  const { api, importJob, connection, testUser } = spec;
  const resourceServer = await standIn.createResourceServer({
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
  });
  const job = await standIn.createClient({
    ...clientDocument(importJob),
    // What the provider's client-credentials resource sets; a stack with private_key_jwt is not seeded here.
    token_endpoint_auth_method:
      importJob.authentication.method === "private_key_jwt" ? "client_secret_post" : importJob.authentication.method,
  });
  const jobGrant = await standIn.createClientGrant({
    client_id: job.client_id,
    audience: importJob.grant.audience,
    scope: [...importJob.grant.scopes],
    subject_type: importJob.grant.subjectType,
  });
  const testApp = await seedUserApplication(standIn, testUser?.application);
  const portalApp = await seedUserApplication(standIn, spec.gateway?.developerPortal?.application);
  const store = await standIn.createConnection({
    name: connection.name,
    strategy: connection.strategy,
    options: {
      ...(connection.passwordPolicy !== undefined && { passwordPolicy: connection.passwordPolicy }),
      ...(connection.passwordOptions !== undefined && { password_options: auth0PasswordOptions(connection.passwordOptions) }),
      brute_force_protection: connection.bruteForceProtection,
      disable_signup: connection.disableSignup,
    },
    enabled_clients: [job.client_id, ...[testApp, portalApp].flatMap((app) => (app === undefined ? [] : [app.clientId]))],
  });
  let testUserRole: SeededTenant["testUserRole"];
  if (testUser !== undefined) {
    const user = await standIn.createUser({
      connection: connection.name,
      email: testUser.email,
      name: testUser.name,
      password: TEST_USER_PASSWORD,
      email_verified: true,
    });
    if (testUser.role !== undefined) {
      const management = managementApi(standIn);
      const role = (await management("POST", "/roles", { name: testUser.role.name, description: testUser.role.description })) as {
        id: string;
      };
      await management("POST", `/roles/${role.id}/permissions`, {
        permissions: testUser.role.permissions.map((name) => ({ resource_server_identifier: api.identifier, permission_name: name })),
      });
      await management("POST", `/users/${encodeURIComponent(user.user_id)}/roles`, { roles: [role.id] });
      testUserRole = { roleId: role.id, userId: user.user_id };
    }
  }
  return {
    resourceServerId: resourceServer.id,
    importJobClientId: job.client_id,
    importJobGrantId: jobGrant.id,
    connectionId: store.id,
    testApp,
    portalApp,
    testUserRole,
  };
}

/** An application people sign in through, with its user grant on the API, as the program's UserApplication declares it. */
async function seedUserApplication(
  standIn: Auth0StandIn,
  application: UserApplicationSpec | undefined,
): Promise<{ clientId: string; clientSecret: string; grantId: string } | undefined> {
  if (application === undefined) return undefined;
  const app = await standIn.createClient({ ...clientDocument(application), token_endpoint_auth_method: application.authMethod });
  const grant = await standIn.createClientGrant({
    client_id: app.client_id,
    audience: application.grant.audience,
    scope: [...application.grant.scopes],
    subject_type: application.grant.subjectType,
  });
  return { clientId: app.client_id, clientSecret: app.client_secret, grantId: grant.id };
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
