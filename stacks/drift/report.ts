import type { Outcome } from "../exit-codes";
import { indented, markdownTable, markdownText, markdownWithCode, plain, textTable, type Paint, type Style } from "../terminal";
import type { StateDrift } from "./summarise";

export const FORMATS = ["text", "json", "markdown"] as const;
export type Format = (typeof FORMATS)[number];

export interface StackStateDrift {
  readonly stack: string;
  /** What to run, where the stack drifted or was never deployed (stacks/fixes.ts). */
  readonly fix?: string | undefined;
  readonly outcome: Outcome;
  /** Undefined when the refresh preview could not run. */
  readonly drift: StateDrift | undefined;
  readonly error: string | undefined;
}

export function stateOutcome(drift: StateDrift): Outcome {
  return drift.changes.length > 0 || drift.unattributed > 0 ? "drift" : "no-drift";
}

export interface DriftReport {
  readonly stacks: readonly StackStateDrift[];
  readonly exitCode: number;
}

const LABEL: Record<Outcome, string> = { "no-drift": "no drift", drift: "DRIFT", incomplete: "INCOMPLETE", error: "ERROR" };
const STYLE: Record<Outcome, Style> = { "no-drift": "green", drift: "yellow", incomplete: "red", error: "red" };

function rows(drift: StateDrift): string[][] {
  return drift.changes.map((c) => [c.op, c.type, c.name, c.properties.join(", ") || "(not detailed)"]);
}

const NOT_COMPARED =
  "read as empty by a reader without read:client_keys, so not compared (not drift); `npm run verify` proves the deployed secret works";

function notComparedLines(drift: StateDrift): string[] {
  return drift.notCompared.map((c) => `${c.properties.join(", ")} of ${c.name}: ${NOT_COMPARED}`);
}

function textStack(entry: StackStateDrift, paint: Paint): string {
  const { drift } = entry;
  const head = [paint("bold", entry.stack), paint(STYLE[entry.outcome], LABEL[entry.outcome])];
  if (drift !== undefined) head.push(`${drift.changes.length + drift.unattributed} changed, ${drift.unchanged} unchanged`);
  const lines = [head.join(" · ")];
  if (entry.error !== undefined) lines.push(`  ${paint("red", indented(entry.error, ""))}`);
  if (drift !== undefined && drift.changes.length > 0) lines.push(textTable(["CHANGE", "TYPE", "NAME", "PROPERTIES"], rows(drift), paint));
  if (drift !== undefined && drift.unattributed > 0)
    lines.push(`  ${drift.unattributed} more change(s) counted by the engine without detail; see the refresh output above`);
  if (drift !== undefined) lines.push(...notComparedLines(drift).map((line) => `  Not compared: ${line}`));
  if (entry.fix !== undefined) lines.push(`  How to fix: ${entry.fix}`);
  return lines.join("\n");
}

export function renderDrift(report: DriftReport, format: Format, paint: Paint = plain): string {
  if (format === "json") return `${JSON.stringify(report, null, 2)}\n`;
  if (format === "markdown") {
    const sections = report.stacks.map((entry) => {
      const lines = [`### ${markdownText(`${entry.stack}: ${LABEL[entry.outcome].toLowerCase()}`)}`, ""];
      if (entry.error !== undefined) lines.push(`**Error:** ${markdownText(entry.error)}`, "");
      if (entry.drift !== undefined && entry.drift.changes.length > 0)
        lines.push(markdownTable(["Change", "Type", "Name", "Properties"], rows(entry.drift)), "");
      if (entry.drift !== undefined && entry.drift.unattributed > 0)
        lines.push(`${entry.drift.unattributed} more change(s) counted by the engine without detail.`, "");
      if (entry.drift !== undefined)
        for (const line of notComparedLines(entry.drift)) lines.push(`Not compared: ${markdownWithCode(line).markdown}`, "");
      if (entry.fix !== undefined) lines.push(`How to fix: ${markdownWithCode(entry.fix).markdown}.`, "");
      return lines.join("\n");
    });
    return ["## State drift (refresh preview, no state written)", "", ...sections, `Exit code ${report.exitCode}.`, ""].join("\n");
  }
  const verdict = `${report.stacks.length} stack(s): ${report.stacks.map((s) => `${s.stack} ${LABEL[s.outcome].toLowerCase()}`).join(", ")} → exit ${report.exitCode}`;
  return [...report.stacks.map((s) => textStack(s, paint)), verdict].join("\n\n") + "\n";
}
