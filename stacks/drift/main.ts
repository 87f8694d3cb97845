import { Command, Option } from "commander";
import { exitCodeFor } from "../exit-codes";
import { backendEnvironment, renderCheck, type StackCheck } from "../runner";
import { listStacks, REPO_ROOT } from "../stack-config";
import { pulumiProblem } from "../problems";
import { parseCommand, scriptCommand, selectedStacks, withStackSelection, type StackSelection } from "../cli";
import { paintFor, type Output } from "../terminal";
import { driftFix, neverDeployedFix, runAs } from "../fixes";
import { automationWorkspace, CliNotInstalled, StackNotDeployed, WorkspaceError, type StateWorkspace } from "./refresh-preview";
import { FORMATS, renderDrift, stateOutcome, type Format, type StackStateDrift } from "./report";
import { summariseRefresh } from "./summarise";

export interface DriftIo {
  readonly stdout: Output;
  /** Pulumi's own output streams here, so stdout carries the report alone. */
  readonly stderr: Output;
  /** The Automation API over this repository unless a test passes a fake. */
  readonly workspace?: StateWorkspace;
  /** The stack file check; render's unless a test passes its own. */
  readonly checkStack?: StackCheck;
}

interface DriftOptions extends StackSelection {
  readonly format: Format;
}

function command(io: DriftIo): Command {
  return withStackSelection(scriptCommand("drift"), "check")
    .description(
      "Preview a refresh of each stack (Pulumi CLI needed; no state is written) and report the resources that drifted (exit 0 none, 2 drift, 1 error).",
    )
    .addOption(new Option("--format <format>", "report format").choices(FORMATS).default("text"))
    .exitOverride()
    .configureOutput({ writeOut: (text) => io.stdout.write(text), writeErr: (text) => io.stderr.write(text) });
}

async function checkStack(workspace: StateWorkspace, stack: string, known: readonly string[], io: DriftIo): Promise<StackStateDrift> {
  if (!known.includes(stack)) {
    return {
      stack,
      outcome: "error",
      drift: undefined,
      error: `no stack file for "${stack}" (stacks here: ${known.join(", ") || "none"})`,
    };
  }
  // The stack file first, as `npm run render` checks it: a refused file never reaches Pulumi.
  const checked = await (io.checkStack ?? renderCheck)(stack, REPO_ROOT);
  if (!checked.ok) return { stack, outcome: "error", drift: undefined, error: checked.message.replace(/^error: /, "") };
  const target = checked.spec;
  const instead = `${runAs(target, "audit")}, which needs no CLI`;
  try {
    const preview = await workspace.previewRefresh(stack, (text) => io.stderr.write(text));
    const drift = summariseRefresh(preview);
    const outcome = stateOutcome(drift);
    return { stack, outcome, drift, error: undefined, fix: outcome === "drift" ? driftFix(target) : undefined };
  } catch (error) {
    if (error instanceof StackNotDeployed)
      return { stack, outcome: "error", drift: undefined, error: error.message, fix: neverDeployedFix(target) };
    const message =
      error instanceof CliNotInstalled
        ? `${error.message}, or ${instead}`
        : error instanceof WorkspaceError
          ? error.message
          : `the refresh preview failed: ${pulumiProblem(error, instead)}`;
    return { stack, outcome: "error", drift: undefined, error: message };
  }
}

/** `npm run drift -- --stack dev`: returns the exit code; never exits the process. */
export async function main(argv: readonly string[], env: NodeJS.ProcessEnv, io: DriftIo): Promise<number> {
  const parsed = parseCommand<DriftOptions>(command(io), argv);
  if (!parsed.ok) return parsed.exitCode;
  const options = parsed.options;
  const known = listStacks();
  const selected = selectedStacks(options, "check", REPO_ROOT);
  if (!selected.ok) {
    io.stderr.write(`${selected.message}\n`);
    return selected.exitCode;
  }
  const stacks = selected.stacks;
  // The same backend as `npm run up`: the local file backend unless PULUMI_BACKEND_URL says otherwise.
  const backend = backendEnvironment(env).PULUMI_BACKEND_URL ?? "";
  const workspace = io.workspace ?? automationWorkspace(REPO_ROOT, { PULUMI_BACKEND_URL: backend });
  const results: StackStateDrift[] = [];
  // One at a time: each preview runs the whole program and holds the stack's lock.
  for (const stack of stacks) results.push(await checkStack(workspace, stack, known, io));
  const exitCode = exitCodeFor(results.map((r) => r.outcome));
  io.stdout.write(renderDrift({ stacks: results, exitCode }, options.format, paintFor(io.stdout, env)));
  return exitCode;
}
