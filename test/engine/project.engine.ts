import { readFileSync } from "node:fs";
import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { parse, parseDocument } from "yaml";
import { listStacks } from "../../stacks/stack-config";
import { createWorkspace, npmPackageVersion, REPO_ROOT, requireBuiltEngine, type EngineRun, type Workspace } from "./engine";

// What the real CLI makes of the project file and the stack files, which Pulumi's mocks never
// read: it checks the stack's config against Pulumi.yaml's declarations (presence, types,
// `secret: true`) before it runs anything, on `preview`, `up` and `destroy` alike. A destroy
// of a stack with no resources runs that check and nothing else (no program, no provider), so
// it shows what the engine accepts without the pieces `npm run engine:build` cannot build yet.

const PASSWORD = "Engine-Test-Password-42!";

interface Declaration {
  type?: string;
  secret?: boolean;
  default?: unknown;
}
const declarations = (): Record<string, Declaration> =>
  (parse(readFileSync(path.join(REPO_ROOT, "Pulumi.yaml"), "utf8")) as { config: Record<string, Declaration> }).config;

let workspace: Workspace | undefined;
afterEach(async () => {
  await workspace?.dispose();
  workspace = undefined;
});

const output = (run: EngineRun): string => `${run.stdout}\n${run.stderr}`;
const stackFile = (ws: Workspace, stack: string): string => path.join(ws.projectDir, `Pulumi.${stack}.yaml`);

/** Rewrites keys of the workspace's stack file, as a person editing it by hand would. */
async function editStackFile(ws: Workspace, stack: string, values: Record<string, unknown>): Promise<void> {
  const document = parseDocument(await readFile(stackFile(ws, stack), "utf8"));
  for (const [key, value] of Object.entries(values)) document.setIn(["config", key], value);
  await writeFile(stackFile(ws, stack), document.toString());
}

/** A value of the declared type: what the engine checks; the program never sees it here. */
function valueOfType(declaration: Declaration): unknown {
  switch (declaration.type) {
    case "string":
      return "set-for-the-engine-check";
    case "boolean":
      return false;
    case "integer":
      return 1;
    case "array":
      return [];
    default:
      return {};
  }
}

/**
 * A copy of a committed stack in a new file:// backend. The real engine requires every key that
 * Pulumi.yaml declares without a `default`, and the committed stack files leave the optional
 * ones unset (README, "What the real engine found"), so the copy sets each of those to a value
 * of its declared type (a secret one with `config set --secret`); keys the stack file sets keep
 * their committed values.
 */
async function completeStack(stack: string, overrides: Record<string, unknown> = {}): Promise<Workspace> {
  const ws = (workspace = await createWorkspace([`Pulumi.${stack}.yaml`]));
  const init = await ws.run(["stack", "init", stack]);
  expect(init.code, output(init)).toBe(0);
  const committed = (parse(await readFile(stackFile(ws, stack), "utf8")) as { config: Record<string, unknown> }).config;
  const unset = Object.entries(declarations()).filter(([key, d]) => !(key in committed) && d.default === undefined);
  const plain = Object.fromEntries(unset.filter(([, d]) => d.secret !== true).map(([key, d]) => [key, valueOfType(d)]));
  await editStackFile(ws, stack, { ...plain, ...overrides });
  for (const [key, d] of unset) {
    if (d.secret !== true || key in overrides) continue;
    const set = await ws.run(["config", "set", "--secret", key, PASSWORD]);
    expect(set.code, output(set)).toBe(0);
  }
  return ws;
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

  it.each(listStacks())("accepts Pulumi.yaml with the committed values of Pulumi.%s.yaml on a file:// backend", async (stack) => {
    const ws = await completeStack(stack);
    const run = await emptyDestroy(ws, stack);
    expect(run.code, output(run)).toBe(0);
    expect(output(run)).not.toMatch(/error/i);
  });

  it("refuses a test user password written in plain text, because Pulumi.yaml declares it secret", async () => {
    const ws = await completeStack("dev", { "timesheets:testUserPassword": PASSWORD });
    const run = await emptyDestroy(ws, "dev");
    expect(run.code).not.toBe(0);
    expect(output(run)).toContain("Stack 'dev' with configuration key 'timesheets:testUserPassword' must be encrypted as it's secret");
  });

  it("keeps a password set with --secret encrypted in the stack file, readable only with the passphrase", async () => {
    const ws = await completeStack("dev");
    const file = await readFile(stackFile(ws, "dev"), "utf8");
    expect(file).not.toContain(PASSWORD);
    expect(parseDocument(file).getIn(["config", "timesheets:testUserPassword", "secure"])).toMatch(/^v1:/);

    const get = await ws.run(["config", "get", "timesheets:testUserPassword"]);
    expect(get.stdout.trim()).toBe(PASSWORD);
    const wrong = await ws.run(["config", "get", "timesheets:testUserPassword"], { PULUMI_CONFIG_PASSPHRASE: "not the passphrase" });
    expect(wrong.code).not.toBe(0);
    expect(output(wrong)).not.toContain(PASSWORD);
  });

  it("refuses a value of the wrong type for a key Pulumi.yaml declares an integer", async () => {
    const ws = await completeStack("staging", { "timesheets:tokenLifetime": "two hours" });
    const run = await emptyDestroy(ws, "staging");
    expect(run.code).not.toBe(0);
    expect(output(run)).toContain("Stack 'staging' with configuration key 'timesheets:tokenLifetime' must be of type 'integer'");
  });
});
