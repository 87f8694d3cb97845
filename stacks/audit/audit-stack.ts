import { ManagementError } from "auth0";
import { ownError, unanswered } from "../auth0/answer";
import type { Clock } from "../auth0/clock";
import type { AuditorCredentials } from "../auth0/credentials";
import { readTenant } from "../auth0/read-tenant";
import { openSession, WriteRefused, type ManagementSession } from "../auth0/session";
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

function tokenError(session: ManagementSession, error: unknown, budget: string): string {
  // A redirect, an answer too large or a host refused: said as it is, whatever the SDK wrapped it in.
  if (ownError(error) !== undefined) return `POST /oauth/token: ${unanswered(session, error, budget)}`;
  if (error instanceof ManagementError && error.statusCode !== undefined) {
    const body = error.body;
    const said =
      typeof body === "object" && body !== null
        ? ["error" in body ? String(body.error) : "", "error_description" in body ? String(body.error_description) : ""]
            .filter(Boolean)
            .join(": ")
        : "";
    return `POST /oauth/token: ${error.statusCode}${said ? ` ${said}` : ""}`;
  }
  const cause = error instanceof Error && error.cause !== undefined ? error.cause : error;
  return `POST /oauth/token: ${unanswered(session, cause, budget)}`;
}

/** Audits one tenant against one stack's target: reads only, within the time budget. */
export async function auditStack(target: AuditTarget, credentials: AuditorCredentials, settings: AuditSettings): Promise<StackAudit> {
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
  try {
    // One token first: if the auditor cannot sign in, every read would fail the same way.
    await Promise.race([session.token(), aborted(session.signal)]);
  } catch (error) {
    return failedStack(
      stack,
      tenant.domain,
      `the auditor could not get a Management API token (${credentials.source}): ${tokenError(session, error, budget)}`,
      elapsed(),
      session.stats(),
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
    return auditedStack(stack, tenant.domain, compareTenant(target, snapshot), session.stats(), elapsed());
  } catch (error) {
    if (error instanceof WriteRefused) return failedStack(stack, tenant.domain, error.message, elapsed(), session.stats());
    throw error;
  }
}

/** Rejects once the budget is spent: the token request must not outlive it either. */
function aborted(signal: AbortSignal): Promise<never> {
  return new Promise((_resolve, reject) => {
    if (signal.aborted) reject(signal.reason as Error);
    signal.addEventListener("abort", () => reject(signal.reason as Error), { once: true });
  });
}
