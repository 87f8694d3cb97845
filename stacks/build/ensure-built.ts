import { execFile } from "node:child_process";
import { rename, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { Refusal } from "../problems";
import { BUILDS, isStale, sourceDigest, STAMP_FILE, type Build } from "./builds";

/** A build tsc refused (a syntax error, a missing file): the user's to fix, said with tsc's own words. */
export class BuildFailed extends Refusal {}

function tsc(root: string, args: readonly string[]): Promise<{ code: number; output: string }> {
  const compiler = path.join(root, "node_modules", "typescript", "bin", "tsc");
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [compiler, ...args],
      { cwd: root, encoding: "utf8", maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error !== null && typeof error.code !== "number") return reject(error);
        resolve({ code: error === null ? 0 : Number(error.code), output: `${stdout}${stderr}`.trim() });
      },
    );
  });
}

/**
 * Builds one of BUILDS with tsc, without type checking (`--noCheck`: `npm test` checks types),
 * into a fresh folder that then takes the place of the old build, so that no file of a removed
 * module outlives it and no run ever sees half a build. The stamp records the digest taken
 * before tsc read anything: sources edited during the build leave it stale, never falsely fresh.
 */
export async function build(root: string, target: Build): Promise<void> {
  const digest = sourceDigest(root, target);
  const outDir = path.join(root, target.outDir);
  const fresh = `${outDir}.building-${process.pid}`;
  const old = `${outDir}.old-${process.pid}`;
  await rm(fresh, { recursive: true, force: true });
  try {
    const result = await tsc(root, ["-p", target.tsconfig, "--outDir", fresh, "--noCheck", "--sourceMap", "--noEmit", "false"]);
    if (result.code !== 0) throw new BuildFailed(`building ${target.label} (tsc -p ${target.tsconfig}) failed:\n${result.output}`);
    await writeFile(path.join(fresh, STAMP_FILE), `${JSON.stringify({ sources: digest })}\n`);
    await rm(old, { recursive: true, force: true });
    await rename(outDir, old).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== "ENOENT") throw error;
    });
    await rename(fresh, outDir).catch((error: NodeJS.ErrnoException) => {
      // Another run built at the same moment and put its build in place first: it will do if it is of today's sources.
      if ((error.code !== "ENOTEMPTY" && error.code !== "EEXIST") || isStale(root, target)) throw error;
    });
    await rm(old, { recursive: true, force: true });
  } finally {
    await rm(fresh, { recursive: true, force: true });
  }
}

/** Rebuilds every build that is missing or stale; resolves to the labels of those it built. */
export async function ensureBuilt(root: string, builds: readonly Build[] = BUILDS): Promise<string[]> {
  const stale = builds.filter((target) => isStale(root, target));
  for (const target of stale) await build(root, target);
  return stale.map((target) => target.label);
}
