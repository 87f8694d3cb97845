import { spawn } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { vi } from "vitest";
import * as render from "../../stacks/render";
import * as runner from "../../stacks/runner";
import * as audit from "../../stacks/audit/main";
import * as drift from "../../stacks/drift/main";
import * as verify from "../../stacks/verify/main";
import * as adopt from "../../stacks/adopt";
import * as local from "../../stacks/local/main";
import * as benchAudit from "../bench/audit";
import * as benchStandIn from "../bench/stand-in";
import * as benchLocal from "../bench/local";
import * as benchEngine from "../bench/engine";
import * as build from "../../stacks/build-cli";
import * as replay from "../e2e/stand-in/replay";
import { REPO_ROOT } from "../../stacks/stack-config";
import type { Output } from "../../stacks/terminal";

// The package.json scripts as a user runs them (`npm run X -- args`): which are commands of ours,
// and a way to run one that records what it reached for. Commands of ours run in-process through
// their own main(argv, io) where one is known here; any other (a new script, or one whose io this
// file does not know) is spawned as npm would run it. Nothing here reaches a network or a cloud.

/** Programs whose scripts pass through to a tool (type check, tests, lint, scripts side by side): their --help is the tool's. */
const TOOLS = new Set(["tsc", "vitest", "eslint", "prettier", "npm", "run-p"]);

export function packageScripts(root = REPO_ROOT): Record<string, string> {
  return (JSON.parse(readFileSync(path.join(root, "package.json"), "utf8")) as { scripts: Record<string, string> }).scripts;
}

/** A script's command split at blanks: `tsx stacks/runner.ts up` → program, file, fixed arguments. */
export function commandOf(command: string): { program: string; file: string | undefined; args: string[] } {
  const [program = "", file, ...args] = command.split(/\s+/).filter((word) => word !== "");
  return { program, file, args };
}

/** The scripts that are commands of this repository (not a tool passthrough, not a chain of scripts). */
export function ourCommands(scripts = packageScripts()): string[] {
  return Object.entries(scripts)
    .filter(([, command]) => !command.includes("&&") && !TOOLS.has(commandOf(command).program))
    .map(([name]) => name)
    .sort();
}

export interface ScriptRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  /** What the run reached for beyond printing: requests, ports, files, programs. Empty when it only talked. */
  readonly effects: readonly string[];
}

interface Capture {
  readonly out: { stdout: string; stderr: string };
  readonly stdout: Output;
  readonly stderr: Output;
  readonly line: { stdout: (text: string) => void; stderr: (text: string) => void };
  readonly effects: string[];
  readonly fetch: typeof fetch;
}

function capture(): Capture {
  const out = { stdout: "", stderr: "" };
  const effects: string[] = [];
  return {
    out,
    effects,
    stdout: { write: (text: string) => (out.stdout += text) },
    stderr: { write: (text: string) => (out.stderr += text) },
    line: { stdout: (text) => (out.stdout += `${text}\n`), stderr: (text) => (out.stderr += `${text}\n`) },
    fetch: (input) => {
      effects.push(`fetch ${String(input instanceof Request ? input.url : input)}`);
      return Promise.reject(new Error("no network for a script run in a test"));
    },
  };
}

type InProcess = (argv: string[], c: Capture, scratch: string) => Promise<number>;

