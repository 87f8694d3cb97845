import { styleText } from "node:util";

/** Where a CLI writes: process.stdout in real use, a buffer in tests. */
export interface Output {
  write(text: string): unknown;
  readonly isTTY?: boolean;
}

export type Style = "red" | "yellow" | "green" | "cyan" | "gray" | "bold" | "dim";

/** Colours text, or leaves it alone when colour is off. */
export type Paint = (style: Style | readonly Style[], text: string) => string;

export const plain: Paint = (_style, text) => text;

/**
 * Colour only on a terminal and only when NO_COLOR is unset (https://no-color.org): a
 * report written to a file or a CI log must stay plain text.
 */
export function paintFor(output: Output, env: Readonly<Record<string, string | undefined>>): Paint {
  const noColor = env.NO_COLOR !== undefined && env.NO_COLOR !== "";
  if (output.isTTY !== true || noColor) return plain;
  // The stream check is ours (above): styleText's own looks at process.stdout, not at `output`.
  return (style, text) => styleText(style as Parameters<typeof styleText>[0], text, { validateStream: false });
}

// Escape sequences take no room on screen; column widths must ignore them.
const ANSI = new RegExp(String.raw`\u001b\[[0-9;]*m`, "g");
const visibleLength = (text: string): number => text.replace(ANSI, "").length;

/** A plain-text table: columns padded to their widest cell, a rule under the header. */
export function textTable(headers: readonly string[], rows: readonly (readonly string[])[], paint: Paint = plain, indent = "  "): string {
  const widths = headers.map((header, column) => Math.max(visibleLength(header), ...rows.map((row) => visibleLength(row[column] ?? ""))));
  const line = (cells: readonly string[]): string =>
    indent +
    cells
      .map((cell, column) => (column === cells.length - 1 ? cell : cell + " ".repeat((widths[column] ?? 0) - visibleLength(cell))))
      .join("  ")
      .trimEnd();
  const rule = indent + widths.map((width) => "─".repeat(width)).join("  ");
  return [paint("bold", line(headers)), paint("dim", rule), ...rows.map(line)].join("\n");
}

/** A GitHub-flavoured Markdown table; pipes and line breaks in cells are escaped. */
export function markdownTable(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const cell = (text: string): string => text.replace(/\\/g, "\\\\").replace(/\|/g, "\\|").replace(/\r?\n/g, "<br>");
  const line = (cells: readonly string[]): string => `| ${cells.map(cell).join(" | ")} |`;
  return [line(headers), line(headers.map(() => "---")), ...rows.map(line)].join("\n");
}
