import type { RequestStats } from "../auth0/session";
import type { Outcome } from "../exit-codes";
import type { Comparison, NotChecked } from "./compare";
import type { Finding, Severity } from "./findings";

export type { RequestStats };

/** One stack's audit, whatever came of it. */
export interface StackAudit {
  readonly stack: string;
  /** The tenant audited; undefined when the stack's spec could not be read. */
  readonly domain: string | undefined;
  readonly outcome: Outcome;
  readonly findings: readonly Finding[];
  readonly checked: readonly string[];
  readonly notChecked: readonly NotChecked[];
  readonly missingScopes: readonly string[];
  /** Why the audit could not run at all (config, credentials, wrong tenant). */
  readonly error: string | undefined;
  readonly requests: RequestStats | undefined;
  readonly durationMs: number;
}

export function outcomeOf(comparison: Comparison): Outcome {
  if (comparison.notChecked.length > 0) return "incomplete";
  return comparison.findings.length > 0 ? "drift" : "no-drift";
}

export function auditedStack(
  stack: string,
  domain: string,
  comparison: Comparison,
  requests: RequestStats,
  durationMs: number,
): StackAudit {
  return { stack, domain, outcome: outcomeOf(comparison), ...comparison, error: undefined, requests, durationMs };
}

export function failedStack(
  stack: string,
  domain: string | undefined,
  error: string,
  durationMs: number,
  requests?: RequestStats,
): StackAudit {
  return { stack, domain, outcome: "error", findings: [], checked: [], notChecked: [], missingScopes: [], error, requests, durationMs };
}

export function countBySeverity(findings: readonly Finding[]): Record<Severity, number> {
  const counts: Record<Severity, number> = { high: 0, medium: 0, low: 0 };
  for (const finding of findings) counts[finding.severity] += 1;
  return counts;
}

/** Every stack's audit, and the exit code they come to: what a report format prints. */
export interface AuditReport {
  readonly stacks: readonly StackAudit[];
  readonly exitCode: number;
}
