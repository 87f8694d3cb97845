import { readFile } from "node:fs/promises";
import { stripVTControlCharacters } from "node:util";
import { Command } from "commander";
import { parseCommand, wholeNumber } from "./cli";
import { EXIT_ERROR, EXIT_OK, runAsProcess } from "./exit-codes";
import { FileProblem } from "./problems";
import type { Output } from "./terminal";

/** GitHub refuses comments over 65,536 characters; leave room for the frame. */
export const COMMENT_LIMIT = 60_000;

/** Identifies a stack's preview comment so that the next push edits it instead of adding another. */
export function commentMarker(stack: string): string {
  return `<!-- timesheets-preview:${stack} -->`;
}

/**
 * The pull-request comment for one stack's preview. A preview too long for a comment
 * keeps its beginning and, in full, its end, where Pulumi prints the summary of changes
 * and the policy pack's violations; the cut is said, with its size.
 */
export function previewComment(stack: string, output: string, exitCode: number, limit = COMMENT_LIMIT): string {
  const text = stripVTControlCharacters(output).replace(/```/g, "ʼʼʼ").trimEnd();
  const status =
    exitCode === 0 ? "✅ preview succeeded" : `❌ preview failed (exit ${exitCode}): the change, a policy or the config was refused`;
  return [
    commentMarker(stack),
    `### \`${stack}\`: ${status}`,
    "",
    "```",
    cut(text, limit),
    "```",
    "",
    `<sub>pulumi preview --stack ${stack} with the policy pack policy/config/${stack}.json</sub>`,
  ].join("\n");
}

function cut(text: string, limit: number): string {
  if (text.length <= limit) return text;
  const lines = text.split("\n");
  const headBudget = Math.floor(limit * 0.3);
  const tailBudget = limit - headBudget;
  const head: string[] = [];
  let used = 0;
  for (const line of lines) {
    if (used + line.length + 1 > headBudget) break;
    head.push(line);
    used += line.length + 1;
  }
  const tail: string[] = [];
  used = 0;
  for (let i = lines.length - 1; i >= head.length; i--) {
    const line = lines[i] as string;
    if (used + line.length + 1 > tailBudget) break;
    tail.unshift(line);
    used += line.length + 1;
  }
  const omitted = lines.length - head.length - tail.length;
  return [...head, `… ${omitted} lines cut to fit a comment; the whole preview is in the job's log …`, ...tail].join("\n");
}

export interface PrCommentIo {
  readonly stdout: Output;
  readonly stderr: Output;
}

/** `tsx stacks/pr-comment.ts --stack dev --exit-code 0 --input preview.txt`: the comment on stdout; returns the exit code. */
export async function main(argv: readonly string[], io: PrCommentIo): Promise<number> {
  const program = new Command()
    .name("pr-comment")
    .description("Format a stack's preview output as a pull-request comment (markdown on stdout).")
    .requiredOption("--stack <name>", "the stack that was previewed")
    .requiredOption("--exit-code <code>", "the preview's exit code", wholeNumber(0, 255))
    .requiredOption("--input <file>", "the preview's captured output")
    .exitOverride()
    .configureOutput({ writeOut: (text) => io.stdout.write(text), writeErr: (text) => io.stderr.write(text) });
  const parsed = parseCommand<{ stack: string; exitCode: number; input: string }>(program, argv);
  if (!parsed.ok) return parsed.exitCode;
  const { stack, exitCode, input } = parsed.options;
  let output: string;
  try {
    output = await readFile(input, "utf8");
  } catch (error) {
    io.stderr.write(`error: ${new FileProblem(input, "read", error).message}\n`);
    return EXIT_ERROR;
  }
  io.stdout.write(`${previewComment(stack, output, exitCode)}\n`);
  return EXIT_OK;
}

if (require.main === module) {
  runAsProcess("pr-comment", () => main(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr }));
}
