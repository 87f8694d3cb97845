import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { beforeAll, describe, expect, it } from "vitest";
import { PASS_THROUGH_FLAGS, pulumiPassThrough } from "../../stacks/pulumi-args";
import { requireBuiltEngine, runPulumi } from "./engine";

// The allow-list of arguments after `--` against the real CLI's own flags: every flag that
// passes exists on both `pulumi up` and `pulumi preview`, with the same short letter, and takes
// a value exactly when the list says so (so the runner reads the arguments as pflag does).

interface CliFlag {
  readonly short: string | undefined;
  /** Takes the next argument as its value (no `[=default]` for a bare flag). */
  readonly value: boolean;
}

async function flagsOf(command: "up" | "preview"): Promise<Map<string, CliFlag>> {
  const run = await runPulumi([command, "--help"], mkdtempSync(`${tmpdir()}/pulumi-help-`), { PATH: process.env.PATH ?? "" });
  expect(run.code, run.stderr).toBe(0);
  const flags = new Map<string, CliFlag>();
  for (const line of run.stdout.split("\n")) {
    const match = /^\s+(?:-(\w), )?--([\w-]+)(?: (\S+))?/.exec(line);
    if (match === null) continue;
    const [, short, name, type] = match;
    // A typed flag takes a value unless it declares one for its bare form (`string[="true"]`); a bool shows no type.
    const typed = type !== undefined && /^(string|stringArray|strings|int|int32|int64)(\[=.*\])?$/.test(type);
    flags.set(name as string, { short, value: typed && !(type as string).includes("[=") });
  }
  return flags;
}

describe("the arguments that pass through, as the real CLI defines them", () => {
  beforeAll(requireBuiltEngine);

  it("every allowed flag is a flag of pulumi up and pulumi preview, read the same way", async () => {
    for (const command of ["up", "preview"] as const) {
      const cli = await flagsOf(command);
      for (const flag of PASS_THROUGH_FLAGS) {
        const found = cli.get(flag.name);
        expect(found, `${command} --${flag.name}`).toBeDefined();
        expect(found?.value, `${command} --${flag.name} takes a value`).toBe(flag.value);
        if (flag.short !== undefined) expect(found?.short, `${command} --${flag.name}`).toBe(flag.short);
      }
      // Every other flag of the command is refused, the steering ones among them.
      for (const [name, { short }] of cli) {
        if (PASS_THROUGH_FLAGS.some((flag) => flag.name === name) || name === "help") continue;
        expect(pulumiPassThrough([`--${name}`], { command, stack: "dev" }).ok, `--${name}`).toBe(false);
        if (short !== undefined && !PASS_THROUGH_FLAGS.some((flag) => flag.short === short))
          expect(pulumiPassThrough([`-${short}`], { command, stack: "dev" }).ok, `-${short}`).toBe(false);
      }
      expect(cli.has("stack") && cli.has("config-file") && cli.has("cwd") && cli.has("config"), command).toBe(true);
    }
  });
});
