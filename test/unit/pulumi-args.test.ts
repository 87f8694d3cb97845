import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { PASS_THROUGH_FLAGS, pulumiPassThrough } from "../../stacks/pulumi-args";
import { main, type RunnerIo } from "../../stacks/runner";
import { exportsEmptyState } from "../support/empty-state";

// The flags of `pulumi up`/`preview` that choose the stack, file, folder, config, guardrails or
// confirmation (Pulumi 3.x `pulumi up --help`), in every spelling pflag reads.
const STEERING = [
  ["--stack", "-s"],
  ["--config-file"],
  ["--cwd", "-C"],
  ["--config", "-c"],
  ["--config-path"],
  ["--yes", "-y"],
  ["--skip-preview", "-f"],
  ["--policy-pack"],
  ["--policy-pack-config"],
  ["--secrets-provider"],
  ["--refresh", "-r"],
] as const;

const allowedSwitches = PASS_THROUGH_FLAGS.filter((flag) => !flag.value);
const allowedValued = PASS_THROUGH_FLAGS.filter((flag) => flag.value);
const value = fc.string({ maxLength: 12 });

/** One allowed argument group, in any of the spellings pflag reads. */
const allowedGroup: fc.Arbitrary<string[]> = fc.oneof(
  fc.constantFrom(...allowedSwitches).map((flag) => [`--${flag.name}`]),
  fc.tuple(fc.constantFrom(...allowedSwitches), fc.boolean()).map(([flag, on]) => [`--${flag.name}=${on}`]),
  fc.boolean().map((on) => [`-j=${on}`]),
  fc.tuple(fc.constantFrom(...allowedValued), value).map(([flag, v]) => [`--${flag.name}`, v]),
  fc.tuple(fc.constantFrom(...allowedValued), value).map(([flag, v]) => [`--${flag.name}=${v}`]),
  fc.tuple(fc.constantFrom("t", "p", "m"), value).map(([short, v]) => [`-${short}`, v]),
  fc.tuple(fc.constantFrom("t", "p", "m"), fc.string({ minLength: 1, maxLength: 8 })).map(([short, v]) => [`-j${short}${v}`]),
);

/** A steering flag in any spelling: alone, `=value`, with a value, or inside combined short flags. */
const steeringGroup: fc.Arbitrary<{ group: string[]; named: string }> = fc
  .tuple(fc.constantFrom(...STEERING), fc.nat(3), value)
  .map(([spellings, form, v]) => {
    const spelling = spellings[form % spellings.length] as string;
    const short = spelling.length === 2;
    if (form === 0) return { group: [spelling, v], named: spelling };
    if (form === 1) return { group: [`${spelling}=${v}`], named: spelling };
    if (short && form === 2) return { group: [`-j${spelling.slice(1)}${v}`], named: spelling };
    return { group: [spelling], named: spelling };
  });

const DEV_UP = { command: "up", stack: "dev" } as const;

describe("arguments after -- for pulumi", () => {
  test("any list of allowed flags, in any spelling, passes through unchanged", () => {
    fc.assert(
      fc.property(fc.array(allowedGroup, { maxLength: 6 }), (groups) => {
        const args = groups.flat();
        expect(pulumiPassThrough(args, DEV_UP)).toEqual({ ok: true, args });
      }),
      { seed: 26, numRuns: 300 },
    );
  });

  test("a flag that steers Pulumi anywhere in the list is refused in one line naming it, never its value", () => {
    fc.assert(
      fc.property(
        fc.array(allowedGroup, { maxLength: 3 }),
        steeringGroup,
        fc.array(allowedGroup, { maxLength: 3 }),
        (before, steering, after) => {
          const result = pulumiPassThrough([...before.flat(), ...steering.group, ...after.flat()], DEV_UP);
          expect(result.ok).toBe(false);
          if (result.ok) return;
          expect(result.message.split("\n")).toHaveLength(1);
          expect(result.message).toContain(`${steering.named} (after --)`);
        },
      ),
      { seed: 26, numRuns: 300 },
    );
  });

  test("a flag not on the list, a second --, and a positional argument are refused", () => {
    for (const args of [["--continue-on-error"], ["--", "--stack", "x"], ["https://example.com/template"], ["-v=9"], ["-"]]) {
      expect(pulumiPassThrough(args, DEV_UP).ok, args.join(" ")).toBe(false);
    }
  });

  test("a flag's value may look like a flag: it is taken as the value, as pflag takes it", () => {
    expect(pulumiPassThrough(["--message", "--stack"], DEV_UP).ok).toBe(true);
  });

  test("a refused -c never prints the secret it carries", () => {
    const result = pulumiPassThrough(["-c", "timesheets:testUserPassword=hunter2-plain"], DEV_UP);
    expect(result).toEqual({ ok: false, message: expect.stringContaining("-c (after --)") });
    expect(JSON.stringify(result)).not.toContain("hunter2");
  });
});

describe("the runner refuses steering arguments before anything runs", () => {
  const cases = [
    ["--stack", "prod"],
    ["--config-file", "Pulumi.prod.yaml"],
    ["--cwd", "../elsewhere"],
    ["-c", "timesheets:testUserPassword=plain"],
    ["-s", "prod"],
  ];
  for (const extra of cases) {
    test(`up -- ${extra.join(" ")}`, async () => {
      const calls: string[][] = [];
      const errors: string[] = [];
      const io: RunnerIo = {
        env: { AUTH0_CLIENT_ID: "deployer", AUTH0_CLIENT_SECRET: "s3cret" },
        stderr: (line) => errors.push(line),
        exec: async (args) => (calls.push([...args]), 0),
        capture: async (args) => (calls.push([...args]), { code: 0, stdout: "{}" }),
        cliInstalled: () => true,
        checkStack: async () => ({ ok: false, message: "error: the check ran" }),
      };
      expect(await main(["up", "--stack", "dev", "--yes", "--", ...extra], io)).toBe(1);
      expect(calls).toEqual([]);
      expect(errors).toHaveLength(1);
      expect(errors[0]).toContain(`${extra[0]} (after --) is not passed to pulumi`);
      expect(errors.join("\n")).not.toContain("plain");
    });
  }

  test("allowed arguments reach pulumi after the runner's own", async () => {
    const calls: string[][] = [];
    const io: RunnerIo = {
      env: { AUTH0_CLIENT_ID: "previewer", AUTH0_CLIENT_SECRET: "s3cret" },
      stderr: () => undefined,
      exec: async (args) => (calls.push([...args]), 0),
      capture: exportsEmptyState,
      cliInstalled: () => true,
      checkStack: async () => ({ ok: true, spec: { adopt: {} } as never }),
    };
    expect(await main(["preview", "--stack", "dev", "--", "--expect-no-changes", "-t", "urn:x"], io)).toBe(0);
    expect(calls.at(-1)?.slice(-3)).toEqual(["--expect-no-changes", "-t", "urn:x"]);
    expect(calls.at(-1)).not.toContain("--config-file");
  });
});
