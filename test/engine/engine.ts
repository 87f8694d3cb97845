import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { copyFile, mkdir, mkdtemp, readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";

// The real Pulumi CLI, as `npm run engine:build` leaves it in .tools/engine, run as a child
// process against a file:// backend in a temporary folder. Every run has a deadline and is
// killed when it passes it, so a hung engine fails the test instead of hanging it.

export const REPO_ROOT = path.resolve(__dirname, "../..");
export const ENGINE_DIR = path.join(REPO_ROOT, ".tools", "engine");
export const ENGINE_BIN = path.join(ENGINE_DIR, "bin");
export const PULUMI = path.join(ENGINE_BIN, "pulumi");
/** Our launcher for Node.js policy packs (see the script), which the CLI finds on PATH. */
export const ENGINE_PLUGINS = path.join(__dirname, "plugins");

/** Deadline of one CLI run; the engine tests' own timeouts are above it. */
export const RUN_TIMEOUT_MS = 120_000;

export interface EngineRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** The message a missing build gets, instead of a confusing ENOENT. */
export function requireBuiltEngine(): void {
  if (!existsSync(PULUMI)) throw new Error(`${PULUMI} is missing: run \`npm run engine:build\` first (it needs Go)`);
}

/** The version of an installed npm package, e.g. `@pulumi/pulumi`. */
export async function npmPackageVersion(name: string): Promise<string> {
  const manifest = JSON.parse(await readFile(path.join(REPO_ROOT, "node_modules", name, "package.json"), "utf8")) as { version: string };
  return manifest.version;
}

export interface Workspace {
  /** A copy of the project file and the named stack files: the CLI's working directory. */
  readonly projectDir: string;
  /** The file:// backend's folder. */
  readonly backendDir: string;
  /** Environment for the CLI: its own PULUMI_HOME, the backend, the passphrase, no downloads. */
  readonly env: Record<string, string>;
  run(args: readonly string[], extraEnv?: Record<string, string>): Promise<EngineRun>;
  dispose(): Promise<void>;
}

export const PASSPHRASE = "correct horse battery staple (engine tests)";

/** The environment every engine run gets; nothing is read from the user's ~/.pulumi. */
function engineEnv(root: string, backendDir: string): Record<string, string> {
  const inherited = Object.fromEntries(
    ["PATH", "HOME", "TMPDIR", "LANG"].flatMap((name) => (process.env[name] === undefined ? [] : [[name, process.env[name] as string]])),
  );
  return {
    ...inherited,
    PATH: [ENGINE_BIN, ENGINE_PLUGINS, process.env.PATH ?? ""].join(path.delimiter),
    PULUMI_HOME: path.join(root, "pulumi-home"),
    PULUMI_BACKEND_URL: `file://${backendDir}`,
    PULUMI_CONFIG_PASSPHRASE: PASSPHRASE,
    PULUMI_SKIP_UPDATE_CHECK: "true",
    PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
    PULUMI_SKIP_CONFIRMATIONS: "true",
    PULUMI_AUTOMATION_API_SKIP_VERSION_CHECK: "true",
    NO_COLOR: "1",
  };
}

/** Runs the built CLI with `args` in `cwd`; never rejects, never outlives RUN_TIMEOUT_MS. */
export function runPulumi(args: readonly string[], cwd: string, env: Record<string, string>): Promise<EngineRun> {
  return new Promise((resolve) => {
    execFile(
      PULUMI,
      [...args, "--non-interactive"],
      { cwd, env, timeout: RUN_TIMEOUT_MS, killSignal: "SIGKILL", maxBuffer: 32 * 1024 * 1024, encoding: "utf8" },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === "number" ? error.code : -1;
        resolve({ code, stdout, stderr: error?.killed ? `${stderr}\n(killed after ${RUN_TIMEOUT_MS} ms)` : stderr });
      },
    );
  });
}

/** A temporary project (Pulumi.yaml and the given stack files, copied) with its own backend. */
export async function createWorkspace(stackFiles: readonly string[]): Promise<Workspace> {
  const root = await mkdtemp(path.join(os.tmpdir(), "timesheets-engine-"));
  const projectDir = path.join(root, "project");
  const backendDir = path.join(root, "backend");
  await Promise.all([mkdir(projectDir), mkdir(backendDir)]);
  for (const file of ["Pulumi.yaml", ...stackFiles]) await copyFile(path.join(REPO_ROOT, file), path.join(projectDir, file));
  const env = engineEnv(root, backendDir);
  return {
    projectDir,
    backendDir,
    env,
    run: (args, extraEnv = {}) => runPulumi(args, projectDir, { ...env, ...extraEnv }),
    dispose: () => rm(root, { recursive: true, force: true }),
  };
}
