import { markdownCode, markdownTable, markdownText, markdownWithCode, oneLine, plain, textTable, type Paint } from "../terminal";
import type { StackVerification, VerifyReport } from "./report";

export const FORMATS = ["text", "json", "markdown"] as const;
export type Format = (typeof FORMATS)[number];

const VERDICT = { pass: "all checks pass", fail: "a check fails", error: "could not run" } as const;

function textStack(stack: StackVerification, paint: Paint): string {
  const head = `${paint("bold", stack.stack)}: ${paint(stack.outcome === "pass" ? "green" : "red", VERDICT[stack.outcome])}`;
  // Expected and actual values come from the tenant and the gateway: one line each, no control characters.
  const rows = stack.rows.map((r) => [
    r.pass ? paint("green", "pass") : paint("red", "FAIL"),
    r.check,
    oneLine(r.expected),
    oneLine(r.actual),
  ]);
  const table = rows.length === 0 ? "" : `${textTable(["result", "check", "expected", "actual"], rows, paint)}\n`;
  // An error of several lines (one missing value a line) keeps its lines, indented under the first.
  const error = stack.error === undefined ? "" : `  ${paint("red", "error:")} ${stack.error.split(/\r?\n/).join("\n    ")}\n`;
  const fix = stack.fix === undefined ? "" : `  How to fix: ${stack.fix}\n`;
  return `${head}\n${table}${error}${fix}`;
}

function markdownStack(stack: StackVerification): string {
  const icon = stack.outcome === "pass" ? "✅" : stack.outcome === "fail" ? "❌" : "⚠️";
  const lines = [`### ${icon} ${markdownText(`${stack.stack}: ${VERDICT[stack.outcome]}`)}`, ""];
  if (stack.rows.length > 0) {
    // Cells are text (markdownTable escapes them); the mark says pass or fail at a glance.
    const rows = stack.rows.map((r) => [r.pass ? "✅ pass" : "❌ FAIL", r.check, r.expected, markdownCode(r.actual)]);
    lines.push(markdownTable(["result", "check", "expected", "actual"], rows), "");
  }
  if (stack.error !== undefined) {
    // The first line says what happened; lines after it ("- ...") are a list, kept as one.
    const [first = "", ...rest] = stack.error.split(/\r?\n/);
    lines.push(`**Could not run:** ${markdownText(first)}`, "");
    for (const line of rest) lines.push(...(line.startsWith("- ") ? [`- ${markdownText(line.slice(2))}`] : ["", markdownText(line), ""]));
    if (rest.length > 0) lines.push("");
  }
  if (stack.fix !== undefined) lines.push(`How to fix: ${markdownWithCode(stack.fix).markdown}.`, "");
  return lines.join("\n");
}

/** The report as the chosen format; every format carries every row and the exit code's reason. */
export function format(report: VerifyReport, kind: Format, paint: Paint = plain): string {
  if (kind === "json") return `${JSON.stringify(report, null, 2)}\n`;
  if (kind === "markdown") return `## Verify\n\n${report.stacks.map(markdownStack).join("\n")}\n`;
  return report.stacks.map((stack) => textStack(stack, paint)).join("\n");
}
