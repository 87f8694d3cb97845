import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { main, type RunnerIo } from "../../stacks/runner";
import { loadStackSpec } from "../../stacks/stack-config";
import { ACCOUNT, ACCOUNT_KEY, startAzurite, type Azurite } from "./azurite";
import { PASSPHRASE, requireBuiltEngine } from "./engine";
import { inlineCli, type InlineCli } from "./inline-cli";

// A team's shared state in Azure Blob Storage (docs/state.md), proven against Azurite with the real
// CLI and the runner (`npm run up` / `npm run preview`): a small program with no provider resources
// (components only, which the engine records in state without any plugin) runs whole.

let azurite: Azurite;
let root: string;
const spec = loadStackSpec("dev");

beforeAll(async () => {
  requireBuiltEngine();
  azurite = await startAzurite();
  root = await mkdtemp(path.join(os.tmpdir(), "timesheets-azblob-"));
});
afterAll(async () => {
  await azurite?.stop();
  if (root) await rm(root, { recursive: true, force: true });
});

/** A program of `count` components named `<prefix>-<n>`, which waits for `gate` (when given) after registering them. */
function pieces(prefix: string, count: number, gate?: { started: () => void; released: Promise<void> }) {
  return async () => {
    for (let n = 1; n <= count; n++) new pulumi.ComponentResource("timesheets:test:Piece", `${prefix}-${n}`, {}, {});
    gate?.started();
    await gate?.released;
    return { pieces: count };
  };
}

function gate() {
  let started!: () => void;
  let release!: () => void;
  const whenStarted = new Promise<void>((resolve) => (started = resolve));
  const released = new Promise<void>((resolve) => (release = resolve));
  return { started, released, whenStarted, release };
}

/** A project folder (Pulumi.yaml, an empty Pulumi.dev.yaml) and its own container in Azurite. */
async function project(name: string) {
  const dir = path.join(root, name);
  await import("node:fs/promises").then((fs) => fs.mkdir(dir));
  await writeFile(path.join(dir, "Pulumi.yaml"), "name: timesheets\nruntime: nodejs\n");
  await writeFile(path.join(dir, "Pulumi.dev.yaml"), "config: {}\n");
  await azurite.createContainer(name);
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: dir,
    PULUMI_HOME: path.join(dir, ".pulumi-home"),
    PULUMI_CONFIG_PASSPHRASE: PASSPHRASE,
    PULUMI_SKIP_UPDATE_CHECK: "true",
    PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
    NO_COLOR: "1",
    PULUMI_BACKEND_URL: `azblob://${name}?domain=${azurite.host}&protocol=http&localemu=true`,
    AZURE_STORAGE_ACCOUNT: ACCOUNT,
    AZURE_STORAGE_KEY: ACCOUNT_KEY,
    // The runner asks for them; nothing here reaches Auth0 (no create is pending).
    AUTH0_CLIENT_ID: "unused",
    AUTH0_CLIENT_SECRET: "unused",
  };
  return { dir, env, container: name };
}

async function runner(command: "up" | "preview", dir: string, env: NodeJS.ProcessEnv, cli: InlineCli) {
  const lines: string[] = [];
  const io: RunnerIo = {
    env,
    stderr: (line) => lines.push(line),
    exec: cli.exec,
    capture: cli.capture,
    cliInstalled: () => true,
    checkStack: () => Promise.resolve({ ok: true, spec }),
    root: dir,
  };
  const argv = command === "up" ? ["up", "--stack", "dev", "--yes", "--no-policy-pack"] : ["preview", "--stack", "dev", "--no-policy-pack"];
  return { code: await main(argv, io), lines };
}

async function stateOf(dir: string, env: NodeJS.ProcessEnv) {
  const exported = await inlineCli(dir, pieces("unused", 0)).capture(["stack", "export", "--stack", "dev"], env);
  const deployment = (JSON.parse(exported.stdout) as { deployment: { resources?: { urn: string }[]; pending_operations?: unknown[] } })
    .deployment;
  return {
    names: (deployment.resources ?? []).map((r) => r.urn.slice(r.urn.lastIndexOf("::") + 2)).sort(),
    pending: deployment.pending_operations ?? [],
  };
}

const lockBlobs = (blobs: Map<string, string>) => [...blobs.keys()].filter((name) => name.startsWith(".pulumi/locks/"));

describe("state in Azure Blob Storage (Azurite), with the real CLI, through the runner", () => {
  test("up writes the stack's state there, and a preview reads it and changes nothing", async () => {
    const { dir, env, container } = await project("state-up");
    expect((await runner("up", dir, env, inlineCli(dir, pieces("piece", 3)))).code).toBe(0);
    expect((await stateOf(dir, env)).names).toEqual(["piece-1", "piece-2", "piece-3", "timesheets-dev"]);
    const before = await azurite.blobs(container);
    expect([...before.keys()]).toContain(".pulumi/stacks/timesheets/dev.json");
    const preview = inlineCli(dir, pieces("piece", 3));
    expect((await runner("preview", dir, env, preview)).code).toBe(0);
    expect(await azurite.blobs(container)).toEqual(before);
  });

  test("two ups of one stack at once: the second refuses with the lock, and the state is the first one's, whole", async () => {
    const { dir, env, container } = await project("state-race");
    expect((await runner("up", dir, env, inlineCli(dir, pieces("first", 1)))).code).toBe(0);
    const first = gate();
    const running = runner("up", dir, env, inlineCli(dir, pieces("first", 3, first)));
    // The first update holds the lock from before its program runs until it ends.
    await first.whenStarted;
    expect(lockBlobs(await azurite.blobs(container))).toHaveLength(1);
    const secondCli = inlineCli(dir, pieces("second", 5));
    const second = await runner("up", dir, env, secondCli);
    expect(second.code).not.toBe(0);
    const refused = secondCli.runs.find((run) => run.args[0] === "up");
    expect(refused?.output).toMatch(/the stack is currently locked by 1 lock\(s\)/);
    expect(refused?.output).toMatch(/created by .+@.+ \(pid \d+\) at /);
    first.release();
    expect((await running).code).toBe(0);
    const state = await stateOf(dir, env);
    expect(state).toEqual({ names: ["first-1", "first-2", "first-3", "timesheets-dev"], pending: [] });
    expect(lockBlobs(await azurite.blobs(container))).toEqual([]);
  });

  test("a preview with a read-only SAS (the previewer's rights) writes nothing, not even a lock", async () => {
    const { dir, env, container } = await project("state-read-only");
    expect((await runner("up", dir, env, inlineCli(dir, pieces("piece", 2)))).code).toBe(0);
    const before = await azurite.blobs(container);
    const readOnly = { ...env, AZURE_STORAGE_KEY: undefined, AZURE_STORAGE_SAS_TOKEN: azurite.sas("rl") };
    const during = gate();
    const previewing = runner("preview", dir, readOnly, inlineCli(dir, pieces("piece", 3, during)));
    await during.whenStarted;
    expect(lockBlobs(await azurite.blobs(container))).toEqual([]);
    during.release();
    const preview = await previewing;
    expect(preview.code).toBe(0);
    expect(await azurite.blobs(container)).toEqual(before);
    // The same read-only identity cannot update: the SAS is what keeps the preview from writing.
    const upCli = inlineCli(dir, pieces("piece", 3));
    expect((await runner("up", dir, readOnly, upCli)).code).not.toBe(0);
    expect(upCli.runs.find((run) => run.args[0] === "up")?.output).toMatch(/AuthorizationPermissionMismatch/);
    expect(await azurite.blobs(container)).toEqual(before);
  });
});
