import { createHash } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";

/**
 * The program and the policy pack run as JavaScript that tsc built once from their TypeScript,
 * not through ts-node (which type-checks every module on every `pulumi preview`, about 10 s of
 * CPU here): Pulumi.yaml's `main` names the program's build, policy/package.json's `main` the
 * pack's. Type checking stays with `npm test` (`tsc --noEmit`). A build is only ever used while
 * it is the build of the sources as they are now: each records a digest of what it was built
 * from (`build-stamp.json`), and `ensureBuilt` rebuilds whichever no longer matches.
 */
export interface Build {
  /** What is built, as a user reads it. */
  readonly label: string;
  /** The tsconfig tsc builds it with, relative to the repository. */
  readonly tsconfig: string;
  /** Where the JavaScript goes (git-ignored), relative to the repository. */
  readonly outDir: string;
  /** The folder whose `.ts` files are its sources, relative to the repository. */
  readonly sourceDir: string;
  /** Folders under sourceDir that hold no sources (the build itself, installed packages). */
  readonly skip: readonly string[];
  /** Further files the emitted JavaScript depends on (the compiler options). */
  readonly configFiles: readonly string[];
}

export const PROGRAM_BUILD: Build = {
  label: "the program",
  tsconfig: "tsconfig.build.json",
  outDir: "dist",
  sourceDir: "infra",
  skip: [],
  configFiles: ["tsconfig.json", "tsconfig.build.json"],
};

/** The file in a build's outDir that names the sources it was built from. */
export const STAMP_FILE = "build-stamp.json";

/** The `.ts` files a build compiles (declaration files aside), relative to the repository, sorted. */
export function sourceFiles(root: string, build: Build): string[] {
  const found: string[] = [];
  const walk = (relative: string): void => {
    for (const entry of readdirSync(path.join(root, relative), { withFileTypes: true })) {
      const child = path.posix.join(relative, entry.name);
      if (entry.isDirectory()) {
        if (relative !== build.sourceDir || !build.skip.includes(entry.name)) walk(child);
      } else if (entry.isFile() && entry.name.endsWith(".ts") && !entry.name.endsWith(".d.ts")) {
        found.push(child);
      }
    }
  };
  walk(build.sourceDir);
  return found.sort();
}

/** The compiler's version: another TypeScript may emit other JavaScript from the same sources. */
function compilerVersion(root: string): string {
  const manifest = JSON.parse(readFileSync(path.join(root, "node_modules", "typescript", "package.json"), "utf8")) as { version?: unknown };
  return String(manifest.version);
}

/** A digest of everything a build's JavaScript is made from: each file's path and content, and the compiler. */
export function sourceDigest(root: string, build: Build): string {
  const hash = createHash("sha256").update(`typescript ${compilerVersion(root)}\n`);
  for (const file of [...build.configFiles, ...sourceFiles(root, build)]) {
    const content = readFileSync(path.join(root, file));
    hash.update(`${file}\n${content.length}\n`).update(content);
  }
  return hash.digest("hex");
}

/** The digest a build's stamp records, or undefined when there is no build (or no readable stamp). */
export function stampedDigest(root: string, build: Build): string | undefined {
  try {
    const stamp = JSON.parse(readFileSync(path.join(root, build.outDir, STAMP_FILE), "utf8")) as { sources?: unknown };
    return typeof stamp.sources === "string" ? stamp.sources : undefined;
  } catch {
    return undefined;
  }
}

/** Whether a build is missing or was built from other sources than today's. */
export function isStale(root: string, build: Build): boolean {
  return stampedDigest(root, build) !== sourceDigest(root, build);
}

/**
 * Refuses to run a build that is not of today's sources: `pulumi up` run by hand after an edit
 * (or a pull) would otherwise deploy the code as it was at the last build. Only where the
 * running module is the build's JavaScript; run from TypeScript (tests, ts-node) it is today's
 * sources by definition. `moduleDir` is the running module's folder, `depth` how far below the
 * repository root it lies.
 */
export function refuseStaleBuild(build: Build, moduleFile: string, depth: number): void {
  if (!moduleFile.endsWith(".js")) return;
  const root = path.resolve(path.dirname(moduleFile), ...Array<string>(depth).fill(".."));
  if (!isStale(root, build)) return;
  throw new Error(
    `${build.label} in ${build.outDir}/ was built from other sources than ${build.sourceDir}/ holds now: run \`npm run build\` first (npm run up and npm run preview rebuild it themselves)`,
  );
}
