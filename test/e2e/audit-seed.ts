import type { PasswordOptionsSpec } from "../../infra/config/password-options";
import type { TenantSpec } from "../../infra/config/spec";
import { main } from "../../stacks/audit/main";
import type { StackAudit } from "../../stacks/audit/report";
import type { Auth0StandIn, ManagementScope } from "../../local/auth0";

/** The auditor's minimal grant: read-only, one scope per kind of object the audit reads. */
export const AUDITOR_SCOPES = [
  "read:resource_servers",
  "read:clients",
  "read:client_grants",
  "read:connections",
  "read:users",
] as const satisfies readonly ManagementScope[];

/** The seeded test user's password. */
export const TEST_USER_PASSWORD = "Correct-Horse-Battery-42!";

export interface SeededTenant {
  readonly importJobClientId: string;
  readonly connectionId: string;
}

/** Puts in the stand-in what the program would have created for `spec`, as the Auth0 provider sends it. */
export async function seedTenant(standIn: Auth0StandIn, spec: TenantSpec): Promise<SeededTenant> {
  const { api, importJob, connection, testUser } = spec;
  await standIn.createResourceServer({
    name: api.name,
    identifier: api.identifier,
    signing_alg: api.signingAlg,
    token_dialect: api.tokenDialect,
    token_lifetime: api.tokenLifetime,
    allow_offline_access: api.allowOfflineAccess,
    enforce_policies: api.enforcePolicies,
    subject_type_authorization: { client: { policy: api.clientPolicy } },
    scopes: api.permissions.map((p) => ({ value: p.name, description: p.description })),
  });
  const job = await standIn.createClient({
    name: importJob.name,
    description: importJob.description,
    app_type: importJob.appType,
    grant_types: [...importJob.grantTypes],
    is_first_party: importJob.isFirstParty,
    oidc_conformant: importJob.oidcConformant,
    jwt_configuration: { alg: importJob.jwtAlg },
    callbacks: [...importJob.callbacks],
    allowed_origins: [...importJob.allowedOrigins],
    web_origins: [...importJob.webOrigins],
    allowed_logout_urls: [...importJob.allowedLogoutUrls],
    // What the provider's client-credentials resource sets; a stack with private_key_jwt is not seeded here.
    token_endpoint_auth_method:
      importJob.authentication.method === "private_key_jwt" ? "client_secret_post" : importJob.authentication.method,
  });
  await standIn.createClientGrant({
    client_id: job.client_id,
    audience: importJob.grant.audience,
    scope: [...importJob.grant.scopes],
    subject_type: importJob.grant.subjectType,
  });
  const store = await standIn.createConnection({
    name: connection.name,
    strategy: connection.strategy,
    options: {
      ...(connection.passwordPolicy !== undefined && { passwordPolicy: connection.passwordPolicy }),
      ...(connection.passwordOptions !== undefined && { password_options: auth0PasswordOptions(connection.passwordOptions) }),
      brute_force_protection: connection.bruteForceProtection,
      disable_signup: connection.disableSignup,
    },
    enabled_clients: [job.client_id],
  });
  if (testUser !== undefined) {
    await standIn.createUser({
      connection: connection.name,
      email: testUser.email,
      name: testUser.name,
      password: TEST_USER_PASSWORD,
      email_verified: true,
    });
  }
  return { importJobClientId: job.client_id, connectionId: store.id };
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
export async function runAudit(args: readonly string[], env: Record<string, string>, fetch: typeof globalThis.fetch): Promise<AuditRun> {
  let stdout = "";
  let stderr = "";
  const code = await main(args, env, {
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text) },
    fetch,
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
