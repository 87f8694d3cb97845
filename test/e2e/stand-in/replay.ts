import path from "node:path";
import { closeReplayStandIns, formatReplay, recordingFiles, recordingsDir, replayRecording, type ReplayResult } from "./recordings.js";

// `npm run stand-in:replay [-- <dir>] [--mismatches]`: replays every cassette under <dir> (by
// default the shared recordings, or AUTH0_RECORDINGS_DIR) against a fresh stand-in each and
// prints the per-recording table and the total. Exits 1 when a recording cannot be replayed.

async function main(argv: readonly string[]): Promise<number> {
  const showMismatches = argv.includes("--mismatches");
  const positional = argv.filter((argument) => !argument.startsWith("--"));
  if (positional.length > 1) {
    console.error("usage: stand-in:replay [<recordings folder>] [--mismatches]");
    return 2;
  }
  const dir = positional[0] === undefined ? recordingsDir() : path.resolve(positional[0]);
  let files: string[];
  try {
    files = recordingFiles(dir);
  } catch (error) {
    console.error(`Cannot read recordings in ${dir}: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
  if (files.length === 0) {
    console.error(`No recordings (*.yaml) in ${dir}`);
    return 1;
  }
  const results: ReplayResult[] = [];
  let failed = false;
  for (const file of files) {
    try {
      const result = await replayRecording(file, dir);
      results.push(result);
      if (showMismatches) {
        for (const mismatch of result.mismatches) {
          console.log(`${file} #${mismatch.index} ${mismatch.request}: ${mismatch.actualStatus} (recorded ${mismatch.expectedStatus})`);
          console.log(`  recorded: ${JSON.stringify(mismatch.expected)}`);
          console.log(`  stand-in: ${JSON.stringify(mismatch.actual)}`);
        }
      }
    } catch (error) {
      failed = true;
      console.error(`${file}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  await closeReplayStandIns();
  console.log(formatReplay(results));
  return failed ? 1 : 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : String(error));
    process.exitCode = 1;
  },
);
