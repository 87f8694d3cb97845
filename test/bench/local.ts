import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

import { parseCommand, scriptCommand } from "../../stacks/cli";
import { runAsProcess } from "../../stacks/exit-codes";
import { main as local } from "../../stacks/local/main";
import type { Output } from "../../stacks/terminal";
import { CLIENTS, formatLoad, measureLoad, type LoadFigures } from "./local-load";
import { pulumiOnPath } from "../../stacks/runner-steps/pulumi-cli";

// `npm run bench:local`: how long `npm run local` takes from its start to serving (target under
// 1 s), on a new machine (the authority, the tenant's keys and the role applications made) and
// on a restart (all read back from .local/), and how long `npm run local -- --check` takes where
// a Pulumi CLI with the auth0 and random plugins is present (target under 15 s on two cores).
// Each run gets its own folder and free ports; nothing of the checkout's .local/ is touched.

const RUNS = 7;
const SERVE_TARGET_MS = 1000;
const CHECK_TARGET_MS = 15_000;
const silent = { write: () => true };

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

/** Milliseconds from calling `npm run local -- --serve-only` to serving, in `folder`. */
async function timeToServe(folder: string): Promise<number> {
  const started = performance.now();
  let serving = Number.NaN;
  const code = await local(["--serve-only", "--auth0-port", "0", "--gateway-port", "0"], {
    env: {},
    folder,
    stdout: silent,
    stderr: silent,
    onServing: () => (serving = performance.now() - started),
    untilStopped: () => Promise.resolve(),
  });
  if (code !== 0) throw new Error(`npm run local -- --serve-only exited ${code}`);
  return serving;
}

/** `npm run local -- --serve-only` in a folder of its own, under load while it serves. */
async function underLoad(): Promise<LoadFigures[]> {
  const folder = mkdtempSync(path.join(tmpdir(), "bench-local-load-"));
  let figures: LoadFigures[] = [];
  let failure: unknown;
  try {
    let serving: Parameters<typeof measureLoad>[0] | undefined;
    const code = await local(["--serve-only", "--auth0-port", "0", "--gateway-port", "0"], {
      env: {},
      folder,
      stdout: silent,
      stderr: silent,
      onServing: (started) => (serving = started),
      untilStopped: async () => {
        try {
          if (serving !== undefined) figures = await measureLoad(serving);
        } catch (error) {
          failure = error;
        }
      },
    });
    if (failure !== undefined) throw failure;
    if (code !== 0) throw new Error(`npm run local -- --serve-only exited ${code}`);
    return figures;
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

function pluginsPresent(): boolean {
  try {
    const listed = execFileSync("pulumi", ["plugin", "ls"], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] });
    return /\bauth0\b/.test(listed) && /\brandom\b/.test(listed);
  } catch {
    return false;
  }
}

export interface BenchIo {
  readonly stdout: Output;
  readonly stderr: Output;
}

/** `npm run bench:local`: prints the figures beside their targets; returns 1 when one is missed. */
export async function main(argv: readonly string[], io: BenchIo): Promise<number> {
  const program = scriptCommand("bench:local")
    .description(
      `Measure npm run local: start to serving, on a first start and on a restart, the median of ${RUNS} runs each (target < ${SERVE_TARGET_MS} ms), the local Auth0 under ${CLIENTS} concurrent clients (acknowledged writes, tokens and reads per second, p50 and p99), and --check where a Pulumi CLI with the auth0 and random plugins is on PATH (target < ${CHECK_TARGET_MS / 1000} s). Exits 1 when a target is missed.`,
    )
    .exitOverride()
    .configureOutput({ writeOut: (text) => io.stdout.write(text), writeErr: (text) => io.stderr.write(text) });
  const parsed = parseCommand(program, argv);
  if (!parsed.ok) return parsed.exitCode;
  return benchmark((line) => void io.stdout.write(`${line}\n`));
}

async function benchmark(say: (line: string) => void): Promise<number> {
  const firsts: number[] = [];
  const restarts: number[] = [];
  for (let run = 0; run < RUNS; run += 1) {
    const folder = mkdtempSync(path.join(tmpdir(), "bench-local-"));
    try {
      firsts.push(await timeToServe(folder));
      restarts.push(await timeToServe(folder));
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  }
  const first = median(firsts);
  const restart = median(restarts);
  say(`start to serving, first start (authority, keys, role applications made): median ${first.toFixed(0)} ms of ${RUNS}`);
  say(`start to serving, restart (tenant read back from its file):             median ${restart.toFixed(0)} ms of ${RUNS}`);
  say(`target: under ${SERVE_TARGET_MS} ms: ${Math.max(first, restart) < SERVE_TARGET_MS ? "met" : "MISSED"}`);

  let missed = Math.max(first, restart) >= SERVE_TARGET_MS;
  for (const figures of await underLoad()) {
    say(formatLoad(figures));
    missed ||= figures.failed > 0;
  }
  if (!pulumiOnPath(process.env) || !pluginsPresent()) {
    say("--check: not timed here: no Pulumi CLI on PATH with the auth0 and random plugins installed");
  } else {
    const folder = mkdtempSync(path.join(tmpdir(), "bench-local-check-"));
    try {
      const started = performance.now();
      const code = await local(["--check", "--auth0-port", "0", "--gateway-port", "0"], {
        env: process.env,
        folder,
        stdout: silent,
        stderr: silent,
      });
      const took = performance.now() - started;
      say(`--check: ${(took / 1000).toFixed(1)} s, exit ${code} (target: under ${CHECK_TARGET_MS / 1000} s)`);
      missed ||= code !== 0 || took >= CHECK_TARGET_MS;
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  }
  return missed ? 1 : 0;
}

if (require.main === module) {
  runAsProcess("bench:local", () => main(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr }));
}
