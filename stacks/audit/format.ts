import { markdownTable, plain, textTable, type Paint, type Style } from "../terminal";
import type { Outcome } from "../exit-codes";
import type { Finding, Severity, ShownValue } from "./findings";
import { countBySeverity, type AuditReport, type StackAudit } from "./report";

export const FORMATS = ["text", "json", "markdown"] as const;
export type Format = (typeof FORMATS)[number];

/** A finding's value as a cell shows it. */
export function formatValue(value: ShownValue): string {
  if (value === null) return "(none)";
  if (Array.isArray(value)) return value.length === 0 ? "(none)" : value.join(", ");
  return String(value);
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
  if (audit.error !== undefined) lines.push(`  ${paint("red", audit.error)}`);
  if (audit.findings.length > 0) {
    const rows = audit.findings.map((f, i) => [
      String(i + 1),
      paint(SEVERITY_STYLE[f.severity], f.severity),
      f.resource,
      formatValue(f.expected),
      formatValue(f.actual),
    ]);
    lines.push(textTable(["#", "SEVERITY", "RESOURCE", "EXPECTED", "ACTUAL"], rows, paint));
    lines.push("  How to fix:", ...audit.findings.map((f, i) => `  ${i + 1}. ${f.fix}`));
  }
  if (audit.notChecked.length > 0) {
    lines.push(`  ${paint("red", "Not checked:")}`, ...audit.notChecked.map((n) => `    - ${n.check}: ${n.reasons.join("; ")}`));
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
  const lines = [`### ${audit.stack} (${audit.domain ?? "tenant unknown"}): ${OUTCOME_LABEL[audit.outcome].toLowerCase()}`, ""];
  if (audit.error !== undefined) lines.push(`**Error:** ${audit.error}`, "");
  if (audit.findings.length > 0) {
    const rows = audit.findings.map((f) => [f.severity, f.resource, formatValue(f.expected), formatValue(f.actual), f.fix]);
    lines.push(markdownTable(["Severity", "Resource", "Expected", "Actual", "Fix"], rows), "");
  }
  if (audit.notChecked.length > 0) {
    lines.push("**Not checked:**", "", ...audit.notChecked.map((n) => `- ${n.check}: ${n.reasons.join("; ")}`), "");
    lines.push(`**Checked:** ${audit.checked.join(", ") || "nothing"}`, "");
  }
  if (audit.missingScopes.length > 0)
    lines.push(`**The auditor's grant lacks:** ${audit.missingScopes.map((s) => `\`${s}\``).join(", ")}`, "");
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
