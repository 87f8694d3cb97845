import { Command, CommanderError, InvalidArgumentError, Option, type OptionValues } from "commander";
import { EXIT_ERROR } from "./exit-codes";
import { listDeliveredStacks, resolveStack } from "./stack-config";

/**
 * The command of a package.json script, named as a user types it, so that its usage line reads
 * `Usage: npm run audit -- [options]`: what follows `--` reaches the script, what precedes it npm.
 */
export function scriptCommand(script: string): Command {
  return new Command().name(`npm run ${script} --`);
}

/** `--stack <name>` or `--all`: the stacks a command that reads stacks runs over. */
export interface StackSelection {
  readonly stack?: string;
  readonly all: boolean;
}

/** Adds `--stack` and `--all` to a command; `verb` says what is done to a stack ("audit", "check"). */
export function withStackSelection(program: Command, verb: string): Command {
  return program
    .addOption(new Option("--stack <name>", `the stack to ${verb} (its Pulumi.<stack>.yaml)`).conflicts("all"))
    .option(
      "--all",
      `${verb} every stack that has a stack file, but local (the local Auth0 of npm run local: name it with --stack local)`,
      false,
    );
}

/** Parses argv with a command set to `exitOverride`: its options, or the exit code commander chose (help is 0). */
export function parseCommand<T extends OptionValues>(
  program: Command,
  argv: readonly string[],
): { ok: true; options: T } | { ok: false; exitCode: number } {
  try {
    program.parse([...argv], { from: "user" });
  } catch (error) {
    if (error instanceof CommanderError) return { ok: false, exitCode: error.exitCode };
    throw error;
  }
  return { ok: true, options: program.opts<T>() };
}

/**
 * The stacks selected, or why none can be: nothing selected, a `--stack` that is not a stack of
 * this repository (see resolveStack), or no stack files at all. Decided before anything is read.
 */
export function selectedStacks(
  selection: StackSelection,
  verb: string,
  root: string,
): { ok: true; stacks: string[] } | { ok: false; message: string; exitCode: number } {
  if (selection.stack === undefined && !selection.all) {
    return { ok: false, message: `error: name a stack with --stack <name>, or ${verb} every stack with --all`, exitCode: EXIT_ERROR };
  }
  if (selection.stack !== undefined) {
    const resolved = resolveStack(selection.stack, root);
    return resolved.ok ? { ok: true, stacks: [resolved.stack] } : { ok: false, message: resolved.message, exitCode: EXIT_ERROR };
  }
  const known = listDeliveredStacks(root);
  if (known.length === 0) {
    return { ok: false, message: `error: no stack files (Pulumi.<stack>.yaml) in ${root}`, exitCode: EXIT_ERROR };
  }
  return { ok: true, stacks: known };
}

/** A commander argument parser for a whole number within bounds; anything else is a usage error naming them. */
export function wholeNumber(min: number, max: number): (raw: string) => number {
  return (raw) => {
    const value = Number(raw);
    if (!Number.isInteger(value) || value < min || value > max)
      throw new InvalidArgumentError(`expected a whole number from ${min} to ${max}`);
    return value;
  };
}
