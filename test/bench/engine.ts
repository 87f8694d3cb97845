import { spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { parseDocument } from "yaml";
import { LocalWorkspace, PulumiCommand } from "@pulumi/pulumi/automation";
import { loadTenantSpec } from "../../infra/config/load";
import { declareTimesheetsTenant } from "../../infra/program";
import { ensureBuilt } from "../../stacks/build/ensure-built";
import { parseCommand, scriptCommand, wholeNumber } from "../../stacks/cli";
import { runAsProcess } from "../../stacks/exit-codes";
import { engineConfigFor, REPO_ROOT, resolveStack } from "../../stacks/stack-config";
import type { Output } from "../../stacks/terminal";
import { createWorkspace, ENGINE_DIR, PULUMI, RUN_TIMEOUT_MS } from "../engine/engine";

// `npm run bench:engine`: how long the program and the policy pack take to start, the way Pulumi
// starts them, before (ts-node type-checking the TypeScript on every run) and after (the JavaScript
// built once, stacks/build). Node side: the program through @pulumi/pulumi's own launcher
// (cmd/run, what the Node.js language host runs) up to its first resource registration, with
// mocks for the engine (program-start-probe.js); the pack through @pulumi/pulumi's
// run-policy-pack (what the language host, or test/engine/plugins, runs) up to serving the engine.
// With the real CLI from `npm run engine:build`: `pulumi preview` of the program run inline (the
// language host cannot be built here, docs/engine.md) to its first resource event and to its end,
// without and with `--policy-pack policy`. Figures are medians; nothing here is a pass or a fail.

const PROBE = path.join(__dirname, "program-start-probe.js");
const PULUMI_RUN = require.resolve("@pulumi/pulumi/cmd/run-policy-pack", { paths: [REPO_ROOT] });
const POLICY_DIR = path.join(REPO_ROOT, "policy");

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

interface Timing {
  readonly ms: number;
  readonly cpuMs?: number;
}

/** Starts the program as the language host would, with `env` its TypeScript settings; when it registered its first resource. */
function programStart(program: string, stack: string, env: Record<string, string>): Promise<Timing> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [PROBE, program], {
      cwd: REPO_ROOT,
      env: { ...process.env, ...env, BENCH_STACK: stack, BENCH_CONFIG: JSON.stringify(engineConfigFor(stack, "placeholders")) },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (text: string) => (stdout += text));
    child.stderr.setEncoding("utf8").on("data", (text: string) => (stderr += text));
    child.on("error", reject);
    child.on("close", () => {
      const line = stdout.split("\n").find((text) => text.startsWith("{"));
      if (line === undefined) return reject(new Error(`the program did not start (${program}):\n${stderr.slice(0, 2000)}`));
      resolve(JSON.parse(line) as Timing);
    });
  });
}

/** The CPU a running child has used, from Linux's /proc (utime and stime, in clock ticks of 10 ms); undefined elsewhere. */
function cpuMsOf(pid: number | undefined): number | undefined {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.split(" ") ?? [];
    // After "pid (comm) ", utime and stime are the 12th and 13th fields.
    const ticks = Number(fields[11]) + Number(fields[12]);
    return Number.isFinite(ticks) ? ticks * 10 : undefined;
  } catch {
    return undefined;
  }
}

/** Starts the pack as the CLI's analyzer would; how long until it serves (prints its port). */
function packStart(target: string): Promise<Timing> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, [PULUMI_RUN, "127.0.0.1:1", target], { cwd: POLICY_DIR, stdio: ["ignore", "pipe", "pipe"] });
    let stderr = "";
    child.stderr.setEncoding("utf8").on("data", (text: string) => (stderr += text));
    child.stdout.setEncoding("utf8").once("data", () => {
      resolve({ ms: performance.now() - started, cpuMs: cpuMsOf(child.pid) });
      child.kill();
    });
    child.on("error", reject);
    child.on("close", (code) => {
      if (code !== null && code !== 0) reject(new Error(`the policy pack did not start (${target}):\n${stderr.slice(0, 2000)}`));
    });
  });
}

interface Preview {
  readonly firstResourceMs: number;
  readonly totalMs: number;
}

/** `pulumi preview` of `stack` (its file without `apim`) with the real CLI, the program inline. */
async function cliPreview(stack: string, policyPacks: string[]): Promise<Preview> {
  const workspace = await createWorkspace([`Pulumi.${stack}.yaml`]);
  try {
    const file = path.join(workspace.projectDir, `Pulumi.${stack}.yaml`);
    const document = parseDocument(await readFile(file, "utf8"));
    document.deleteIn(["config", "timesheets:apim"]);
    await writeFile(file, document.toString());
    const pulumiCommand = await PulumiCommand.get({ root: ENGINE_DIR, skipVersionCheck: true });
    const automation = await LocalWorkspace.createOrSelectStack(
      { stackName: stack, projectName: "timesheets", program: async () => void declareTimesheetsTenant(loadTenantSpec()) },
      { workDir: workspace.projectDir, envVars: workspace.env, pulumiCommand },
    );
    let firstResourceMs = Number.NaN;
    const started = performance.now();
    // The engine stops at the first provider (no auth0 plugin here): a failed preview is the expected end.
    await automation
      .preview({
        policyPacks,
        signal: AbortSignal.timeout(RUN_TIMEOUT_MS),
        onEvent: (event) => {
          if (event.resourcePreEvent !== undefined && Number.isNaN(firstResourceMs)) firstResourceMs = performance.now() - started;
        },
      })
      .catch(() => undefined);
    return { firstResourceMs, totalMs: performance.now() - started };
  } finally {
    await workspace.dispose();
  }
}

