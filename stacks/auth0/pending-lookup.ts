import type { TenantSpec } from "../../infra/config/spec";
import type { TenantAnswers, TenantIdentity } from "../runner-steps/pending-decision";
import type { Clock } from "./clock";
import type { AuditorCredentials, Env } from "./credentials";
import { readTenant, type TenantQuery } from "./read-tenant";
import { openSession } from "./session";

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

/**
 * Reads, GET only and through the guarded session every command uses, what the tenant holds
 * for the identities of a stack's interrupted creates. A sign-in that fails is a one-line problem.
 */
export async function lookUpPending(
  identities: readonly TenantIdentity[],
  spec: TenantSpec,
  env: Env,
  options: LookupOptions = {},
): Promise<TenantAnswers | { readonly error: string }> {
  const credentials = providerCredentials(env);
  if (credentials === undefined) return { error: "no Auth0 credentials to look the objects up with" };
  const budgetSeconds = options.budgetSeconds ?? 60;
  const session = openSession(spec.tenant.domain, credentials, {
    fetch: options.fetch,
    clock: options.clock,
    maxRetries: 4,
    budgetMs: budgetSeconds * 1000,
  });
  try {
    await session.token();
  } catch (error) {
    const reason = error instanceof Error ? error.message.split("\n")[0] : String(error);
    return { error: `no Management API token for ${spec.tenant.domain} (${credentials.source}): ${reason}` };
  }
  const query = pendingQuery(identities, spec);
  const snapshot = await readTenant(session, query, { budget: `${budgetSeconds} s` });
  return { query, snapshot };
}
