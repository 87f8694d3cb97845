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

/**
 * A value from outside (a tenant, a cloud) as one line of a terminal report: a line break shows
 * as ⏎ so a row stays a row, and control characters (escape sequences among them) are dropped so
 * that a value cannot move the cursor or recolour the report.
 */
export function oneLine(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/\r?\n/g, " ⏎ ").replace(/[\u0000-\u001f\u007f-\u009f]/g, "");
}

/** A message of several lines (a config refusal lists one problem a line) under a report's line: its lines kept and indented, control characters dropped. */
export function indented(text: string, indent: string): string {
  return text.split(/\r?\n/).map(oneLine).join(`\n${indent}`);
}

// Characters with a meaning in GitHub-flavoured Markdown inline text: each is escaped with a
// backslash, so a value is shown as written (no emphasis, link, code span, HTML or entity).
const MARKDOWN_PUNCTUATION = /[\\`*_[\]<>|~&]/g;

/** A value as inline Markdown text, shown as written: punctuation escaped, a line break as <br>, control characters dropped. */
export function markdownText(text: string): string {
  return (
    text
      .replace(/\r\n?/g, "\n")
      // eslint-disable-next-line no-control-regex
      .replace(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/g, "")
      .replace(MARKDOWN_PUNCTUATION, (c) => `\\${c}`)
      .replace(/\n/g, "<br>")
  );
}

/**
 * A literal value (an expected or actual value, from a tenant) as inline code, shown exactly as
 * written: each line a code span (no escape, no autolink, no markup applies inside one), line
 * breaks as <br>, and a `|` outside the spans, escaped, so that it cannot end a table cell.
 */
export function markdownCode(value: string): { readonly markdown: string } {
  const lines = value
    .replace(/\r\n?/g, "\n")
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/g, "")
    .split("\n");
  const span = (text: string): string => {
    if (text.trim() === "") return markdownText(text);
    // A fence longer than any run of backticks inside; the spaces inside it are stripped by the renderer.
    const fence = "`".repeat(Math.max(0, ...[...text.matchAll(/`+/g)].map((run) => run[0].length)) + 1);
    return `${fence} ${text} ${fence}`;
  };
  // A `|` stands between code spans, escaped as text: inside a span, a backslash before it would be the value's own.
  const line = (text: string): string => text.split("|").map(span).join("\\|");
  return { markdown: lines.map(line).join("<br>") };
}

/**
 * Text in which `...` marks code (a command to run, as the fixes write them): the code as code
 * spans, the rest as text; a value inside either is shown as written, and `|` cannot end a cell.
 */
export function markdownWithCode(text: string): { readonly markdown: string } {
  const parts = text.split("`");
  // An odd number of backticks leaves the last one unpaired: all of it is then text.
  if (parts.length % 2 === 0) return { markdown: markdownText(text) };
  const markdown = parts
    .map((part, i) => {
      if (i % 2 === 0) return markdownText(part);
      const code = part.replace(/\r?\n/g, " ").replace(/\|/g, "\\|");
      return code.trim() === "" ? markdownText(part) : `\`${code}\``;
    })
    .join("");
  return { markdown };
}

/** A table cell: text (escaped by the table), or Markdown already made safe for a cell. */
export type MarkdownCell = string | { readonly markdown: string };

/** A GitHub-flavoured Markdown table; every text cell is escaped (see markdownText), so no value can break the table. */
export function markdownTable(headers: readonly string[], rows: readonly (readonly MarkdownCell[])[]): string {
  const cell = (value: MarkdownCell): string => (typeof value === "string" ? markdownText(value) : value.markdown);
  const line = (cells: readonly MarkdownCell[]): string => `| ${cells.map(cell).join(" | ")} |`;
  return [line(headers), `|${headers.map(() => " --- ").join("|")}|`, ...rows.map(line)].join("\n");
}
