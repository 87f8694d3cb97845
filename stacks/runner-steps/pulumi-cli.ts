import { spawn } from "node:child_process";
import { accessSync, constants, statSync } from "node:fs";
import path from "node:path";
import { ensureBuilt } from "../build/ensure-built";
import { Refusal } from "../problems";

/** Runs the Pulumi CLI with its output on the terminal; resolves to its exit code. */
export type Exec = (args: readonly string[], env: NodeJS.ProcessEnv) => Promise<number>;
/** Runs the Pulumi CLI and keeps what it prints on stdout (stderr still goes to the terminal). */
export type Capture = (args: readonly string[], env: NodeJS.ProcessEnv) => Promise<{ code: number; stdout: string }>;

export const PULUMI_MISSING =
  "error: the Pulumi CLI is not on PATH; install it (https://www.pulumi.com/docs/install/, e.g. `curl -fsSL https://get.pulumi.com | sh`), then run this again";

/** Whether an executable `pulumi` is on the PATH the CLI would be started with. */
export function pulumiOnPath(env: NodeJS.ProcessEnv): boolean {
  for (const folder of (env.PATH ?? "").split(path.delimiter).filter((entry) => entry !== "")) {
    const candidate = path.join(folder, "pulumi");
    try {
      if (!statSync(candidate).isFile()) continue;
      accessSync(candidate, constants.X_OK);
      return true;
    } catch {
      // Not here; the next folder.
    }
  }
  return false;
}

/** A CLI that vanished between the check and the call is still one line, never a stack trace. */
export class CliMissing extends Refusal {
  constructor() {
    super(PULUMI_MISSING.replace(/^error: /, ""));
  }
}

/**
 * Every run of the CLI on this repository's program starts here, so none can run a build older
 * than its sources: a stale build of the program or the policy pack is rebuilt first.
 */
async function started(cwd: string, args: readonly string[], env: NodeJS.ProcessEnv, stdout: "inherit" | "pipe") {
  const built = await ensureBuilt(cwd);
  if (built.length > 0) process.stderr.write(`built ${built.join(" and ")} (their sources had changed since the last build)\n`);
  return spawn("pulumi", args, { cwd, env, stdio: ["inherit", stdout, "inherit"] });
}

export function execPulumi(cwd: string): Exec {
  return async (args, env) => {
    const child = await started(cwd, args, env, "inherit");
    return new Promise((resolve, reject) => {
      child.on("error", (error: NodeJS.ErrnoException) => reject(error.code === "ENOENT" ? new CliMissing() : error));
      child.on("exit", (code, signal) => resolve(code ?? (signal ? 1 : 0)));
    });
  };
}

export function capturePulumi(cwd: string): Capture {
  return async (args, env) => {
    const child = await started(cwd, args, env, "pipe");
    return new Promise((resolve, reject) => {
      let stdout = "";
      child.stdout?.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
      child.on("error", (error: NodeJS.ErrnoException) => reject(error.code === "ENOENT" ? new CliMissing() : error));
      child.on("close", (code, signal) => resolve({ code: code ?? (signal ? 1 : 0), stdout }));
    });
  };
}
