/** How much a drift matters: high widens access or breaks the API; low is cosmetic or safe. */
export type Severity = "high" | "medium" | "low";

export const SEVERITIES: readonly Severity[] = ["high", "medium", "low"];

/** A value as shown in a report: JSON-safe, so `--format json` carries it unchanged. */
export type ShownValue = string | number | boolean | null | readonly string[];

/** One difference between the stack's spec and the live tenant. */
export interface Finding {
  readonly severity: Severity;
  /** A stable key for machines, e.g. `grant.scopes-widened`. */
  readonly kind: string;
  /** What the finding is about, named as a person finds it in the dashboard. */
  readonly resource: string;
  readonly expected: ShownValue;
  readonly actual: ShownValue;
  /** What to do about it. */
  readonly fix: string;
}

export const ABSENT = "(absent)";
export const PRESENT = "(present)";

/** Highest severity first, then by resource, so reports read the same on every run. */
export function sortFindings(findings: readonly Finding[]): Finding[] {
  return [...findings].sort(
    (a, b) =>
      SEVERITIES.indexOf(a.severity) - SEVERITIES.indexOf(b.severity) ||
      a.resource.localeCompare(b.resource) ||
      a.kind.localeCompare(b.kind),
  );
}

/** A sorted copy, so set-like lists compare and print the same whatever order Auth0 returns. */
export function sorted(values: Iterable<string>): string[] {
  return [...values].sort();
}

export function difference(left: Iterable<string>, right: Iterable<string>): string[] {
  const exclude = new Set(right);
  return sorted(new Set([...left].filter((value) => !exclude.has(value))));
}
