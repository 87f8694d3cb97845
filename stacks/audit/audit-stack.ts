import type { Clock } from "../auth0/clock";
import type { AuditorCredentials } from "../auth0/credentials";
import { readTenant } from "../auth0/read-tenant";
import { withoutCredentials } from "../auth0/redact";
import { openSession, WriteRefused } from "../auth0/session";
import { signIn } from "../auth0/sign-in";
import { compareTenant } from "./compare";
import { auditedStack, failedStack, type StackAudit } from "./report";
import { emailsToLookUp, type AuditTarget } from "./target";

export interface AuditSettings {
  /** The global fetch unless a test routes the tenant elsewhere. */
  readonly fetch?: typeof fetch;
  /** The whole audit of one tenant, retries and waits included, must end within this. */
  readonly timeoutSeconds: number;
  readonly maxRetries: number;
  /** The system clock unless a test fakes time. */
  readonly clock?: Clock;
}

/**
 * Audits one tenant against one stack's target: reads only, within the time budget. What it
 * returns shows no part of any credential the session held, whatever the answers echoed.
 */
export async function auditStack(target: AuditTarget, credentials: AuditorCredentials, settings: AuditSettings): Promise<StackAudit> {
  const { audit, held } = await audited(target, credentials, settings);
  return withoutCredentials(audit, held);
}

async function audited(
  target: AuditTarget,
  credentials: AuditorCredentials,
  settings: AuditSettings,
): Promise<{ audit: StackAudit; held: readonly string[] }> {
  const started = performance.now();
  const elapsed = (): number => Math.round(performance.now() - started);
  const { stack, tenant } = target.spec;
  const budget = `--timeout ${settings.timeoutSeconds}`;
  const session = openSession(tenant.domain, credentials, {
    fetch: settings.fetch,
    maxRetries: settings.maxRetries,
    budgetMs: settings.timeoutSeconds * 1000,
    clock: settings.clock,
  });
  const done = (audit: StackAudit) => ({ audit, held: session.credentials() });
  const notSignedIn = await signIn(session, budget);
  if (notSignedIn !== undefined) {
    return done(
      failedStack(
        stack,
        tenant.domain,
        `the auditor could not get a Management API token (${credentials.source}): ${notSignedIn}`,
        elapsed(),
        session.stats(),
      ),
    );
  }
  try {
    const testUser = target.spec.testUser;
    const query = {
      apiIdentifier: target.spec.api.identifier,
      connectionName: target.spec.connection.name,
      emails: emailsToLookUp(target),
      testUserRole: testUser?.role === undefined ? undefined : { name: testUser.role.name, email: testUser.email },
    };
    const snapshot = await readTenant(session, query, { budget });
    return done(auditedStack(stack, tenant.domain, compareTenant(target, snapshot), session.stats(), elapsed()));
  } catch (error) {
    if (error instanceof WriteRefused) return done(failedStack(stack, tenant.domain, error.message, elapsed(), session.stats()));
    throw error;
  }
}
