import { afterAll, describe, expect, it } from "vitest";
import { IGNORED_FIELDS, recordingFiles, replayRecording, type ReplayResult } from "./recordings.js";

// Fidelity, measured: every recording of real Auth0 traffic is replayed in order and the
// stand-in's answers are compared with Auth0's. At least 95% of the in-scope interactions must
// match exactly (status and JSON body, ids mapped, IGNORED_FIELDS masked).

const REQUIRED_MATCH_RATE = 0.95;
const results: ReplayResult[] = [];
const percent = (part: number, whole: number): string => `${whole === 0 ? "n/a" : ((100 * part) / whole).toFixed(1)}%`;

describe("conformance with recorded Auth0 Management API traffic", () => {
  const files = recordingFiles();

  it("finds the recordings", () => {
    expect(files.length).toBeGreaterThanOrEqual(8);
  });

  it.each(files)("replays %s", async (file) => {
    const result = await replayRecording(file);
    results.push(result);
    for (const mismatch of result.mismatches.slice(0, 3)) {
      console.log(
        `  mismatch ${file} #${mismatch.index} ${mismatch.request}: ${mismatch.actualStatus} (recorded ${mismatch.expectedStatus})`,
      );
      console.log(`    recorded: ${JSON.stringify(mismatch.expected)}`);
      console.log(`    stand-in: ${JSON.stringify(mismatch.actual)}`);
    }
    expect(result.inScope + result.outOfScope.length).toBeGreaterThan(0);
  });

  it(`matches at least ${REQUIRED_MATCH_RATE * 100}% of in-scope interactions`, () => {
    const inScope = results.reduce((sum, result) => sum + result.inScope, 0);
    const matched = results.reduce((sum, result) => sum + result.matched, 0);
    expect(results).toHaveLength(files.length);
    expect(inScope).toBeGreaterThan(0);
    expect(matched / inScope).toBeGreaterThanOrEqual(REQUIRED_MATCH_RATE);
  });

  afterAll(() => {
    const lines = results.map(
      (result) =>
        `  ${result.file.padEnd(36)} ${String(result.matched).padStart(3)}/${String(result.inScope).padEnd(3)} ${percent(result.matched, result.inScope).padStart(6)}   out of scope: ${result.outOfScope.length}` +
        (result.outOfScope.length > 0 ? ` (${[...new Set(result.outOfScope.map((entry) => entry.request))].join(", ")})` : ""),
    );
    const inScope = results.reduce((sum, result) => sum + result.inScope, 0);
    const matched = results.reduce((sum, result) => sum + result.matched, 0);
    const outOfScope = results.reduce((sum, result) => sum + result.outOfScope.length, 0);
    console.log(
      [
        "Auth0 stand-in conformance (matched/in-scope per recording):",
        ...lines,
        `  total ${matched}/${inScope} (${percent(matched, inScope)}), out of scope: ${outOfScope}`,
        `  ignored fields: ${IGNORED_FIELDS.map((field) => field.path).join(", ")}`,
      ].join("\n"),
    );
  });
});