/** Commands run through their own main, by the file their script names. */
const IN_PROCESS: Readonly<Record<string, InProcess>> = {
  "stacks/render.ts": (argv, c, scratch) => render.main(argv, { stdout: c.line.stdout, stderr: c.line.stderr, outRoot: scratch }),
  "stacks/runner.ts": (argv, c) =>
    runner.main(argv, {
      env: {},
      stderr: c.line.stderr,
      cliInstalled: () => true,
      exec: (args) => {
        c.effects.push(`pulumi ${args.join(" ")}`);
        return Promise.resolve(1);
      },
      capture: (args) => {
        c.effects.push(`pulumi ${args.join(" ")}`);
        return Promise.resolve({ code: 1, stdout: "" });
      },
    }),
  "stacks/audit-cli.ts": (argv, c) => audit.main(argv, {}, { stdout: c.stdout, stderr: c.stderr, fetch: c.fetch }),
  "stacks/drift-cli.ts": (argv, c) =>
    drift.main(
      argv,
      {},
      {
        stdout: c.stdout,
        stderr: c.stderr,
        workspace: {
          previewRefresh: (stack) => {
            c.effects.push(`refresh preview of ${stack}`);
            return Promise.reject(new Error("no Pulumi CLI for a script run in a test"));
          },
        },
      },
    ),
  "stacks/verify-cli.ts": (argv, c) =>
    verify.main(argv, {
      env: {},
      stdout: c.stdout,
      stderr: c.stderr,
      fetch: c.fetch,
      readOutputs: (stack) => {
        c.effects.push(`outputs of ${stack}`);
        return Promise.reject(new Error("no Pulumi CLI for a script run in a test"));
      },
    }),
  "stacks/adopt.ts": (argv, c) => adopt.main(argv, {}, { stdout: c.line.stdout, stderr: c.line.stderr, fetch: c.fetch }),
  "stacks/local-cli.ts": (argv, c, scratch) =>
    local.main(argv, {
      env: {},
      stdout: c.stdout,
      stderr: c.stderr,
      folder: scratch,
      exec: (args) => {
        c.effects.push(`pulumi ${args.join(" ")}`);
        return Promise.resolve(1);
      },
      readOutputs: (stack) => {
        c.effects.push(`outputs of ${stack}`);
        return Promise.reject(new Error("no Pulumi CLI for a script run in a test"));
      },
      untilStopped: () => Promise.resolve(),
    }),
  "test/bench/audit.ts": (argv, c) => benchAudit.main(argv, { stdout: c.stdout, stderr: c.stderr }),
  "test/bench/local.ts": (argv, c) => benchLocal.main(argv, { stdout: c.stdout, stderr: c.stderr }),
  "test/bench/engine.ts": (argv, c) => benchEngine.main(argv, { stdout: c.stdout, stderr: c.stderr }),
  "stacks/build-cli.ts": (argv, c) => build.main(argv, { stdout: c.line.stdout, stderr: c.line.stderr }),
  "test/bench/stand-in.ts": (argv, c) => benchStandIn.main(argv, { stdout: c.stdout, stderr: c.stderr }),
  "test/e2e/stand-in/replay.ts": (argv, c) => replay.main(argv, { stdout: c.stdout, stderr: c.stderr }),
};

/** Whether a script runs in-process here (else it is spawned). */
export function runsInProcess(name: string, scripts = packageScripts()): boolean {
  const command = scripts[name];
  return command !== undefined && commandOf(command).program === "tsx" && IN_PROCESS[commandOf(command).file ?? ""] !== undefined;
}

/** Runs `npm run <name> -- ...argv` as a user would, recording what it reached for. */
export async function runScript(name: string, argv: readonly string[], scripts = packageScripts()): Promise<ScriptRun> {
  const command = scripts[name];
  if (command === undefined) throw new Error(`no script "${name}" in package.json`);
  const scratch = mkdtempSync(path.join(tmpdir(), "script-run-"));
  try {
    const { program, file, args } = commandOf(command);
    const inProcess = program === "tsx" ? IN_PROCESS[file ?? ""] : undefined;
    return inProcess === undefined ? await spawned(command, argv, scratch) : await inProcessRun(inProcess, [...args, ...argv], scratch);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

async function inProcessRun(run: InProcess, argv: string[], scratch: string): Promise<ScriptRun> {
  const c = capture();
  // A server bound (a local Auth0, a gateway) is work done, whichever module does it.
  const listen = vi.spyOn(net.Server.prototype, "listen");
  try {
    const code = await run(argv, c, scratch);
    const effects = [
      ...c.effects,
      ...listen.mock.calls.map(() => "a server listening"),
      ...readdirSync(scratch, { recursive: true }).map((entry) => `wrote ${String(entry)}`),
    ];
    return { code, ...c.out, effects };
  } finally {
    listen.mockRestore();
  }
}

/**
 * Spawns the script's command as npm would (node_modules/.bin first on PATH), with no credentials
 * and a `pulumi` on PATH that only records that it was called.
 */
function spawned(command: string, argv: readonly string[], scratch: string): Promise<ScriptRun> {
  const bin = path.join(scratch, "bin");
  const calls = path.join(scratch, "pulumi-calls");
  mkdirSync(bin);
  writeFileSync(path.join(bin, "pulumi"), `#!/bin/sh\necho "pulumi $*" >> '${calls}'\nexit 1\n`);
  chmodSync(path.join(bin, "pulumi"), 0o755);
  const env: NodeJS.ProcessEnv = {
    PATH: [bin, path.join(REPO_ROOT, "node_modules", ".bin"), process.env.PATH ?? ""].join(path.delimiter),
    HOME: scratch,
    NO_COLOR: "1",
    PULUMI_BACKEND_URL: `file://${scratch}`,
  };
  return new Promise((resolve, reject) => {
    const child = spawn("sh", ["-c", `${command} "$@"`, "sh", ...argv], { cwd: REPO_ROOT, env });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.on("error", reject);
    child.on("close", (code) => {
      let effects: string[] = [];
      try {
        effects = readFileSync(calls, "utf8").trim().split("\n");
      } catch {
        // The stub was never called.
      }
      resolve({ code: code ?? 1, stdout, stderr, effects });
    });
  });
}
