/**
 * The exit codes the audit and the drift check share, so a pipeline treats them alike:
 * 0 nothing drifted, 2 something drifted, 1 the answer is unknown (an error, or a check
 * that could not run). Unknown wins over drift: a partial answer must never read as a verdict.
 */
export const EXIT_CLEAN = 0;
export const EXIT_ERROR = 1;
export const EXIT_DRIFT = 2;

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
      process.stderr.write(`${name} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exitCode = EXIT_ERROR;
    },
  );
}
