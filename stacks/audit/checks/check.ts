import type { Finding } from "../findings";
import type { LivePart, LiveTenant, ReadProblem, TenantSnapshot } from "../../auth0/model";
import type { AuditTarget } from "../target";

/** The outcome of one check: its findings, or why it could not run. */
export type CheckOutcome =
  | { readonly check: string; readonly status: "checked"; readonly findings: readonly Finding[] }
  | { readonly check: string; readonly status: "not-checked"; readonly problems: readonly ReadProblem[] };

export interface Check {
  /** What the check covers, as a report lists it: "permissions", "unmanaged grants". */
  readonly name: string;
  readonly needs: readonly LivePart[];
  /** Whether the stack declares what the check covers; a check that does not apply is not listed. */
  appliesTo(target: AuditTarget): boolean;
  evaluate(target: AuditTarget, snapshot: TenantSnapshot): CheckOutcome;
}

/**
 * A check over the parts of the tenant it needs. It runs only when every one of them was
 * read: a check on half the facts would report drift that is not there, or miss drift that is.
 */
export function defineCheck<K extends LivePart>(
  name: string,
  needs: readonly K[],
  run: (target: AuditTarget, live: Pick<LiveTenant, K>) => Finding[],
  appliesTo: (target: AuditTarget) => boolean = () => true,
): Check {
  return {
    name,
    needs,
    appliesTo,
    evaluate(target, snapshot) {
      const live: Partial<Pick<LiveTenant, K>> = {};
      const problems: ReadProblem[] = [];
      for (const part of needs) {
        const result = snapshot[part];
        if (result.ok) live[part] = result.value as LiveTenant[K];
        else problems.push(result.problem);
      }
      if (problems.length > 0) return { check: name, status: "not-checked", problems };
      return { check: name, status: "checked", findings: run(target, live as Pick<LiveTenant, K>) };
    },
  };
}
