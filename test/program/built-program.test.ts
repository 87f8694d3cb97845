import { createRequire } from "node:module";
import path from "node:path";
import type { Policy } from "@pulumi/policy";
import * as pulumi from "@pulumi/pulumi";
import { describe, expect, test } from "vitest";
import { loadTenantSpec } from "../../infra/config/load";
import { declareTimesheetsTenant } from "../../infra/program";
import { rules as sourceRules } from "../../policy/rules";
import { POLICY_PACK_BUILD, PROGRAM_BUILD } from "../../stacks/build/builds";
import { encryptedKeys, engineConfigFor, listStacks, REPO_ROOT } from "../../stacks/stack-config";
import { policyConfigFile } from "../policy/support/config-files";
import { programResources, runPack, type ProgramResource } from "../policy/support/program-stack";
import { runProgram, valueOf, type ProgramRun, type RegisteredResource } from "../support/pulumi-program";

// Pulumi runs the program and the pack as the JavaScript tsc built (package.json's and
// policy/package.json's `main`), not as the TypeScript the other tests run. Built the same way
// (test/support/build-setup.ts builds it before the run), it must declare what the TypeScript
// declares for every stack, and the built pack must reach the TypeScript pack's verdicts.

const load = createRequire(__filename);
const builtProgram = path.join(REPO_ROOT, PROGRAM_BUILD.outDir, "infra", "index.js");
const builtRules = path.join(REPO_ROOT, POLICY_PACK_BUILD.outDir, "rules", "index.js");

/** Requires the built program afresh, so that it declares its resources again under the current mocks. */
function requireBuiltProgram(): Record<string, unknown> {
  const outDir = path.join(REPO_ROOT, PROGRAM_BUILD.outDir) + path.sep;
  for (const file of Object.keys(load.cache)) if (file.startsWith(outDir)) Reflect.deleteProperty(load.cache, file);
  return load(builtProgram) as Record<string, unknown>;
}

/** Everything of a resource the engine receives: type, name, inputs and options. */
function declared(resource: RegisteredResource) {
  const { resource: _object, ...rest } = resource;
  return rest;
}

async function outputValues(run: ProgramRun<Record<string, unknown>>): Promise<Record<string, unknown>> {
  const resolve = (value: unknown) => (pulumi.Output.isInstance(value) ? valueOf(value) : value);
  const entries = await Promise.all(Object.entries(run.outputs).map(async ([key, value]) => [key, await resolve(value)] as const));
  return Object.fromEntries(entries);
}

const runs = new Map<string, Promise<{ source: ProgramRun<Record<string, unknown>>; built: ProgramRun<Record<string, unknown>> }>>();

/** Each stack's program, as TypeScript and as its build, each run once under the same mocks and config. */
function bothRuns(stack: string) {
  const cached =
    runs.get(stack) ??
    (async () => {
      const config = engineConfigFor(stack, "placeholders");
      const options = { secretKeys: encryptedKeys(stack), computed: "placeholders" as const };
      const source = await runProgram(
        stack,
        config,
        () => ({ ...declareTimesheetsTenant(loadTenantSpec()) }) as Record<string, unknown>,
        options,
      );
      const built = await runProgram(stack, config, requireBuiltProgram, options);
      return { source, built };
    })();
  runs.set(stack, cached);
  return cached;
}

describe.each(listStacks())("the built program of the %s stack", (stack) => {
  test("declares the same resources with the same inputs and options as the TypeScript", async () => {
    const { source, built } = await bothRuns(stack);
    expect(built.resources.length).toBeGreaterThan(5);
    expect(built.resources.map(declared)).toEqual(source.resources.map(declared));
  });

  test("exports the same stack outputs", async () => {
    const { source, built } = await bothRuns(stack);
    const sourceOutputs = await outputValues(source);
    // The entry point exports the tenant's outputs one by one; every one it exports is the TypeScript's.
    const builtOutputs = await outputValues(built);
    expect(Object.keys(builtOutputs).length).toBeGreaterThan(3);
    for (const [key, value] of Object.entries(builtOutputs)) expect(value, key).toEqual(sourceOutputs[key]);
  });
});

describe("the built policy pack", () => {
  const built = (load(builtRules) as { rules: readonly Policy[] }).rules;

  test("holds the same rules, in the same order, at the same levels", () => {
    const shape = (policies: readonly Policy[]) => policies.map((policy) => [policy.name, policy.enforcementLevel, policy.description]);
    expect(shape(built)).toEqual(shape(sourceRules));
  });

  test("reaches the TypeScript pack's verdicts on every stack's resources under every stack's policy config", async () => {
    const stacks = listStacks();
    let violations = 0;
    for (const stack of stacks) {
      const resources: ProgramResource[] = await programResources((await bothRuns(stack)).built.resources, stack);
      for (const configStack of stacks) {
        const file = policyConfigFile(configStack);
        const fromSource = await runPack(sourceRules, resources, file);
        expect(await runPack(built, resources, file), `${stack} under ${configStack}'s policy config`).toEqual(fromSource);
        violations += fromSource.length;
      }
    }
    // Some stack under another's config breaks rules: the verdicts compared are not all empty.
    expect(violations).toBeGreaterThan(0);
  });
});
