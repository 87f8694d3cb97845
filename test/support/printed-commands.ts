import { main as adopt } from "../../stacks/adopt";
import { main as audit } from "../../stacks/audit/main";
import type { StateWorkspace } from "../../stacks/drift/refresh-preview";
import { main as drift } from "../../stacks/drift/main";
import { main as local, type LocalIo } from "../../stacks/local/main";
import { main as runner, renderCheck, type StackCheck } from "../../stacks/runner";
import type { Capture, Exec } from "../../stacks/runner-steps/pulumi-cli";
import type { ReadOutputs } from "../../stacks/verify/stack-outputs";
import { REPO_ROOT } from "../../stacks/stack-config";
import { main as verify } from "../../stacks/verify/main";
import { exportsEmptyState } from "./empty-state";

// A command a fix prints, run as a user runs it from the repository root: `npm run <script> --
// <args>` through that script's own main (its real argument parsing and checks), `eval "$(...)"`
// as a shell does it (the lines printed become the shell's variables), a Management API delete
// as the request it names. The fakes stand for what is not here: the Pulumi CLI, the network.

/** The commands in a fix: what it marks as code. */
export const commandsIn = (fix: string): string[] => [...fix.matchAll(/`([^`]+)`/g)].map((match) => match[1] ?? "");

export type Printed =
  | { readonly kind: "npm"; readonly script: string; readonly args: readonly string[]; readonly silent: boolean }
  | { readonly kind: "eval"; readonly inner: Printed & { readonly kind: "npm" } }
  | { readonly kind: "delete"; readonly url: string; readonly tokenVariable: string }
  | { readonly kind: "stack-output"; readonly output: string; readonly stack: string }
  | { readonly kind: "backend"; readonly url: string }
  /** A Pulumi command; `backend` when the line sets PULUMI_BACKEND_URL for it (`PULUMI_BACKEND_URL=url pulumi ...`). */
  | { readonly kind: "pulumi"; readonly args: readonly string[]; readonly backend?: string };

/** What a printed command is, or an error saying it is none a user could run here. */
export function parsePrinted(command: string): Printed {
  const evaluated = /^eval "\$\((.+)\)"$/.exec(command);
  if (evaluated) {
    const inner = parsePrinted(evaluated[1] ?? "");
    if (inner.kind !== "npm") throw new Error(`eval of something that is not a script: ${command}`);
    return { kind: "eval", inner };
  }
  const npm = /^npm run (--silent )?(\S+) -- (.+)$/.exec(command);
  if (npm) return { kind: "npm", script: npm[2] ?? "", args: (npm[3] ?? "").split(" "), silent: npm[1] !== undefined };
  const curl = /^curl -fsS -X DELETE -H "Authorization: Bearer \$(\w+)" (https:\/\/\S+)$/.exec(command);
  if (curl) return { kind: "delete", url: curl[2] ?? "", tokenVariable: curl[1] ?? "" };
  // `${PULUMI_BACKEND_URL:-default}` as a shell expands it at the repository root, the variable unset.
  const backend = /^export PULUMI_BACKEND_URL=\$\{PULUMI_BACKEND_URL:-(\S+)\}$/.exec(command);
  if (backend) return { kind: "backend", url: (backend[1] ?? "").replace(/\$PWD/g, REPO_ROOT) };
  const output = /^pulumi stack output (\w+) --stack (\S+)$/.exec(command);
  if (output) return { kind: "stack-output", output: output[1] ?? "", stack: output[2] ?? "" };
  const pulumi = /^(?:PULUMI_BACKEND_URL=('(?:[^']|'\\'')*'|\S+) )?pulumi ((config set|stack change-secrets-provider|cancel) .+)$/.exec(
    command,
  );
  if (pulumi) {
    const args = (pulumi[2] ?? "").split(" ");
    const backend = pulumi[1]?.replace(/^'(.*)'$/, "$1").replace(/'\\''/g, "'");
    return { kind: "pulumi", args, ...(backend === undefined ? {} : { backend }) };
  }
  throw new Error(`not a command of this repository, a Management API delete or a stack output: ${command}`);
}

/** The fakes a printed command runs with, and the shell's variables (an `eval` adds to them). */
export interface PrintedIo {
  env: NodeJS.ProcessEnv;
  readonly exec?: Exec;
  readonly capture?: Capture;
  readonly workspace?: StateWorkspace;
  readonly fetch?: typeof fetch;
  readonly readOutputs?: ReadOutputs;
  /** local mode's folder (`<root>/.local` as a user has it). */
  readonly localFolder?: string;
  readonly localIo?: Partial<LocalIo>;
  readonly checkStack?: StackCheck;
}

export interface PrintedRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

// The real stack file check (the render's), once per stack.
const checked = new Map<string, ReturnType<StackCheck>>();
export const cachedCheck: StackCheck = (stack, root) => {
  const found = checked.get(stack) ?? renderCheck(stack, root);
  checked.set(stack, found);
  return found;
};

/** Runs a script of package.json through its main, as `npm run <script> -- <args>` would. */
async function runScript(script: string, args: readonly string[], io: PrintedIo): Promise<PrintedRun> {
  let stdout = "";
  let stderr = "";
  const out = { write: (text: string) => (stdout += text) };
  const err = { write: (text: string) => (stderr += text) };
  const line = (text: string) => (stderr += `${text}\n`);
  const noNetwork: typeof fetch = () => Promise.reject(new Error("no network here"));
  const fetchFn = io.fetch ?? noNetwork;
  let code: number;
  switch (script) {
    case "up":
    case "preview":
      code = await runner([script, ...args], {
        env: io.env,
        stderr: line,
        exec: io.exec ?? (() => Promise.resolve(0)),
        capture: io.capture ?? exportsEmptyState,
        cliInstalled: () => true,
        checkStack: io.checkStack ?? cachedCheck,
      });
      break;
    case "audit":
      code = await audit(args, io.env, { stdout: out, stderr: err, fetch: fetchFn });
      break;
    case "drift":
      code = await drift(args, io.env, {
        stdout: out,
        stderr: err,
        checkStack: io.checkStack ?? cachedCheck,
        workspace: io.workspace ?? { previewRefresh: () => Promise.reject(new Error("no Pulumi CLI here")) },
      });
      break;
    case "verify":
      code = await verify(args, {
        env: io.env,
        stdout: out,
        stderr: err,
        fetch: fetchFn,
        readOutputs: io.readOutputs ?? (() => Promise.reject(new Error("no Pulumi CLI here"))),
      });
      break;
    case "adopt":
      code = await adopt(args, io.env, { stdout: (text) => (stdout += `${text}\n`), stderr: line, fetch: fetchFn });
      break;
    case "local":
      code = await local(args, {
        env: io.env,
        exec: io.exec ?? (() => Promise.resolve(1)),
        // A run that plays the CLI's deploys plays its export too: a stack with nothing pending.
        capture: io.capture ?? exportsEmptyState,
        readOutputs: io.readOutputs,
        untilStopped: () => Promise.resolve(),
        ...io.localIo,
        ...(io.localFolder === undefined ? {} : { folder: io.localFolder }),
        stdout: out,
        stderr: err,
      });
      break;
    default:
      throw new Error(`no script "${script}" known here`);
  }
  return { code, stdout, stderr };
}

/** `export NAME='value'` lines, as a POSIX shell evaluates them. */
export function evaluatedExports(lines: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const match of lines.matchAll(/^export (\w+)='((?:[^']|'\\'')*)'$/gm)) env[match[1] ?? ""] = (match[2] ?? "").replace(/'\\''/g, "'");
  return env;
}

/** Runs one printed command; an `eval` sets the shell's variables for the commands after it. */
export async function runPrinted(command: string, io: PrintedIo): Promise<PrintedRun> {
  const printed = parsePrinted(command);
  switch (printed.kind) {
    case "npm":
      return runScript(printed.script, printed.args, io);
    case "eval": {
      const run = await runScript(printed.inner.script, printed.inner.args, io);
      // `npm run --silent` prints the script's stdout alone: that is what eval runs.
      if (run.code === 0) io.env = { ...io.env, ...evaluatedExports(run.stdout) };
      return run;
    }
    case "delete": {
      const token = io.env[printed.tokenVariable];
      if (io.fetch === undefined || token === undefined) return { code: 1, stdout: "", stderr: `no ${printed.tokenVariable} or network` };
      const response = await io.fetch(printed.url, { method: "DELETE", headers: { Authorization: `Bearer ${token}` } });
      // curl -f: an HTTP error is exit 22.
      return { code: response.ok ? 0 : 22, stdout: await response.text(), stderr: "" };
    }
    case "backend":
      io.env = { PULUMI_BACKEND_URL: printed.url, ...io.env };
      return { code: 0, stdout: "", stderr: "" };
    case "pulumi":
    case "stack-output":
      // Flags checked against the Pulumi CLI's own --help (v3.248.0): `pulumi stack output <name> --stack <stack>`.
      return { code: 0, stdout: "", stderr: "" };
  }
}

/** Runs every command of a fix in order (a check among them may report drift: that is its answer, not a failure). */
export async function runFix(fix: string, io: PrintedIo): Promise<{ command: string; run: PrintedRun }[]> {
  const runs: { command: string; run: PrintedRun }[] = [];
  for (const command of commandsIn(fix)) runs.push({ command, run: await runPrinted(command, io) });
  return runs;
}

/** What commander says of arguments it refuses: a command printed with such arguments does not work as printed. */
export const USAGE_ERROR =
  /^error: (unknown option|unknown command|required option|missing required argument|option '[^']*' argument|too many arguments|option '[^']*' cannot be used)/m;
