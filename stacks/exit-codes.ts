import { TenantConfigError } from "../infra/config/errors";
import { MissingTool, Refusal } from "./problems";
import { StackFileError } from "./stack-config";

/**
 * The exit codes every command uses, so a pipeline treats them alike. 0: done (for the audit
 * and the drift check: nothing drifted); 1: refused or failed (a usage error, a stack or config
 * the user got wrong, an answer that is unknown); 2: something drifted (audit and drift check
 * only). Unknown wins over drift: a partial answer must never read as a verdict.
 */
export const EXIT_OK = 0;
export const EXIT_CLEAN = EXIT_OK;
export const EXIT_ERROR = 1;
export const EXIT_DRIFT = 2;

/**
 * A refusal: what the user wrote (a stack name, a stack file, its config) or the user's situation
 * (a missing tool, a file, a host; see problems.ts), said in its own words, never with a stack trace.
 */
export function isRefusal(error: unknown): error is Error {
  return error instanceof TenantConfigError || error instanceof StackFileError || error instanceof Refusal;
}

/** A program that could not be started because it is not installed is the user's to install, whoever spawned it. */
function asMissingTool(error: unknown): MissingTool | undefined {
  const failure = error as NodeJS.ErrnoException & { path?: string };
  if (failure?.code !== "ENOENT" || typeof failure.syscall !== "string" || !failure.syscall.startsWith("spawn")) return undefined;
  return new MissingTool(failure.path ?? failure.syscall.replace(/^spawn\s*/, ""));
}

/** What a process prints for an error that ended it: a refusal's message alone, or a fault of ours with its trace. */
export function describeFailure(name: string, error: unknown): string {
  const refusal = isRefusal(error) ? error : asMissingTool(error);
  if (refusal !== undefined) return `error: ${refusal.message}`;
  return `${name} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`;
}

/** What one stack's run came to. `incomplete`: some checks ran, others could not. */
export type Outcome = "no-drift" | "drift" | "incomplete" | "error";

export function exitCodeFor(outcomes: readonly Outcome[]): number {
  // Nothing checked is not "no drift".
  if (outcomes.length === 0) return EXIT_ERROR;
  if (outcomes.some((o) => o === "error" || o === "incomplete")) return EXIT_ERROR;
  if (outcomes.includes("drift")) return EXIT_DRIFT;
  return EXIT_CLEAN;
}

/**
 * Runs a command's `main` as a process: its result becomes the exit code, a crash is printed
 * and exits 1, and the process ends by itself so that no output is cut off.
 */
export function runAsProcess(name: string, main: () => Promise<number>): void {
  main().then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      // A refusal is the user's to fix and says all there is; anything else is a fault of ours, with its trace.
      process.stderr.write(`${describeFailure(name, error)}\n`);
      process.exitCode = EXIT_ERROR;
    },
  );
}
