import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import fc from "fast-check";
import ts from "typescript";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { refuseStaleBuild } from "../../infra/build-stamp";
import * as packCopy from "../../policy/lib/build-stamp";
import {
  BUILDS,
  isStale,
  POLICY_PACK_BUILD,
  PROGRAM_BUILD,
  sourceDigest,
  sourceFiles,
  stampedDigest,
  STAMP_FILE,
} from "../../stacks/build/builds";
import { build, BuildFailed, ensureBuilt } from "../../stacks/build/ensure-built";
import { execPulumi } from "../../stacks/runner-steps/pulumi-cli";
import { REPO_ROOT } from "../../stacks/stack-config";
import { RENDER_DIR } from "../../stacks/render";

// The program and the pack run as their builds (stacks/build): a build is used only while it is
// the build of today's sources, so the rule "stale" must see every change that can change the
// JavaScript, and nothing may reach the Pulumi CLI before a stale build is rebuilt.

describe.each(BUILDS)("the sources of $label", (target) => {
  test("are the files its tsconfig compiles, as TypeScript reads it", () => {
    const parsed = ts.getParsedCommandLineOfConfigFile(
      path.join(REPO_ROOT, target.tsconfig),
      {},
      {
        ...ts.sys,
        onUnRecoverableConfigFileDiagnostic: (diagnostic) => {
          throw new Error(ts.flattenDiagnosticMessageText(diagnostic.messageText, "\n"));
        },
      },
    );
    const compiled = (parsed?.fileNames ?? []).map((file) => path.relative(REPO_ROOT, file).split(path.sep).join("/")).sort();
    expect(compiled.length).toBeGreaterThan(5);
    expect(sourceFiles(REPO_ROOT, target)).toEqual(compiled);
  });
});

/** A small repository of the same shape: the real tsconfig files, a few sources, this one's packages. */
function scratchRepository(): string {
  const root = mkdtempSync(path.join(tmpdir(), "build-"));
  for (const file of ["tsconfig.json", "tsconfig.build.json", "policy/tsconfig.json"]) {
    mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    copyFileSync(path.join(REPO_ROOT, file), path.join(root, file));
  }
  const sources: Record<string, string> = {
    "infra/index.ts": 'import { lifetime } from "./config/values";\nexport const tokenLifetime = lifetime;\n',
    "infra/config/values.ts": "export const lifetime: number = 7200;\n",
    "policy/index.ts": 'import { level } from "./rules/levels";\nexport const enforcement = level;\n',
    "policy/rules/levels.ts": 'export const level = "mandatory";\n',
  };
  for (const [file, text] of Object.entries(sources)) {
    mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    writeFileSync(path.join(root, file), text);
  }
  symlinkSync(path.join(REPO_ROOT, "node_modules"), path.join(root, "node_modules"), "dir");
  return root;
}

/** Marks a build as made from today's sources without compiling: the rule under test is the stamp's. */
function stampAsBuilt(root: string): void {
  for (const target of BUILDS) {
    mkdirSync(path.join(root, target.outDir), { recursive: true });
    writeFileSync(path.join(root, target.outDir, STAMP_FILE), JSON.stringify({ sources: sourceDigest(root, target) }));
  }
}

test("no build shares a folder with npm run render's output: a rebuild replaces its folder whole, and a stack may be named infra", () => {
  for (const target of BUILDS) {
    const outDir = path.join(REPO_ROOT, target.outDir);
    const apart = (a: string, b: string) => path.relative(a, b).startsWith("..");
    expect([apart(outDir, RENDER_DIR), apart(RENDER_DIR, outDir)], target.label).toEqual([true, true]);
  }
});

describe("a build is stale exactly when what it is made from changed", () => {
  let root: string;
  beforeAll(() => {
    root = scratchRepository();
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  test("missing, it is stale", () => {
    for (const target of BUILDS) expect(isStale(root, target)).toBe(true);
  });

  const inputs = [
    ["infra/index.ts", PROGRAM_BUILD],
    ["infra/config/values.ts", PROGRAM_BUILD],
    ["tsconfig.json", PROGRAM_BUILD],
    ["tsconfig.build.json", PROGRAM_BUILD],
    ["policy/index.ts", POLICY_PACK_BUILD],
    ["policy/rules/levels.ts", POLICY_PACK_BUILD],
    ["policy/tsconfig.json", POLICY_PACK_BUILD],
  ] as const;

  test("any edit of a source or a tsconfig makes its build stale, and only its own; the same text written again does not", async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...inputs), fc.string({ minLength: 1, maxLength: 20 }), async ([file, owner], added) => {
        stampAsBuilt(root);
        const full = path.join(root, file);
        const before = readFileSync(full);
        writeFileSync(full, before);
        expect(BUILDS.filter((target) => isStale(root, target))).toEqual([]);
        writeFileSync(full, Buffer.concat([before, Buffer.from(`\n// ${added}\n`)]));
        try {
          expect(BUILDS.filter((target) => isStale(root, target))).toEqual([owner]);
        } finally {
          writeFileSync(full, before);
        }
      }),
      { seed: 28, numRuns: 40 },
    );
  });

  test("a new module, a renamed one or a removed one makes its build stale; a file in the build's own folder does not", async () => {
    stampAsBuilt(root);
    writeFileSync(path.join(root, "policy/rules/extra.ts"), "export const extra = 1;\n");
    expect(isStale(root, POLICY_PACK_BUILD)).toBe(true);
    rmSync(path.join(root, "policy/rules/extra.ts"));
    expect(isStale(root, POLICY_PACK_BUILD)).toBe(false);

    const values = readFileSync(path.join(root, "infra/config/values.ts"));
    rmSync(path.join(root, "infra/config/values.ts"));
    writeFileSync(path.join(root, "infra/config/values2.ts"), values);
    expect(isStale(root, PROGRAM_BUILD)).toBe(true);
    rmSync(path.join(root, "infra/config/values2.ts"));
    writeFileSync(path.join(root, "infra/config/values.ts"), values);
    expect(isStale(root, PROGRAM_BUILD)).toBe(false);

    writeFileSync(path.join(root, "policy/bin/left-over.ts"), "export {};\n");
    expect(isStale(root, POLICY_PACK_BUILD)).toBe(false);
    rmSync(path.join(root, "policy/bin"), { recursive: true });
  });
});

