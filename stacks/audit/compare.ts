import type { Check, CheckOutcome } from "./checks/check";
import { connectionCheck, enabledClientsCheck } from "./checks/connection";
import { importJobClientCheck, importJobGrantCheck } from "./checks/import-job";
import { userApplicationsCheck } from "./checks/user-applications";
import { permissionsCheck, resourceServerCheck } from "./checks/resource-server";
import { testUserCheck } from "./checks/test-user";
import { testUserRoleCheck } from "./checks/test-user-role";
import { unmanagedGrantsCheck } from "./checks/unmanaged-grants";
import { sortFindings, type Finding } from "./findings";
import type { ReadProblem, TenantSnapshot } from "../auth0/model";
import type { AuditTarget } from "./target";

/** Every check, in the order a report lists them. */
export const CHECKS: readonly Check[] = [
  resourceServerCheck,
  permissionsCheck,
  importJobClientCheck,
  importJobGrantCheck,
  unmanagedGrantsCheck,
  userApplicationsCheck,
  connectionCheck,
  enabledClientsCheck,
  testUserCheck,
  testUserRoleCheck,
];

export interface NotChecked {
  readonly check: string;
  readonly reasons: readonly string[];
}

export interface Comparison {
  readonly findings: readonly Finding[];
  readonly checked: readonly string[];
  readonly notChecked: readonly NotChecked[];
  /** Scopes the auditor lacked, from every 403: what to add to the auditor's grant. */
  readonly missingScopes: readonly string[];
}

const describe = (problem: ReadProblem): string => problem.message;

/** Compares a stack's expectations with the tenant as read. Pure. */
export function compareTenant(target: AuditTarget, snapshot: TenantSnapshot, checks: readonly Check[] = CHECKS): Comparison {
  const outcomes: CheckOutcome[] = checks.filter((check) => check.appliesTo(target)).map((check) => check.evaluate(target, snapshot));
  const findings: Finding[] = [];
  const checked: string[] = [];
  const notChecked: NotChecked[] = [];
  const missingScopes = new Set<string>();
  for (const outcome of outcomes) {
    if (outcome.status === "checked") {
      checked.push(outcome.check);
      findings.push(...outcome.findings);
    } else {
      notChecked.push({ check: outcome.check, reasons: [...new Set(outcome.problems.map(describe))] });
      for (const problem of outcome.problems) if (problem.missingScope !== undefined) missingScopes.add(problem.missingScope);
    }
  }
  if (target.unreadableStacks.length > 0) {
    notChecked.push({
      check: "test users of other stacks",
      reasons: target.unreadableStacks.map((stack) => `the ${stack} stack's file could not be read, so its test user's address is unknown`),
    });
  }
  return { findings: sortFindings(findings), checked, notChecked, missingScopes: [...missingScopes].sort() };
}
