import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { parseDocument } from "yaml";
import { LOCAL_PASSPHRASE } from "../../local/local-mode";
import { listStacks } from "../../stacks/stack-config";
import { createWorkspace, npmPackageVersion, PASSPHRASE, requireBuiltEngine, type EngineRun, type Workspace } from "./engine";

// What the real CLI makes of the project file and the stack files, which Pulumi's mocks never
// read: it checks the stack's config against Pulumi.yaml's declarations (every declared key
// without a default must be set) before it runs anything, on `preview`, `up` and `destroy` alike. A destroy
// of a stack with no resources runs that check and nothing else (no program, no provider), so
// it shows what the engine accepts without the pieces `npm run engine:build` cannot build yet.

const PASSWORD = "Engine-Test-Password-42!";

let workspace: Workspace | undefined;
afterEach(async () => {
  await workspace?.dispose();
  workspace = undefined;
});

const output = (run: EngineRun): string => `${run.stdout}\n${run.stderr}`;
const stackFile = (ws: Workspace, stack: string): string => path.join(ws.projectDir, `Pulumi.${stack}.yaml`);

/** The local stack commits the encryptionsalt of local mode's fixed passphrase; the others get theirs when first created. */
const passphrase = (stack: string): Record<string, string> => ({
  PULUMI_CONFIG_PASSPHRASE: stack === "local" ? LOCAL_PASSPHRASE : PASSPHRASE,
});

/** A copy of a committed stack, as committed, in a new file:// backend. */
async function committedStack(stack: string): Promise<Workspace> {
  const ws = (workspace = await createWorkspace([`Pulumi.${stack}.yaml`]));
  const init = await ws.run(["stack", "init", stack], passphrase(stack));
  expect(init.code, output(init)).toBe(0);
  return ws;
}

const emptyDestroy = (ws: Workspace, stack: string) => ws.run(["destroy", "--yes", "--stack", stack], passphrase(stack));

describe("the real Pulumi CLI on this project", () => {
  beforeAll(requireBuiltEngine);

  it("is the release of the program's @pulumi/pulumi", async () => {
    const ws = (workspace = await createWorkspace([]));
    const run = await ws.run(["version"]);
    expect(run.code, output(run)).toBe(0);
    expect(run.stdout.trim()).toBe(`v${await npmPackageVersion("@pulumi/pulumi")}`);
  });

  it.each(listStacks())("accepts Pulumi.yaml with Pulumi.%s.yaml exactly as committed, on a file:// backend", async (stack) => {
    const ws = await committedStack(stack);
    const run = await emptyDestroy(ws, stack);
    expect(run.code, output(run)).toBe(0);
    expect(output(run)).not.toMatch(/error/i);
  });

  it("refuses a stack file without a key every stack must set, naming it", async () => {
    const ws = await committedStack("dev");
    const document = parseDocument(await readFile(stackFile(ws, "dev"), "utf8"));
    document.deleteIn(["config", "timesheets:domain"]);
    await writeFile(stackFile(ws, "dev"), document.toString());
    const run = await emptyDestroy(ws, "dev");
    expect(run.code).not.toBe(0);
    expect(output(run)).toContain("'timesheets:domain'");
  });

  it("keeps a password set with --secret encrypted in the stack file, readable only with the passphrase", async () => {
    const ws = await committedStack("dev");
    const set = await ws.run(["config", "set", "--secret", "timesheets:testUserPassword", PASSWORD]);
    expect(set.code, output(set)).toBe(0);
    const file = await readFile(stackFile(ws, "dev"), "utf8");
    expect(file).not.toContain(PASSWORD);
    expect(parseDocument(file).getIn(["config", "timesheets:testUserPassword", "secure"])).toMatch(/^v1:/);

    const get = await ws.run(["config", "get", "timesheets:testUserPassword"]);
    expect(get.stdout.trim()).toBe(PASSWORD);
    const wrong = await ws.run(["config", "get", "timesheets:testUserPassword"], { PULUMI_CONFIG_PASSPHRASE: "not the passphrase" });
    expect(wrong.code).not.toBe(0);
    expect(output(wrong)).not.toContain(PASSWORD);
  });
});