describe("building", () => {
  let root: string;
  beforeAll(() => {
    root = scratchRepository();
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  test("builds what is stale into JavaScript that runs, and then nothing", { timeout: 90_000 }, async () => {
    expect(await ensureBuilt(root)).toEqual(["the program", "the policy pack"]);
    const program = path.join(root, "dist/infra/index.js");
    expect(Object.entries(await import(program))).toContainEqual(["tokenLifetime", 7200]);
    expect(existsSync(path.join(root, "policy/bin/index.js"))).toBe(true);
    expect(await ensureBuilt(root)).toEqual([]);
  });

  test("a source tsc cannot build is refused with tsc's words, and the last build stays as it was", { timeout: 90_000 }, async () => {
    const before = readFileSync(path.join(root, "dist/infra/index.js"), "utf8");
    const values = readFileSync(path.join(root, "infra/config/values.ts"), "utf8");
    writeFileSync(path.join(root, "infra/config/values.ts"), "export const lifetime = ;\n");
    try {
      const failure = await build(root, PROGRAM_BUILD).catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(BuildFailed);
      expect((failure as Error).message).toMatch(/^building the program \(tsc -p tsconfig.build.json\) failed:\n.*values\.ts.*error TS/);
      expect(readFileSync(path.join(root, "dist/infra/index.js"), "utf8")).toBe(before);
      expect(isStale(root, PROGRAM_BUILD)).toBe(true);
    } finally {
      writeFileSync(path.join(root, "infra/config/values.ts"), values);
    }
  });

  test("the Pulumi CLI is started only once the build is of today's sources", { timeout: 90_000 }, async () => {
    writeFileSync(path.join(root, "infra/config/values.ts"), "export const lifetime: number = 3600;\n");
    expect(isStale(root, PROGRAM_BUILD)).toBe(true);
    const bin = path.join(root, "fake-bin");
    mkdirSync(bin);
    // The stand-in CLI records what the program's build holds when it starts.
    writeFileSync(path.join(bin, "pulumi"), `#!/bin/sh\ngrep -c 3600 dist/infra/config/values.js > pulumi-saw\n`);
    chmodSync(path.join(bin, "pulumi"), 0o755);
    const code = await execPulumi(root)(["preview"], { PATH: [bin, process.env.PATH ?? ""].join(path.delimiter) });
    expect(code).toBe(0);
    expect(readFileSync(path.join(root, "pulumi-saw"), "utf8").trim()).toBe("1");
    expect(isStale(root, PROGRAM_BUILD)).toBe(false);
  });
});

describe("a build run by hand (pulumi up without npm run) refuses to be older than its sources", () => {
  let root: string;
  beforeAll(() => {
    root = scratchRepository();
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  test("the program's and the pack's copies of the rule agree on every build's digest, in this repository and after an edit", () => {
    for (const target of BUILDS) {
      expect(packCopy.sourceDigest(REPO_ROOT, target)).toBe(sourceDigest(REPO_ROOT, target));
      stampAsBuilt(root);
      writeFileSync(path.join(root, "infra/config/values.ts"), "export const lifetime: number = 60;\n");
      expect([packCopy.isStale(root, target), packCopy.stampedDigest(root, target)]).toEqual([
        isStale(root, target),
        stampedDigest(root, target),
      ]);
    }
    expect(packCopy.POLICY_PACK_BUILD).toEqual(POLICY_PACK_BUILD);
  });

  test.each([
    ["the program", PROGRAM_BUILD, "dist/infra/index.js", refuseStaleBuild],
    ["the policy pack", POLICY_PACK_BUILD, "policy/bin/index.js", packCopy.refuseStaleBuild],
  ] as const)(
    "%s: runs while its build is of today's sources; after an edit, refuses in one line naming npm run build",
    (_, target, entry, refuse) => {
      writeFileSync(path.join(root, "infra/config/values.ts"), "export const lifetime: number = 7200;\n");
      stampAsBuilt(root);
      const module = path.join(root, entry);
      expect(() => refuse(target, module, 2)).not.toThrow();
      const source = path.join(root, target.sourceDir, "index.ts");
      const before = readFileSync(source);
      writeFileSync(source, Buffer.concat([before, Buffer.from("\nexport const added = 1;\n")]));
      try {
        expect(() => refuse(target, module, 2)).toThrow(
          new RegExp(
            `^${target.label} in ${target.outDir}/ was built from other sources than ${target.sourceDir}/ holds now: run \`npm run build\` first`,
          ),
        );
        // Run from its TypeScript (tests, ts-node), a module is today's sources by definition.
        expect(() => refuse(target, module.replace(/\.js$/, ".ts"), 2)).not.toThrow();
      } finally {
        writeFileSync(source, before);
      }
    },
  );
});
