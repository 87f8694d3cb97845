import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { main } from "../../stacks/local/main";
import { pulumiOnPath } from "../../stacks/runner-steps/pulumi-cli";

// `npm run bench:local`: how long `npm run local` takes from its start to serving (target under
// 1 s), on a new machine (the authority, the tenant's keys and the role applications made) and
// on a restart (all read back from .local/), and how long `npm run local -- --check` takes where
// a Pulumi CLI with the auth0 and random plugins is present (target under 30 s on two cores).
// Each run gets its own folder and free ports; nothing of the checkout's .local/ is touched.

const RUNS = 7;
const SERVE_TARGET_MS = 1000;
const CHECK_TARGET_MS = 30_000;
const silent = { write: () => true };

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

/** Milliseconds from calling `npm run local -- --serve-only` to serving, in `folder`. */
async function timeToServe(folder: string): Promise<number> {
  const started = performance.now();
  let serving = Number.NaN;
  const code = await main(["--serve-only", "--auth0-port", "0", "--gateway-port", "0"], {
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

function pluginsPresent(): boolean {
  try {
    const listed = execFileSync("pulumi", ["plugin", "ls"], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] });
    return /\bauth0\b/.test(listed) && /\brandom\b/.test(listed);
  } catch {
    return false;
  }
}

async function benchmark(): Promise<number> {
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
  console.log(`start to serving, first start (authority, keys, role applications made): median ${first.toFixed(0)} ms of ${RUNS}`);
  console.log(`start to serving, restart (tenant read back from its file):             median ${restart.toFixed(0)} ms of ${RUNS}`);
  console.log(`target: under ${SERVE_TARGET_MS} ms: ${Math.max(first, restart) < SERVE_TARGET_MS ? "met" : "MISSED"}`);

  let missed = Math.max(first, restart) >= SERVE_TARGET_MS;
  if (!pulumiOnPath(process.env) || !pluginsPresent()) {
    console.log("--check: not timed here: no Pulumi CLI on PATH with the auth0 and random plugins installed");
  } else {
    const folder = mkdtempSync(path.join(tmpdir(), "bench-local-check-"));
    try {
      const started = performance.now();
      const code = await main(["--check", "--auth0-port", "0", "--gateway-port", "0"], {
        env: process.env,
        folder,
        stdout: silent,
        stderr: silent,
      });
      const took = performance.now() - started;
      console.log(`--check: ${(took / 1000).toFixed(1)} s, exit ${code} (target: under ${CHECK_TARGET_MS / 1000} s)`);
      missed ||= code !== 0 || took >= CHECK_TARGET_MS;
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  }
  return missed ? 1 : 0;
}

benchmark().then(
  (code) => (process.exitCode = code),
  (error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  },
);
