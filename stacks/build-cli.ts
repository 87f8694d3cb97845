import { Command } from "commander";
import { BUILDS, isStale } from "./build/builds";
import { ensureBuilt } from "./build/ensure-built";
import { parseCommand } from "./cli";
import { EXIT_ERROR, EXIT_OK, runAsProcess } from "./exit-codes";
import { REPO_ROOT } from "./stack-config";

export interface BuildIo {
  readonly stdout: (line: string) => void;
  readonly stderr: (line: string) => void;
  /** The repository whose program and pack are built; this one when absent. */
  readonly root?: string;
}

/** `npm run build`: builds the program and the policy pack as JavaScript where their sources changed (see build/builds.ts). */
export async function main(argv: readonly string[], io: BuildIo): Promise<number> {
  const program = new Command()
    .name("npm run build --")
    .description(
      "Build the program (into dist/) and the policy pack (into policy/bin/) as the JavaScript Pulumi runs, where their sources changed since the last build. Types are not checked here: npm test checks them.",
    )
    .option("--check", "build nothing: exit 1 and name each build that is missing or older than its sources", false)
    .exitOverride()
    .configureOutput({ writeErr: (text) => io.stderr(text.trimEnd()), writeOut: (text) => io.stdout(text.trimEnd()) });
  const parsed = parseCommand<{ check: boolean }>(program, argv);
  if (!parsed.ok) return parsed.exitCode;
  const root = io.root ?? REPO_ROOT;
  if (parsed.options.check) {
    const stale = BUILDS.filter((build) => isStale(root, build));
    for (const build of stale) io.stderr(`${build.label} (${build.outDir}/) is missing or older than its sources: run npm run build`);
    if (stale.length === 0) io.stdout("the program and the policy pack are built from their sources as they are");
    return stale.length === 0 ? EXIT_OK : EXIT_ERROR;
  }
  const built = await ensureBuilt(root);
  io.stdout(
    built.length === 0
      ? "the program and the policy pack were already built from their sources as they are"
      : `built ${built.join(" and ")}`,
  );
  return EXIT_OK;
}

if (require.main === module) {
  runAsProcess("build", () => main(process.argv.slice(2), { stdout: (line) => console.log(line), stderr: (line) => console.error(line) }));
}
