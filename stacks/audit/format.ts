import {
  indented,
  markdownCode,
  markdownTable,
  markdownText,
  markdownWithCode,
  oneLine,
  plain,
  textTable,
  type Paint,
  type Style,
} from "../terminal";
import type { Outcome } from "../exit-codes";
import { SEVERITIES, type Finding, type Severity, type ShownValue } from "./findings";
import { countBySeverity, type AuditReport, type StackAudit } from "./report";

export const FORMATS = ["text", "json", "markdown"] as const;
export type Format = (typeof FORMATS)[number];

/** A finding's value as a cell shows it. */
export function formatValue(value: ShownValue): string {
  if (value === null) return "(none)";
  if (Array.isArray(value)) return value.length === 0 ? "(none)" : value.join(", ");
  return String(value);
}

/** One row of a findings table: one change to the tenant, with every kind of finding it was reported as. */
export interface FindingRow {
  readonly severity: Severity;
  readonly kinds: readonly string[];
  readonly resource: string;
  readonly expected: string;
  readonly actual: string;
  readonly fixes: readonly string[];
}

/**
 * The rows a table shows: findings about the same resource with the same expected and actual
 * values describe one change (a grant's scopes replaced is both widened and narrowed), so they
 * are one row naming each kind, at the highest severity; a finding never shows twice.
 */
export function findingRows(findings: readonly Finding[]): FindingRow[] {
  const rows = new Map<
    string,
    { severity: Severity; kinds: string[]; resource: string; expected: string; actual: string; fixes: string[] }
  >();
  for (const finding of findings) {
    const expected = formatValue(finding.expected);
    const actual = formatValue(finding.actual);
    const key = JSON.stringify([finding.resource, expected, actual]);
    const row = rows.get(key);
    if (row === undefined) {
      rows.set(key, {
        severity: finding.severity,
        kinds: [finding.kind],
        resource: finding.resource,
        expected,
        actual,
        fixes: [finding.fix],
      });
      continue;
    }
    if (SEVERITIES.indexOf(finding.severity) < SEVERITIES.indexOf(row.severity)) row.severity = finding.severity;
    if (!row.kinds.includes(finding.kind)) row.kinds.push(finding.kind);
    if (!row.fixes.includes(finding.fix)) row.fixes.push(finding.fix);
  }
  return [...rows.values()];
}

const OUTCOME_LABEL: Record<Outcome, string> = { "no-drift": "no drift", drift: "DRIFT", incomplete: "INCOMPLETE", error: "ERROR" };
const OUTCOME_STYLE: Record<Outcome, Style> = { "no-drift": "green", drift: "yellow", incomplete: "red", error: "red" };
const SEVERITY_STYLE: Record<Severity, Style> = { high: "red", medium: "yellow", low: "gray" };

function severitySummary(findings: readonly Finding[]): string {
  const counts = countBySeverity(findings);
  return `${counts.high} high, ${counts.medium} medium, ${counts.low} low`;
}

function headline(audit: StackAudit, paint: Paint): string {
  const parts = [
    paint("bold", audit.stack),
    audit.domain ?? "(tenant unknown)",
    paint(OUTCOME_STYLE[audit.outcome], OUTCOME_LABEL[audit.outcome]),
  ];
  if (audit.findings.length > 0) parts.push(`${audit.findings.length} finding(s): ${severitySummary(audit.findings)}`);
  if (audit.error === undefined) parts.push(`${audit.checked.length} of ${audit.checked.length + audit.notChecked.length} checks`);
  if (audit.requests !== undefined)
    parts.push(`${audit.requests.total} requests${audit.requests.refused > 0 ? ` (${audit.requests.refused} refused and retried)` : ""}`);
  parts.push(`${(audit.durationMs / 1000).toFixed(1)} s`);
  return parts.join(" · ");
}

