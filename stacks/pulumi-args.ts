/**
 * Which arguments given after `--` may reach `pulumi up` / `pulumi preview`. The runner checks
 * one stack file and hands Pulumi that stack, that file and this folder; an argument that could
 * change any of them (or the config, the guardrails, or the confirmation) would act on something
 * never checked. So the rule is an allow-list: only flags that change how Pulumi shows or orders
 * the work pass through; anything else, unknown flags included, is refused before Pulumi runs.
 *
 * Arguments are read as Pulumi's flag parser (spf13/pflag) reads them: `--flag`, `--flag=value`,
 * `--flag value` for a flag that takes one (the next argument, whatever it starts with), short
 * flags alone or combined (`-jp8`, `-j -p 8`, `-p=8`), and `--` ending the flags.
 */

import { refusedFlagFix } from "./fixes";

interface Flag {
  readonly name: string;
  readonly short?: string;
  /** Takes a value (`--target urn`); otherwise a switch (`--diff`, `--diff=false`). */
  readonly value: boolean;
}

/** What may pass through: none of these changes which stack, file, folder or config Pulumi uses. */
export const PASS_THROUGH_FLAGS: readonly Flag[] = [
  { name: "diff", value: false },
  { name: "expect-no-changes", value: false },
  { name: "target", short: "t", value: true },
  { name: "target-dependents", value: false },
  { name: "exclude", value: true },
  { name: "exclude-dependents", value: false },
  { name: "replace", value: true },
  { name: "target-replace", value: true },
  { name: "parallel", short: "p", value: true },
  { name: "message", short: "m", value: true },
  { name: "color", value: true },
  { name: "json", short: "j", value: false },
  { name: "non-interactive", value: false },
  { name: "show-config", value: false },
  { name: "show-reads", value: false },
  { name: "show-replacement-steps", value: false },
  { name: "show-sames", value: false },
  { name: "suppress-outputs", value: false },
  { name: "suppress-progress", value: false },
  { name: "suppress-permalink", value: false },
];

const BY_NAME = new Map(PASS_THROUGH_FLAGS.map((flag) => [flag.name, flag]));
const BY_SHORT = new Map(PASS_THROUGH_FLAGS.flatMap((flag) => (flag.short === undefined ? [] : [[flag.short, flag] as const])));

export type PassThrough = { ok: true; args: string[] } | { ok: false; message: string };

/** Which run the arguments are for: where a refused flag's setting belongs depends on it. */
export interface PassThroughFor {
  readonly command: "up" | "preview";
  readonly stack: string;
}

function refused(shown: string, key: string, run: PassThroughFor): PassThrough {
  const why =
    refusedFlagFix(key, run.command, run.stack) ??
    "it is not one of the flags that cannot change which stack, file, folder or config Pulumi uses";
  // The flag only, never its value: `-c key=secret` must not be printed back.
  return {
    ok: false,
    message: `error: ${shown} (after --) is not passed to pulumi: ${why}; see "Arguments for Pulumi" in docs/configuration.md`,
  };
}

/** The arguments after `--` that may reach Pulumi as they are, or the one-line refusal naming the first that may not. */
export function pulumiPassThrough(args: readonly string[], run: PassThroughFor): PassThrough {
  for (let index = 0; index < args.length; index++) {
    const arg = args[index] as string;
    if (arg === "--") return refused("--", "--", run);
    if (arg.startsWith("--")) {
      const equals = arg.indexOf("=");
      const name = arg.slice(2, equals === -1 ? undefined : equals);
      const flag = BY_NAME.get(name);
      if (flag === undefined) return refused(`--${name}`, name, run);
      // A switch takes no separate value; one that takes a value without `=` takes the next argument.
      if (flag.value && equals === -1) {
        if (index + 1 >= args.length) return { ok: false, message: `error: --${name} (after --) needs a value` };
        index++;
      }
      continue;
    }
    if (arg.startsWith("-") && arg.length > 1) {
      // Combined short flags: switches until one that takes a value, which takes the rest (or the next argument).
      for (let at = 1; at < arg.length; at++) {
        const letter = arg[at] as string;
        const flag = BY_SHORT.get(letter);
        if (flag === undefined) return refused(`-${letter}`, letter, run);
        // `-j=false`: what follows `=` is the switch's value, as pflag reads it.
        if (!flag.value && arg[at + 1] === "=") break;
        if (!flag.value) continue;
        if (at + 1 === arg.length) {
          if (index + 1 >= args.length) return { ok: false, message: `error: -${letter} (after --) needs a value` };
          index++;
        }
        break;
      }
      continue;
    }
    // `pulumi up [template|url]` would make a new project from it: no argument of that kind passes.
    return {
      ok: false,
      message: `error: a positional argument (after --) is not passed to pulumi: it would name another program (pulumi up [template|url]); see "Arguments for Pulumi" in docs/configuration.md`,
    };
  }
  return { ok: true, args: [...args] };
}
