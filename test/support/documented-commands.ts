import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { pulumiPassThrough } from "../../stacks/pulumi-args";

// The npm commands a reader can paste from the documentation: every `npm run X -- ...`,
// `npm run -s X`, `npm test` and `npm ci` in a fenced code block or an inline code span of
// README.md and docs/**/*.md, with the file and line it is on.

export interface DocumentedCommand {
  readonly file: string;
  readonly line: number;
  /** The command as written, for messages. */
  readonly text: string;
  /** `run` (a script), `test` (the test script) or `ci`. */
  readonly verb: "run" | "test" | "ci";
  /** The script run: X of `npm run X`, `test` for `npm test`; undefined for `npm ci`. */
  readonly script: string | undefined;
  /** What follows `--`: the script's own arguments, brackets of optional parts removed. */
  readonly args: readonly string[];
}

/** README.md and every Markdown file under docs/, relative to the root. */
export function documentationFiles(root: string): string[] {
  const docs = path.join(root, "docs");
  const inDocs = existsSync(docs)
    ? readdirSync(docs, { recursive: true, encoding: "utf8" })
        .filter((file) => file.endsWith(".md"))
        .map((file) => path.join("docs", file))
    : [];
  return ["README.md", ...inDocs.sort()];
}

/** The code a line holds: all of it inside a fence, its inline code spans outside one. */
function codeOn(line: string, fenced: boolean): string[] {
  if (fenced) return [line.replace(/^\s*\$\s+/, "").replace(/(^|\s)#.*$/, "")];
  // An inline span is delimited by runs of backticks of equal length (CommonMark).
  return [...line.matchAll(/(`+)(.+?)\1(?!`)/g)].map((match) => match[2] ?? "");
}

const NPM = /\bnpm\s+(run-script|run|test|t|ci)\b(.*)$/;

/** The npm commands in one piece of code: split at shell separators, redirections dropped. */
export function npmCommandsIn(code: string): Omit<DocumentedCommand, "file" | "line">[] {
  const found: Omit<DocumentedCommand, "file" | "line">[] = [];
  for (const segment of code.split(/&&|\|\||;|\|/)) {
    const match = NPM.exec(segment);
    if (match === null) continue;
    const verb = match[1] === "run-script" ? "run" : match[1] === "t" ? "test" : (match[1] as "run" | "test" | "ci");
    const words = (match[2] ?? "")
      .replace(/(?:^|\s)\d?>>?&?\s*\S+/g, " ")
      .split(/\s+/)
      .map((word) => word.replace(/[[\]]/g, ""))
      .filter((word) => word !== "");
    const dashes = words.indexOf("--");
    const before = dashes === -1 ? words : words.slice(0, dashes);
    const args = dashes === -1 ? [] : words.slice(dashes + 1);
    // Before `--` are npm's own flags (`-s`, `--silent`) and, for `run`, the script's name.
    const script = verb === "run" ? before.find((word) => !word.startsWith("-")) : verb === "test" ? "test" : undefined;
    if (verb === "run" && script === undefined) continue;
    found.push({ text: `npm ${match[1]}${match[2] ?? ""}`.trim(), verb, script, args });
  }
  return found;
}

/** Every npm command in a Markdown text, with its line. */
export function documentedCommands(file: string, text: string): DocumentedCommand[] {
  const commands: DocumentedCommand[] = [];
  let fence: string | undefined;
  text.split("\n").forEach((line, index) => {
    const marker = /^\s*(`{3,}|~{3,})/.exec(line)?.[1];
    if (marker !== undefined && (fence === undefined || marker.startsWith(fence))) {
      fence = fence === undefined ? marker : undefined;
      return;
    }
    for (const code of codeOn(line, fence !== undefined))
      for (const command of npmCommandsIn(code)) commands.push({ file, line: index + 1, ...command });
  });
  return commands;
}

export function readDocumentedCommands(root: string): DocumentedCommand[] {
  return documentationFiles(root).flatMap((file) => documentedCommands(file, readFileSync(path.join(root, file), "utf8")));
}

/** The flags among a command's arguments: `--stack`, `--format` of `--format=json`, `-h`. */
export function flagsOf(args: readonly string[]): string[] {
  // After a second `--` the arguments are Pulumi's (the runner's pass-through), not the script's.
  const own = args.includes("--") ? args.slice(0, args.indexOf("--")) : args;
  return own.filter((arg) => /^--?[A-Za-z]/.test(arg)).map((arg) => arg.split("=")[0] as string);
}

/** Whether a help text lists a flag (as `--stack <name>`, `--all,`, `-h, --help`). */
export function helpLists(help: string, flag: string): boolean {
  const escaped = flag.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  return new RegExp(`(^|[\\s,])${escaped}(?=[\\s,=<\\[]|$)`, "m").test(help);
}

/**
 * What is wrong with the documented commands, one message each, naming file and line: a script
 * that is not in package.json, or a flag its `--help` does not list.
 */
export async function problemsOf(
  commands: readonly DocumentedCommand[],
  scripts: Readonly<Record<string, string>>,
  helpOf: (script: string) => Promise<string>,
): Promise<string[]> {
  const problems: string[] = [];
  // Every help text needed, asked for at once: a spawned one takes a second or two.
  const needed = new Set(
    commands
      .filter((c) => c.script !== undefined && scripts[c.script] !== undefined && flagsOf(c.args).length > 0)
      .map((c) => c.script as string),
  );
  await Promise.all([...needed].map(helpOf));
  for (const command of commands) {
    const where = `${command.file}:${command.line}: ${command.text}`;
    if (command.script === undefined) continue;
    if (scripts[command.script] === undefined) {
      problems.push(`${where}: there is no script "${command.script}" in package.json`);
      continue;
    }
    const passThrough = command.args.includes("--")
      ? pulumiPassThrough(command.args.slice(command.args.indexOf("--") + 1), { command: "up", stack: "dev" })
      : undefined;
    if (passThrough !== undefined && !passThrough.ok) problems.push(`${where}: ${passThrough.message}`);
    const flags = flagsOf(command.args);
    if (flags.length === 0) continue;
    const help = await helpOf(command.script);
    for (const flag of flags)
      if (!helpLists(help, flag)) problems.push(`${where}: ${flag} is not an option of npm run ${command.script} (see its --help)`);
  }
  return problems;
}
