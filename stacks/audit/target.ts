import type { TenantSpec } from "../../infra/config/spec";

/** What one audit expects of one tenant: the stack's spec, and what the other stacks imply. */
export interface AuditTarget {
  readonly spec: TenantSpec;
  /**
   * Test-user addresses that other stacks declare. A prod spec never declares a test user, so
   * the only way to know what a stray test user in prod looks like is to ask the other specs.
   */
  readonly foreignTestUserEmails: readonly string[];
  /** Other stacks whose files could not be read: their test users' addresses are unknown here. */
  readonly unreadableStacks: readonly string[];
}

/**
 * The target for one stack. `allSpecs`: every stack's spec that could be read;
 * `unreadable`: the stacks whose spec could not be (they matter to prod only).
 */
export function auditTarget(spec: TenantSpec, allSpecs: readonly TenantSpec[], unreadable: readonly string[] = []): AuditTarget {
  if (spec.environment !== "prod") return { spec, foreignTestUserEmails: [], unreadableStacks: [] };
  const emails = allSpecs
    .filter((other) => other.stack !== spec.stack)
    .map((other) => other.testUser?.email)
    .filter((email): email is string => email !== undefined);
  return { spec, foreignTestUserEmails: [...new Set(emails)].sort(), unreadableStacks: unreadable.filter((stack) => stack !== spec.stack) };
}

/** Every address to look up with users-by-email: one call each. */
export function emailsToLookUp(target: AuditTarget): string[] {
  const own = target.spec.testUser?.email;
  return [...new Set([...(own === undefined ? [] : [own]), ...target.foreignTestUserEmails])];
}