async function medianOf(runs: number, measure: () => Promise<Timing>): Promise<{ ms: number; cpuMs: number | undefined }> {
  const timings: Timing[] = [];
  for (let run = 0; run < runs; run += 1) timings.push(await measure());
  const cpu = timings.flatMap((timing) => (timing.cpuMs === undefined ? [] : [timing.cpuMs]));
  return { ms: median(timings.map((timing) => timing.ms)), cpuMs: cpu.length === 0 ? undefined : median(cpu) };
}

export interface BenchIo {
  readonly stdout: Output;
  readonly stderr: Output;
}

/** `npm run bench:engine`: prints the figures. */
export async function main(argv: readonly string[], io: BenchIo): Promise<number> {
  const program = scriptCommand("bench:engine")
    .description(
      "Measure how long the program takes to register its first resource and the policy pack to serve, started as Pulumi starts them, as TypeScript through ts-node (before) and as the JavaScript built once (after); and, with the CLI of npm run engine:build, pulumi preview to its first resource and to its end, without and with the policy pack. Medians; wall time, and the program's CPU time.",
    )
    .option("--runs <n>", "runs of each measurement (the median is printed)", wholeNumber(1, 50), 5)
    .option("--stack <name>", "the stack whose config the program runs with", "dev")
    .exitOverride()
    .configureOutput({ writeOut: (text) => io.stdout.write(text), writeErr: (text) => io.stderr.write(text) });
  const parsed = parseCommand<{ runs: number; stack: string }>(program, argv);
  if (!parsed.ok) return parsed.exitCode;
  const resolved = resolveStack(parsed.options.stack, REPO_ROOT);
  if (!resolved.ok) {
    io.stderr.write(`${resolved.message}\n`);
    return 1;
  }
  const { runs } = parsed.options;
  const stack = resolved.stack;
  const say = (line: string) => void io.stdout.write(`${line}\n`);
  await ensureBuilt(REPO_ROOT);

  const row = (label: string, timing: { ms: number; cpuMs: number | undefined }) =>
    say(
      `${label.padEnd(72)} ${(timing.ms / 1000).toFixed(2).padStart(6)} s${timing.cpuMs === undefined ? "" : `   cpu ${(timing.cpuMs / 1000).toFixed(2)} s`}`,
    );
  say(`median of ${runs} runs, stack ${stack}`);
  say("program: process start to its first resource registration");
  const typeScript = { PULUMI_NODEJS_TYPESCRIPT: "true" };
  row(
    "  before: infra/index.ts through ts-node, type-checked",
    await medianOf(runs, () => programStart("infra/index.ts", stack, typeScript)),
  );
  row(
    "  ts-node transpile-only (PULUMI_NODEJS_TRANSPILE_ONLY=true)",
    await medianOf(runs, () => programStart("infra/index.ts", stack, { ...typeScript, PULUMI_NODEJS_TRANSPILE_ONLY: "true" })),
  );
  row("  after: package.json's main, the build (typescript: false)", await medianOf(runs, () => programStart(".", stack, {})));
  say("policy pack: start to serving the engine");
  row("  before: policy/index.ts through ts-node, type-checked", await medianOf(runs, () => packStart(path.join(POLICY_DIR, "index.ts"))));
  row("  after: policy/package.json's main, the build", await medianOf(runs, () => packStart(".")));

  if (!existsSync(PULUMI)) {
    say(`pulumi preview: not timed here: no CLI at ${PULUMI} (npm run engine:build)`);
    return 0;
  }
  say(`pulumi preview with the CLI of npm run engine:build, program inline, ${stack} without apim (it stops at the auth0 provider)`);
  const previews: Preview[] = [];
  const withPack: Preview[] = [];
  for (let run = 0; run < runs; run += 1) {
    previews.push(await cliPreview(stack, []));
    withPack.push(await cliPreview(stack, [POLICY_DIR]));
  }
  const firstOf = (list: readonly Preview[]) => ({ ms: median(list.map((preview) => preview.firstResourceMs)), cpuMs: undefined });
  const totalOf = (list: readonly Preview[]) => ({ ms: median(list.map((preview) => preview.totalMs)), cpuMs: undefined });
  row("  to the first resource event", firstOf(previews));
  row("  to the end", totalOf(previews));
  row("  with --policy-pack policy (the build): to the first resource event", firstOf(withPack));
  row("  with --policy-pack policy (the build): to the end", totalOf(withPack));
  return 0;
}

if (require.main === module) {
  runAsProcess("bench:engine", () => main(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr }));
}
