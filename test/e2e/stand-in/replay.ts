import path from "node:path";
import { Command } from "commander";
import { parseCommand, scriptCommand } from "../../../stacks/cli";
import { EXIT_ERROR, EXIT_OK, runAsProcess } from "../../../stacks/exit-codes";
import { fileReason } from "../../../stacks/problems";
import type { Output } from "../../../stacks/terminal";
import { closeReplayStandIns, formatReplay, recordingFiles, recordingsDir, replayRecording, type ReplayResult } from "./recordings.js";

// `npm run stand-in:replay [-- <folder>] [--mismatches]`: replays every cassette under the folder
// against a fresh stand-in each and prints the per-recording table and the total.

export interface ReplayIo {
  readonly stdout: Output;
  readonly stderr: Output;
}

function command(io: ReplayIo): Command {
  return scriptCommand("stand-in:replay")
    .description(
      "Replay recordings of real Auth0 traffic (*.yaml cassettes) against the local Auth0, one fresh instance per recording, and print how many interactions it answers as Auth0 did: a table per recording and the total M/N (P%). Exits 1 when a recording cannot be replayed.",
    )
    .argument("[folder]", "the recordings to replay (default: AUTH0_RECORDINGS_DIR, or ../shared/auth0-recordings)")
    .option(
      "--mismatches",
      "also print each interaction answered differently: the request, both statuses, the recorded and the local body",
      false,
    )
    .exitOverride()
    .configureOutput({ writeOut: (text) => io.stdout.write(text), writeErr: (text) => io.stderr.write(text) });
}

export async function main(argv: readonly string[], io: ReplayIo): Promise<number> {
  const program = command(io);
  const parsed = parseCommand<{ mismatches: boolean }>(program, argv);
  if (!parsed.ok) return parsed.exitCode;
  const folder = program.args[0];
  const dir = folder === undefined ? recordingsDir() : path.resolve(folder);
  let files: string[];
  try {
    files = recordingFiles(dir);
  } catch (error) {
    io.stderr.write(`error: cannot read recordings in ${dir}: ${fileReason(error)}\n`);
    return EXIT_ERROR;
  }
  if (files.length === 0) {
    io.stderr.write(`error: no recordings (*.yaml) in ${dir}\n`);
    return EXIT_ERROR;
  }
  const results: ReplayResult[] = [];
  let failed = false;
  try {
    for (const file of files) {
      try {
        const result = await replayRecording(file, dir);
        results.push(result);
        if (parsed.options.mismatches) {
          for (const mismatch of result.mismatches) {
            io.stdout.write(
              [
                `${file} #${mismatch.index} ${mismatch.request}: ${mismatch.actualStatus} (recorded ${mismatch.expectedStatus})`,
                `  recorded: ${JSON.stringify(mismatch.expected)}`,
                `  stand-in: ${JSON.stringify(mismatch.actual)}`,
                "",
              ].join("\n"),
            );
          }
        }
      } catch (error) {
        // A cassette that cannot be read or replayed is the recording's fault: named, and the others still run.
        failed = true;
        io.stderr.write(`${file}: ${error instanceof Error ? error.message : String(error)}\n`);
      }
    }
  } finally {
    await closeReplayStandIns();
  }
  io.stdout.write(`${formatReplay(results)}\n`);
  return failed ? EXIT_ERROR : EXIT_OK;
}

if (require.main === module) {
  runAsProcess("stand-in:replay", () => main(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr }));
}
