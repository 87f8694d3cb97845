import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeAll, describe, expect, test } from "vitest";
import { completeSnapshot } from "../../stacks/auth0/model";
import { settleInterruptedCreates } from "../../stacks/runner-steps/interrupted";
import { loadStackSpec } from "../../stacks/stack-config";
import { PASSPHRASE, requireBuiltEngine } from "./engine";
import { inlineCli } from "./inline-cli";
import { m2m } from "../support/live-clients";

// What the pinned CLI (v3.248.0) does with a state that holds interrupted creates, written into a
// file backend as an interrupted `pulumi up` leaves it (`pulumi stack import` would drop the
// pending operations itself): the runner's way of adopting one, and why it is not
// `pulumi refresh --import-pending-creates`.

const spec = loadStackSpec("dev");
const PROVIDER = "urn:pulumi:dev::timesheets::pulumi:providers:auth0::auth0";
const PROVIDER_ID = "5b1c4d0a-0000-4000-8000-000000000001";
const JOB = "urn:pulumi:dev::timesheets::auth0:index/client:Client::import-job-client";
const SECRET = "urn:pulumi:dev::timesheets::random:index/randomPassword:RandomPassword::import-job-client-secret";

let folder: string | undefined;
afterEach(async () => {
  if (folder) await rm(folder, { recursive: true, force: true });
  folder = undefined;
});
beforeAll(requireBuiltEngine);

async function interruptedStack() {
  folder = await mkdtemp(path.join(os.tmpdir(), "timesheets-pending-"));
  const dir = path.join(folder, "project");
  const backend = path.join(folder, "backend");
  await Promise.all([mkdir(dir), mkdir(backend)]);
  await writeFile(path.join(dir, "Pulumi.yaml"), "name: timesheets\nruntime: nodejs\n");
  await writeFile(path.join(dir, "Pulumi.dev.yaml"), "config: {}\n");
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: folder,
    PULUMI_HOME: path.join(folder, "home"),
    PULUMI_BACKEND_URL: `file://${backend}`,
    PULUMI_CONFIG_PASSPHRASE: PASSPHRASE,
    PULUMI_SKIP_UPDATE_CHECK: "true",
    PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
    NO_COLOR: "1",
  };
  const cli = inlineCli(dir, () => Promise.resolve({}));
  expect(await cli.exec(["stack", "init", "dev"], env)).toBe(0);
  // The checkpoint as `up` writes it when killed after the provider and during two creates.
  const checkpointFile = path.join(backend, ".pulumi", "stacks", "timesheets", "dev.json");
  const checkpoint = JSON.parse(await readFile(checkpointFile, "utf8")) as { checkpoint: { latest: Record<string, unknown> } };
  const pending = (urn: string, type: string, inputs: Record<string, unknown>) => ({
    resource: { urn, custom: true, type, inputs, provider: `${PROVIDER}::${PROVIDER_ID}` },
    type: "creating",
  });
  checkpoint.checkpoint.latest.resources = [
    { urn: "urn:pulumi:dev::timesheets::pulumi:pulumi:Stack::timesheets-dev", custom: false, type: "pulumi:pulumi:Stack" },
    {
      urn: PROVIDER,
      custom: true,
      id: PROVIDER_ID,
      type: "pulumi:providers:auth0",
      inputs: { version: "3.49.0" },
      outputs: { version: "3.49.0" },
    },
  ];
  checkpoint.checkpoint.latest.pending_operations = [
    pending(JOB, "auth0:index/client:Client", { name: spec.importJob.name, appType: "non_interactive" }),
    pending(SECRET, "random:index/randomPassword:RandomPassword", { length: 64 }),
  ];
  await writeFile(checkpointFile, JSON.stringify(checkpoint));
  const state = async () => {
    const exported = await cli.capture(["stack", "export", "--stack", "dev"], env);
    const deployment = (
      JSON.parse(exported.stdout) as { deployment: { resources: { urn: string; id?: string }[]; pending_operations?: { type: string }[] } }
    ).deployment;
    return { resources: deployment.resources.map((r) => [r.urn, r.id]), pending: (deployment.pending_operations ?? []).length };
  };
  expect((await state()).pending).toBe(2);
  return { cli, env, state };
}

describe("interrupted creates in the pinned CLI's state", () => {
  test("`pulumi refresh --import-pending-creates URN ID` drops the create instead of importing it: the object would be created again", async () => {
    const { cli, env, state } = await interruptedStack();
    const code = await cli.exec(
      [
        "refresh",
        "--stack",
        "dev",
        "--yes",
        "--import-pending-creates",
        JOB,
        "--import-pending-creates",
        "job-1",
        "--clear-pending-creates",
      ],
      env,
    );
    expect(code).toBe(0);
    const after = await state();
    expect(after.pending).toBe(0);
    expect(after.resources.map(([urn]) => urn)).not.toContain(JOB);
  });

  test("the runner's settling: the one client found is in the state with the tenant's id, the secret's create dropped, nothing pending", async () => {
    const { cli, env, state } = await interruptedStack();
    const lines: string[] = [];
    const code = await settleInterruptedCreates({
      command: "up",
      spec,
      env,
      exec: cli.exec,
      capture: cli.capture,
      stderr: (line) => lines.push(line),
      lookUp: () =>
        Promise.resolve({
          query: { apiIdentifier: spec.api.identifier, connectionName: spec.connection.name, emails: [] },
          snapshot: completeSnapshot({
            resourceServer: undefined,
            clients: [m2m({ clientId: "job-1", name: spec.importJob.name, grantTypes: [] })],
            grants: [],
            connection: undefined,
            enabledClients: [],
            usersByEmail: new Map(),
            testUserRoles: { named: [], assigned: [] },
          }),
        }),
    });
    const after = await state();
    expect(after).toEqual({ resources: expect.arrayContaining([[JOB, "job-1"]]) as unknown, pending: 0 });
    expect(after.resources.map(([urn]) => urn)).not.toContain(SECRET);
    expect(cli.runs.map((run) => [run.args[0], run.args[1], run.code])).toContainEqual(["stack", "import", 0]);
    // Reading the adopted client's outputs needs the auth0 plugin, which cannot be built here (docs/engine.md).
    const read = cli.runs.find((run) => run.args[0] === "refresh");
    expect(read?.args).toEqual(["refresh", "--stack", "dev", "--yes", "--skip-preview", "--target", JOB]);
    expect(read?.output).toMatch(
      /could not load provider for resource \S+::import-job-client: .*no resource plugin 'pulumi-resource-auth0'/s,
    );
    expect(code).not.toBe(0);
    expect(lines[0]).toMatch(/^adopted: import-job-client .*job-1/);
  });
});
