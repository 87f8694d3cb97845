import { ManagementError } from "auth0";
import { compareTenant } from "./compare";
import type { AuditorCredentials } from "./credentials";
import { BudgetSpent, openSession, WriteRefused } from "./management";
import { readTenant } from "./read-tenant";
import { auditedStack, failedStack, type StackAudit } from "./report";
import type { AuditTarget } from "./target";

export interface AuditSettings {
  /** The global fetch unless a test routes the tenant elsewhere. */
  readonly fetch?: typeof fetch;
  /** The whole audit of one tenant, retries and waits included, must end within this. */
  readonly timeoutSeconds: number;
  readonly maxRetries: number;
}

function tokenError(error: unknown): string {
  if (error instanceof BudgetSpent) return `POST /oauth/token: ${error.message}`;
  if (error instanceof ManagementError) {
    const body = error.body;
    const said =
      typeof body === "object" && body !== null
        ? ["error" in body ? String(body.error) : "", "error_description" in body ? String(body.error_description) : ""]
            .filter(Boolean)
            .join(": ")
        : String(body ?? "");
    return `POST /oauth/token: ${error.statusCode ?? "no answer"}${said ? ` ${said}` : ""}`;
  }
  return `POST /oauth/token: ${error instanceof Error ? error.message : String(error)}`;
}

/** Audits one tenant against one stack's target: reads only, within the time budget. */
export async function auditStack(target: AuditTarget, credentials: AuditorCredentials, settings: AuditSettings): Promise<StackAudit> {
  const started = performance.now();
  const elapsed = (): number => Math.round(performance.now() - started);
  const { stack, tenant } = target.spec;
  const budgetMs = settings.timeoutSeconds * 1000;
  const signal = AbortSignal.timeout(budgetMs);
  const session = openSession(tenant.domain, credentials, {
    fetch: settings.fetch,
    maxRetries: settings.maxRetries,
    signal,
    deadline: Date.now() + budgetMs,
  });
  try {
    // One token first: if the auditor cannot sign in, every read would fail the same way.
    await session.token();
  } catch (error) {
    const why = signal.aborted ? `POST /oauth/token: no answer within --timeout ${settings.timeoutSeconds}` : tokenError(error);
    return failedStack(
      stack,
      tenant.domain,
      `the auditor could not get a Management API token (${credentials.source}): ${why}`,
      elapsed(),
      session.stats(),
    );
  }
  try {
    const snapshot = await readTenant(session.client, target, { signal, budget: `--timeout ${settings.timeoutSeconds}` });
    return auditedStack(stack, tenant.domain, compareTenant(target, snapshot), session.stats(), elapsed());
  } catch (error) {
    if (error instanceof WriteRefused) return failedStack(stack, tenant.domain, error.message, elapsed(), session.stats());
    throw error;
  }
}
