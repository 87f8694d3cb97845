import { describe, expect, test } from "vitest";
import { ourCommands, packageScripts, runScript, runsInProcess } from "../support/scripts";

// `npm run X -- --help` on every command of this repository prints its usage and exits 0, and
// does nothing else: no request, no server, no file, no Pulumi CLI. The list comes from
// package.json, so a new script is held to this without being named here.

const scripts = packageScripts();
const commands = ourCommands(scripts);

describe("--help on every script", () => {
  test("the commands of this repository are found in package.json, tool passthroughs left out", () => {
    expect(commands).toEqual(expect.arrayContaining(["render", "audit", "verify", "stand-in:replay", "bench:stand-in", "up"]));
    for (const tool of ["typecheck", "lint", "format", "test", "test:policy", "test:engine"]) expect(commands).not.toContain(tool);
  });

  test.each(commands)("npm run %s -- --help prints its usage, exits 0 and does no work", async (name) => {
    const run = await runScript(name, ["--help"], scripts);
    const output = `${run.stdout}${run.stderr}`;
    expect(run.code, output).toBe(0);
    // The usage line reads as what a user types: `npm run X --`, then the options.
    expect(output.trimStart().split("\n")[0]).toMatch(new RegExp(`^Usage: npm run ${name.replace(/[:]/g, "\\:")} -- \\[options\\]`));
    expect(run.effects).toEqual([]);
    // Only the usage: it ends with the list of options; a run that did its work would print its report or figures after it.
    expect(output.trimEnd().split("\n").at(-1), output).toMatch(/^\s+-h, --help\s+display help/);
  });

  test("an option a command does not have is a usage error (exit 1), not a run", async () => {
    for (const name of commands.filter((command) => runsInProcess(command, scripts))) {
      const run = await runScript(name, ["--no-such-option"], scripts);
      expect(run.code, name).toBe(1);
      expect(run.stderr, name).toMatch(/^error: (unknown option '--no-such-option'|required option)/);
      expect(run.effects, name).toEqual([]);
    }
  });
});
