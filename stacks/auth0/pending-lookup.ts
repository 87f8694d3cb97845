import type { TenantSpec } from "../../infra/config/spec";
import type { TenantAnswers, TenantIdentity } from "../runner-steps/pending-decision";
import type { Clock } from "./clock";
import type { AuditorCredentials, Env } from "./credentials";
import { readTenant, type TenantQuery } from "./read-tenant";
import { hideCredentials } from "./redact";
import { openSession, type ManagementSession } from "./session";

/**
 * What to ask the tenant so that every identity is covered: the API, the connection and the
 * role by the names the interrupted creates sent (the spec's where none is pending), every
 * pending user's address. Pure.
 */
export function pendingQuery(identities: readonly TenantIdentity[], spec: TenantSpec): TenantQuery {
  const of = <K extends TenantIdentity["kind"]>(kind: K) =>
    identities.filter((identity): identity is Extract<TenantIdentity, { kind: K }> => identity.kind === kind);
  const role = of("role")[0];
  const testUserEmail = spec.testUser?.email;
  const emails = [...new Set([...of("user").map((user) => user.email), ...(role && testUserEmail ? [testUserEmail] : [])])];
  return {
    apiIdentifier: of("resourceServer")[0]?.identifier ?? spec.api.identifier,
    connectionName: of("connection")[0]?.name ?? spec.connection.name,
    emails,
    testUserRole: role && testUserEmail ? { name: role.name, email: testUserEmail } : undefined,
  };
}

/** The credentials the Auth0 provider of this run uses (AUTH0_API_TOKEN, else AUTH0_CLIENT_ID and AUTH0_CLIENT_SECRET). */
export function providerCredentials(env: Env): AuditorCredentials | undefined {
  const token = env.AUTH0_API_TOKEN?.trim();
  if (token) return { kind: "token", token, source: "AUTH0_API_TOKEN" };
  const clientId = env.AUTH0_CLIENT_ID?.trim();
  const clientSecret = env.AUTH0_CLIENT_SECRET?.trim();
  if (clientId && clientSecret) return { kind: "client", clientId, clientSecret, source: "AUTH0_CLIENT_ID/AUTH0_CLIENT_SECRET" };
  return undefined;
}

export interface LookupOptions {
  readonly fetch?: typeof fetch | undefined;
  readonly clock?: Clock | undefined;
  readonly budgetSeconds?: number;
}

/** The runner's look-up, and what it may not print: every credential the run holds or was given. */
export interface PendingLookup {
  readonly lookUp: (identities: readonly TenantIdentity[]) => Promise<TenantAnswers | { readonly error: string }>;
  /**
   * A line the runner prints, without any part of the provider's secret or token from the
   * environment or of any token the look-up got (redact.ts: the rule audit, adopt and verify follow).
   */
  readonly shown: (line: string) => string;
}

/**
 * Reads, GET only and through the guarded session every command uses, what the tenant holds for
 * the identities of a stack's interrupted creates, with the runner's own credentials; a sign-in
 * that fails is a one-line problem. What the tenant's address
 * answers (an id, a name, an error) reaches the runner's lines, and a proxy there sees the
 * secret and the token: each line passes through `shown`.
 */
export function pendingLookup(spec: TenantSpec, env: Env, options: LookupOptions = {}): PendingLookup {
  const credentials = providerCredentials(env);
  const given = credentials === undefined ? [] : credentials.kind === "token" ? [credentials.token] : [credentials.clientSecret];
  let session: ManagementSession | undefined;
  const held = (): readonly string[] => [...given, ...(session?.credentials() ?? [])];
  return {
    shown: (line) => hideCredentials(line, held()),
    lookUp: async (identities) => {
      if (credentials === undefined) return { error: "no Auth0 credentials to look the objects up with" };
      session = openLookupSession(spec, credentials, options);
      return lookUpWith(session, identities, spec, credentials.source, options.budgetSeconds ?? LOOKUP_BUDGET_SECONDS);
    },
  };
}

const LOOKUP_BUDGET_SECONDS = 60;

function openLookupSession(spec: TenantSpec, credentials: AuditorCredentials, options: LookupOptions): ManagementSession {
  const budgetSeconds = options.budgetSeconds ?? LOOKUP_BUDGET_SECONDS;
  return openSession(spec.tenant.domain, credentials, {
    fetch: options.fetch,
    clock: options.clock,
    maxRetries: 4,
    budgetMs: budgetSeconds * 1000,
  });
}

async function lookUpWith(
  session: ManagementSession,
  identities: readonly TenantIdentity[],
  spec: TenantSpec,
  source: string,
  budgetSeconds: number,
): Promise<TenantAnswers | { readonly error: string }> {
  try {
    await session.token();
  } catch (error) {
    const reason = error instanceof Error ? error.message.split("\n")[0] : String(error);
    return { error: `no Management API token for ${spec.tenant.domain} (${source}): ${reason}` };
  }
  const query = pendingQuery(identities, spec);
  const snapshot = await readTenant(session, query, { budget: `${budgetSeconds} s` });
  return { query, snapshot };
}