function textStack(audit: StackAudit, paint: Paint): string {
  const lines = [headline(audit, paint)];
  if (audit.error !== undefined) lines.push(`  ${paint("red", indented(audit.error, ""))}`);
  if (audit.findings.length > 0) {
    const found = findingRows(audit.findings);
    // Values come from the tenant: one line each, no control characters.
    const rows = found.map((row, i) => [
      String(i + 1),
      paint(SEVERITY_STYLE[row.severity], row.severity),
      row.kinds.join(", "),
      oneLine(row.resource),
      oneLine(row.expected),
      oneLine(row.actual),
    ]);
    lines.push(textTable(["#", "SEVERITY", "KIND", "RESOURCE", "EXPECTED", "ACTUAL"], rows, paint));
    lines.push("  How to fix:", ...found.map((row, i) => `  ${i + 1}. ${oneLine(row.fixes.join("; "))}`));
  }
  if (audit.notChecked.length > 0) {
    lines.push(`  ${paint("red", "Not checked:")}`, ...audit.notChecked.map((n) => `    - ${n.check}: ${oneLine(n.reasons.join("; "))}`));
    lines.push(`  Checked: ${audit.checked.length > 0 ? audit.checked.join(", ") : "nothing"}`);
  }
  if (audit.missingScopes.length > 0)
    lines.push(`  The auditor's grant lacks: ${audit.missingScopes.join(", ")} (add them to its Management API grant)`);
  return lines.join("\n");
}

function verdict(report: AuditReport): string {
  const byOutcome = report.stacks.map((s) => `${s.stack} ${OUTCOME_LABEL[s.outcome].toLowerCase()}`).join(", ");
  return `${report.stacks.length} stack(s): ${byOutcome || "none"} → exit ${report.exitCode}`;
}

export function formatText(report: AuditReport, paint: Paint = plain): string {
  return [...report.stacks.map((s) => textStack(s, paint)), verdict(report)].join("\n\n") + "\n";
}

function markdownStack(audit: StackAudit): string {
  const lines = [
    `### ${markdownText(`${audit.stack} (${audit.domain ?? "tenant unknown"}): ${OUTCOME_LABEL[audit.outcome].toLowerCase()}`)}`,
    "",
  ];
  if (audit.error !== undefined) lines.push(`**Error:** ${markdownText(audit.error)}`, "");
  if (audit.findings.length > 0) {
    const rows = findingRows(audit.findings).map((row) => [
      row.severity,
      row.kinds.join(", "),
      row.resource,
      markdownCode(row.expected),
      markdownCode(row.actual),
      markdownWithCode(row.fixes.join("; ")),
    ]);
    lines.push(markdownTable(["Severity", "Kind", "Resource", "Expected", "Actual", "Fix"], rows), "");
  }
  if (audit.notChecked.length > 0) {
    lines.push("**Not checked:**", "", ...audit.notChecked.map((n) => `- ${markdownText(`${n.check}: ${n.reasons.join("; ")}`)}`), "");
    lines.push(`**Checked:** ${markdownText(audit.checked.join(", ") || "nothing")}`, "");
  }
  if (audit.missingScopes.length > 0) lines.push(`**The auditor's grant lacks:** ${markdownText(audit.missingScopes.join(", "))}`, "");
  return lines.join("\n");
}

export function formatMarkdown(report: AuditReport): string {
  const summary = markdownTable(
    ["Stack", "Tenant", "Result", "High", "Medium", "Low", "Requests"],
    report.stacks.map((s) => {
      const counts = countBySeverity(s.findings);
      return [
        s.stack,
        s.domain ?? "",
        OUTCOME_LABEL[s.outcome].toLowerCase(),
        String(counts.high),
        String(counts.medium),
        String(counts.low),
        String(s.requests?.total ?? ""),
      ];
    }),
  );
  const details = report.stacks.filter((s) => s.outcome !== "no-drift").map(markdownStack);
  return ["## Tenant drift audit", "", summary, "", ...details, `Exit code ${report.exitCode}.`, ""].join("\n");
}

export function formatJson(report: AuditReport): string {
  return `${JSON.stringify({ exitCode: report.exitCode, stacks: report.stacks }, null, 2)}\n`;
}

export function format(report: AuditReport, format: Format, paint: Paint = plain): string {
  if (format === "json") return formatJson(report);
  if (format === "markdown") return formatMarkdown(report);
  return formatText(report, paint);
}
