import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { parseDocument } from "yaml";
import { listStacks } from "../../stacks/stack-config";
import { createWorkspace, npmPackageVersion, requireBuiltEngine, type EngineRun, type Workspace } from "./engine";

// What the real CLI makes of the project file and the stack files, which Pulumi's mocks never
// read: Pulumi.yaml's declarations (types, `secret: true`) are enforced by the engine before it
// runs the program, on `preview`, `up` and `destroy` alike. A destroy of a stack with no
// resources runs that validation and nothing else (no program, no provider), so it shows what
// the engine accepts without the pieces that `npm run engine:build` cannot build yet.

const PASSWORD = "Engine-Test-Password-42!";

let workspace: Workspace | undefined;
afterEach(async () => {
  await workspace?.dispose();
  workspace = undefined;
});

const output = (run: EngineRun): string => `${run.stdout}\n${run.stderr}`;

async function stackWorkspace(stack: string): Promise<Workspace> {
  workspace = await createWorkspace([`Pulumi.${stack}.yaml`]);
  const init = await workspace.run(["stack", "init", stack]);
  expect(init.code, output(init)).toBe(0);
  return workspace;
}

/** Rewrites one key of the workspace's stack file, as a person editing it by hand would. */
async function setInStackFile(ws: Workspace, stack: string, key: string, value: unknown): Promise<void> {
  const file = path.join(ws.projectDir, `Pulumi.${stack}.yaml`);
  const document = parseDocument(await readFile(file, "utf8"));
  document.setIn(["config", key], value);
  await writeFile(file, document.toString());
}

const emptyDestroy = (ws: Workspace, stack: string) => ws.run(["destroy", "--yes", "--stack", stack]);

describe("the real Pulumi CLI on this project", () => {
  beforeAll(requireBuiltEngine);

  it("is the release of the program's @pulumi/pulumi", async () => {
    const ws = (workspace = await createWorkspace([]));
    const run = await ws.run(["version"]);
    expect(run.code, output(run)).toBe(0);
    expect(run.stdout.trim()).toBe(`v${await npmPackageVersion("@pulumi/pulumi")}`);
  });

  it.each(listStacks())("accepts Pulumi.yaml with the committed Pulumi.%s.yaml on a file:// backend", async (stack) => {
    const ws = await stackWorkspace(stack);
    const run = await emptyDestroy(ws, stack);
    expect(run.code, output(run)).toBe(0);
    expect(output(run)).not.toMatch(/error/i);
  });

  it("refuses a test user password written in plain text, because Pulumi.yaml declares it secret", async () => {
    const ws = await stackWorkspace("dev");
    await setInStackFile(ws, "dev", "timesheets:testUserPassword", PASSWORD);
    const run = await emptyDestroy(ws, "dev");
    expect(run.code).not.toBe(0);
    expect(output(run)).toContain("Stack 'dev' with configuration key 'timesheets:testUserPassword' must be encrypted as it's secret");
  });

  it("keeps a password set with --secret encrypted in the stack file, readable only with the passphrase", async () => {
    const ws = await stackWorkspace("dev");
    const set = await ws.run(["config", "set", "--secret", "timesheets:testUserPassword", PASSWORD]);
    expect(set.code, output(set)).toBe(0);
    const stackFile = await readFile(path.join(ws.projectDir, "Pulumi.dev.yaml"), "utf8");
    expect(stackFile).not.toContain(PASSWORD);
    expect(parseDocument(stackFile).getIn(["config", "timesheets:testUserPassword", "secure"])).toMatch(/^v1:/);

    const get = await ws.run(["config", "get", "timesheets:testUserPassword"]);
    expect(get.stdout.trim()).toBe(PASSWORD);
    const wrong = await ws.run(["config", "get", "timesheets:testUserPassword"], { PULUMI_CONFIG_PASSPHRASE: "not the passphrase" });
    expect(wrong.code).not.toBe(0);
    expect(output(wrong)).not.toContain(PASSWORD);

    const run = await emptyDestroy(ws, "dev");
    expect(run.code, output(run)).toBe(0);
  });

  it("refuses a value of the wrong type for a key Pulumi.yaml declares an integer", async () => {
    const ws = await stackWorkspace("staging");
    await setInStackFile(ws, "staging", "timesheets:tokenLifetime", "two hours");
    const run = await emptyDestroy(ws, "staging");
    expect(run.code).not.toBe(0);
    expect(output(run)).toContain("Stack 'staging' with configuration key 'timesheets:tokenLifetime' must be of type 'integer'");
  });
});
