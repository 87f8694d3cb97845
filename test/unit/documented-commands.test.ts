import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, test } from "vitest";
import { listStacks, REPO_ROOT } from "../../stacks/stack-config";
import {
  documentationFiles,
  documentedCommands,
  problemsOf,
  readDocumentedCommands,
  type DocumentedCommand,
} from "../support/documented-commands";
import { packageScripts, runScript } from "../support/scripts";

// Every npm command in README.md and docs/**/*.md works as written when pasted: its script is
// in package.json, each flag it passes is one its --help lists, and the cheap ones (offline, no
// credentials) run and exit 0.

const scripts = packageScripts();
const commands = readDocumentedCommands(REPO_ROOT);

const helps = new Map<string, Promise<string>>();
function helpOf(script: string): Promise<string> {
  let help = helps.get(script);
  if (help === undefined) {
    help = runScript(script, ["--help"], scripts).then((run) => `${run.stdout}${run.stderr}`);
    helps.set(script, help);
  }
  return help;
}

/** Scripts that need no network, no credentials and no Pulumi CLI: a documented use of them is run. */
const OFFLINE = new Set(["render"]);
/**
 * The new stack of the "Adding an environment" runbook: its commands make sense once its first
 * steps have added the stack file (test/policy/runbook.test.ts follows them); any other stack a
 * command names must exist.
 */
const RUNBOOK_STACKS = new Set(["qa"]);

function runnable(command: DocumentedCommand): boolean {
  // A bare `npm run render` in prose names the script; a command to paste says what to render.
  if (command.script === undefined || !OFFLINE.has(command.script) || command.args.length === 0) return false;
  if (command.args.some((arg) => /[<>$]|\.\.\./.test(arg))) return false;
  return !command.args.some((arg) => RUNBOOK_STACKS.has(arg));
}

describe("the commands in the documentation", () => {
  test("are found in README.md and docs/", () => {
    const scriptsUsed = new Set(commands.map((c) => c.script));
    for (const script of ["render", "audit", "verify", "up", "test"]) expect(scriptsUsed).toContain(script);
  });

  test("name scripts that exist, with flags those scripts have", async () => {
    expect(await problemsOf(commands, scripts, helpOf)).toEqual([]);
  });

  const cheap = [...new Map(commands.filter(runnable).map((c) => [`npm run ${c.script} -- ${c.args.join(" ")}`, c])).entries()];
  test.each(cheap)("%s runs and exits 0", async (_text, command) => {
    for (const arg of command.args.filter((a) => !a.startsWith("-")))
      expect(listStacks(), `${command.file}:${command.line}`).toContain(arg);
    const run = await runScript(command.script as string, command.args, scripts);
    expect(run.code, `${command.file}:${command.line}: ${run.stderr}`).toBe(0);
  });
});

/** The lines of each fenced code block that is not of another language (mermaid, yaml, xml...). */
function shellBlocks(markdown: string): string[][] {
  const blocks: string[][] = [];
  let current: string[] | undefined;
  let shell = false;
  for (const line of markdown.split("\n")) {
    const fence = /^\s*```\s*(\S*)/.exec(line);
    if (fence !== null) {
      if (current === undefined) {
        current = [];
        shell = ["", "sh", "bash", "shell", "console"].includes(fence[1] ?? "");
      } else {
        if (shell) blocks.push(current);
        current = undefined;
      }
    } else if (current !== undefined) current.push(line);
  }
  return blocks;
}

test("every direct `pulumi` command on a stack in a code block runs on the runner's backend, not whatever backend is logged in", () => {
  const unbound: string[] = [];
  for (const file of documentationFiles(REPO_ROOT)) {
    for (const block of shellBlocks(readFileSync(path.join(REPO_ROOT, file), "utf8"))) {
      block.forEach((line, index) => {
        if (!/^\s*pulumi (stack|preview|up|refresh|destroy|import)\b/.test(line)) return;
        if (!block.slice(0, index + 1).some((earlier) => /PULUMI_BACKEND_URL=/.test(earlier))) unbound.push(`${file}: ${line.trim()}`);
      });
    }
  }
  expect(unbound).toEqual([]);
});

describe("the documentation check itself", () => {
  const doc = [
    "Run it:",
    "",
    "```sh",
    "npm ci && npm run audit -- --stack dev --formatt markdown >> summary.md   # a typo",
    "npm run -s render -- --compare dev prod",
    "```",
    "",
    "Or `npm run deploy -- --stack dev`, then `npm test`.",
  ].join("\n");

  test("finds commands in fences and inline code, with their lines", () => {
    const found = documentedCommands("docs/x.md", doc);
    expect(found.map((c) => [c.line, c.verb, c.script, c.args])).toEqual([
      [4, "ci", undefined, []],
      [4, "run", "audit", ["--stack", "dev", "--formatt", "markdown"]],
      [5, "run", "render", ["--compare", "dev", "prod"]],
      [8, "run", "deploy", ["--stack", "dev"]],
      [8, "test", "test", []],
    ]);
  });

  test("a documented flag that does not exist fails with the file and line, and so does a script", async () => {
    const problems = await problemsOf(documentedCommands("docs/x.md", doc), scripts, helpOf);
    expect(problems).toEqual([
      expect.stringMatching(
        /^docs\/x\.md:4: npm run audit -- --stack dev --formatt markdown.*: --formatt is not an option of npm run audit/,
      ),
      expect.stringMatching(/^docs\/x\.md:8: npm run deploy -- --stack dev: there is no script "deploy" in package.json$/),
    ]);
  });
});
