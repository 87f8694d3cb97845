import { EXIT_CLEAN, EXIT_DRIFT, EXIT_ERROR } from "../exit-codes";

/** One check of a deployed stack: what was expected, what the live system answered. */
export interface CheckRow {
  /** Stable, dotted name: `import-job.scope`, `gateway.test-user.approveTimesheet`. */
  readonly check: string;
  readonly pass: boolean;
  readonly expected: string;
  readonly actual: string;
}

/** `pass`: every check passed; `fail`: one at least failed; `error`: verify could not run (all or part). */
export type VerifyOutcome = "pass" | "fail" | "error";

export interface StackVerification {
  readonly stack: string;
  readonly outcome: VerifyOutcome;
  readonly rows: readonly CheckRow[];
  /** Why the stack could not be verified (fully): what was missing, or the timeout. */
  readonly error?: string;
  /** What to run where a check failed (stacks/fixes.ts). */
  readonly fix?: string;
}

export interface VerifyReport {
  readonly stacks: readonly StackVerification[];
  readonly exitCode: number;
}

export const row = (check: string, pass: boolean, expected: string, actual: string): CheckRow => ({ check, pass, expected, actual });

export function verification(stack: string, rows: readonly CheckRow[], error?: string): StackVerification {
  const outcome: VerifyOutcome = error !== undefined ? "error" : rows.some((r) => !r.pass) ? "fail" : "pass";
  return error === undefined ? { stack, outcome, rows } : { stack, outcome, rows, error };
}

/**
 * 0 every check passed, 2 a check failed, 1 verify could not run. Could-not-run wins: a check
 * that never ran must not read as a pass, nor a partial run as the whole verdict.
 */
export function exitCodeFor(stacks: readonly StackVerification[]): number {
  if (stacks.length === 0 || stacks.some((s) => s.outcome === "error")) return EXIT_ERROR;
  return stacks.some((s) => s.outcome === "fail") ? EXIT_DRIFT : EXIT_CLEAN;
}
