import { chmodSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, test } from "vitest";
import { adoptionNotes, stateIds } from "../../stacks/runner-steps/adoption";
import { CliMissing, PULUMI_MISSING, pulumiOnPath } from "../../stacks/runner-steps/pulumi-cli";
import { loadStackSpec } from "../../stacks/stack-config";
import { LOCAL_STATE_DIR, main, renderCheck, type RunnerIo, type StackCheck } from "../../stacks/runner";
import { EMPTY_STATE } from "../support/empty-state";

// The real stack file check (the render's), run once per stack for this file.
const checks = new Map<string, ReturnType<StackCheck>>();
const cachedCheck: StackCheck = (stack, root) => {
  const key = `${root}\0${stack}`;
  const found = checks.get(key) ?? renderCheck(stack, root);
  checks.set(key, found);
  return found;
};

interface Harness {
  io: RunnerIo;
  calls: { args: string[]; backend: string | undefined }[];
  errors: string[];
}

function harness(env: NodeJS.ProcessEnv, exitCodes: Record<string, number> = {}, extra: Partial<RunnerIo> = {}): Harness {
  const calls: Harness["calls"] = [];
  const errors: string[] = [];
  const record = (args: readonly string[], childEnv: NodeJS.ProcessEnv) => {
    calls.push({ args: [...args], backend: childEnv.PULUMI_BACKEND_URL });
    return exitCodes[args.slice(0, 2).join(" ")] ?? 0;
  };
  const io: RunnerIo = {
    env,
    stderr: (line: string) => errors.push(line),
    exec: async (args, childEnv) => record(args, childEnv),
    capture: async (args, childEnv) => ({ code: record(args, childEnv), stdout: EMPTY_STATE }),
    cliInstalled: () => true,
    checkStack: cachedCheck,
    ...extra,
  };
  return { io, calls, errors };
}

const credentials = { AUTH0_CLIENT_ID: "deployer", AUTH0_CLIENT_SECRET: "s3cret" };

describe("npm run up / preview", () => {
  test("up selects the stack, creating it on first use, and deploys it with its guardrails on the local file backend", async () => {
    const { io, calls } = harness(credentials);
    expect(await main(["up", "--stack", "dev"], io)).toBe(0);
    expect(calls).toEqual([
      { args: ["stack", "select", "--create", "dev"], backend: `file://${LOCAL_STATE_DIR}` },
      // The state is read for creates an interrupted deploy left pending before anything changes.
      { args: ["stack", "export", "--stack", "dev"], backend: `file://${LOCAL_STATE_DIR}` },
      {
        args: ["up", "--stack", "dev", "--policy-pack", "policy", "--policy-pack-config", "policy/config/dev.json"],
        backend: `file://${LOCAL_STATE_DIR}`,
      },
    ]);
  });

  test("a stack created on a shared backend gets the chosen secrets provider", async () => {
    const env = {
      ...credentials,
      PULUMI_BACKEND_URL: "azblob://pulumi-state",
      PULUMI_SECRETS_PROVIDER: "azurekeyvault://exampleco-kv.vault.azure.net/keys/pulumi",
    };
    const { io, calls } = harness(env);
    expect(await main(["up", "--stack", "dev"], io)).toBe(0);
    expect(calls[0]?.args).toEqual([
      "stack",
      "select",
      "--create",
      "dev",
      "--secrets-provider",
      "azurekeyvault://exampleco-kv.vault.azure.net/keys/pulumi",
    ]);
  });

  test("a chosen backend is used as it is", async () => {
    const { io, calls } = harness({ ...credentials, PULUMI_BACKEND_URL: "azblob://pulumi-state" });
    expect(await main(["preview", "--stack", "prod"], io)).toBe(0);
    expect(calls.every((c) => c.backend === "azblob://pulumi-state")).toBe(true);
    expect(calls.find((c) => c.args[0] === "preview")?.args).toEqual([
      "preview",
      "--stack",
      "prod",
      "--diff",
      "--policy-pack",
      "policy",
      "--policy-pack-config",
      "policy/config/prod.json",
    ]);
  });

  test("a failed select or update fails the run with the CLI's exit code", async () => {
    expect(await main(["up", "--stack", "dev"], harness(credentials, { "up --stack": 255 }).io)).toBe(255);
    const failedSelect = harness(credentials, { "stack select": 255 });
    expect(await main(["up", "--stack", "dev"], failedSelect.io)).toBe(255);
    expect(failedSelect.calls).toHaveLength(1);
  });

  test("missing deployer credentials are named before anything runs", async () => {
    const { io, calls, errors } = harness({ AUTH0_CLIENT_ID: "deployer" });
    expect(await main(["up", "--stack", "dev"], io)).toBe(1);
    expect(calls).toEqual([]);
    expect(errors.join("\n")).toMatch(/missing Auth0 deployer credentials: set AUTH0_CLIENT_SECRET/);
  });

  test("a preview runs with the previewer's credentials, and asks for the previewer's when they are missing", async () => {
    const previewer = harness({ AUTH0_CLIENT_ID: "previewer", AUTH0_CLIENT_SECRET: "read-only" });
    expect(await main(["preview", "--stack", "prod"], previewer.io)).toBe(0);
    expect(previewer.calls.map((c) => c.args[0])).toEqual(["stack", "stack", "preview"]);

    const { io, calls, errors } = harness({});
    expect(await main(["preview", "--stack", "dev"], io)).toBe(1);
    expect(calls).toEqual([]);
    const message = errors.join("\n");
    expect(message).toMatch(/missing Auth0 previewer credentials: set AUTH0_CLIENT_ID and AUTH0_CLIENT_SECRET/);
    expect(message).toMatch(/read-only previewer application/);
    expect(message).not.toMatch(/deployer (credentials|application)/);
  });

  test("a missing credential is named, never a value that is set", async () => {
    const { io, errors } = harness({ AUTH0_CLIENT_ID: "client-id-value" });
    expect(await main(["preview", "--stack", "staging"], io)).toBe(1);
    expect(errors.join("\n")).toMatch(/set AUTH0_CLIENT_SECRET \(/);
    expect(errors.join("\n")).not.toContain("client-id-value");
  });

  test("an API token is enough credentials", async () => {
    expect(await main(["preview", "--stack", "dev"], harness({ AUTH0_API_TOKEN: "token" }).io)).toBe(0);
  });

  test("a stack without a stack file is refused, naming the stacks there are", async () => {
    const { io, calls, errors } = harness(credentials);
    expect(await main(["up", "--stack", "qa"], io)).toBe(1);
    expect(calls).toEqual([]);
    expect(errors.join("\n")).toMatch(
      /^error: no stack "qa": there is no Pulumi.qa.yaml beside Pulumi.yaml; the stacks of this repository are dev, local, prod, staging/,
    );
  });

  test("an unknown command or a missing --stack is a usage error", async () => {
    expect(await main(["destroy", "--stack", "dev"], harness(credentials).io)).toBe(1);
    const { io, errors } = harness(credentials);
    expect(await main(["up"], io)).toBe(1);
    expect(errors.join("\n")).toMatch(/--stack/);
  });

  test("up --rotate-client-secret replaces the named clients' program-owned secrets in the same update", async () => {
    const { io, calls } = harness(credentials);
    expect(await main(["up", "--stack", "dev", "--rotate-client-secret", "import-job", "integration-test", "--yes"], io)).toBe(0);
    const up = calls.at(-1)?.args ?? [];
    expect(up.filter((_, i) => up[i - 1] === "--replace")).toEqual([
      "urn:pulumi:dev::timesheets::timesheets:auth0:ImportJob$random:index/randomPassword:RandomPassword::import-job-client-secret",
      "urn:pulumi:dev::timesheets::timesheets:auth0:IntegrationTestApp$random:index/randomPassword:RandomPassword::integration-test-client-secret",
    ]);
    const refused = harness(credentials);
    expect(await main(["up", "--stack", "dev", "--rotate-client-secret", "deployer"], refused.io)).toBe(1);
    expect(refused.calls).toEqual([]);
    expect(await main(["preview", "--stack", "dev", "--rotate-client-secret", "import-job"], harness(credentials).io)).toBe(1);
  });

  test.each(["up", "preview"])("npm run %s -- --help names the command it runs", async (command) => {
    const { io, errors } = harness(credentials);
    expect(await main([command, "--help"], io)).toBe(0);
    const help = errors.join("\n");
    expect(help).toMatch(new RegExp(`^Usage: npm run ${command} -- \\[options\\]`));
    expect(help).not.toMatch(/runner|<command>/);
    expect(help.includes("--yes")).toBe(command === "up");
  });
});

describe("the order of the checks: stack file, then the CLI, then credentials", () => {
  const badRoot = () => {
    const root = mkdtempSync(path.join(tmpdir(), "runner-order-"));
    writeFileSync(path.join(root, "Pulumi.yaml"), "name: timesheets\nruntime: nodejs\n");
    writeFileSync(path.join(root, "Pulumi.qa.yaml"), "config:\n  timesheets:environment: qa\n");
    return root;
  };

  test("a refused stack file is said first, even without the CLI or credentials", async () => {
    const { io, calls, errors } = harness({}, {}, { root: badRoot(), cliInstalled: () => false, checkStack: renderCheck });
    expect(await main(["preview", "--stack", "qa"], io)).toBe(1);
    expect(calls).toEqual([]);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/^error: .*qa/);
  });

  test("then a missing CLI, in one line that says how to install it, before credentials", async () => {
    const { io, calls, errors } = harness({}, {}, { cliInstalled: () => false });
    expect(await main(["up", "--stack", "dev"], io)).toBe(1);
    expect(calls).toEqual([]);
    expect(errors).toEqual([PULUMI_MISSING]);
    expect(PULUMI_MISSING.split("\n")).toHaveLength(1);
    expect(PULUMI_MISSING).toMatch(/pulumi.com\/docs\/install/);
  });

  test("a CLI that cannot be started after all is the same line, never a stack trace", async () => {
    const { io, errors } = harness(credentials, {}, { exec: () => Promise.reject(new CliMissing()) });
    expect(await main(["up", "--stack", "dev"], io)).toBe(1);
    expect(errors.at(-1)).toBe(PULUMI_MISSING);
  });

  test("the PATH lookup finds an executable pulumi, and only that", () => {
    const empty = mkdtempSync(path.join(tmpdir(), "no-pulumi-"));
    const withCli = mkdtempSync(path.join(tmpdir(), "with-pulumi-"));
    writeFileSync(path.join(withCli, "pulumi"), "#!/bin/sh\n");
    chmodSync(path.join(withCli, "pulumi"), 0o755);
    const notExecutable = mkdtempSync(path.join(tmpdir(), "pulumi-not-executable-"));
    writeFileSync(path.join(notExecutable, "pulumi"), "");
    chmodSync(path.join(notExecutable, "pulumi"), 0o644);
    expect(pulumiOnPath({ PATH: empty })).toBe(false);
    expect(pulumiOnPath({})).toBe(false);
    expect(pulumiOnPath({ PATH: [empty, notExecutable].join(path.delimiter) })).toBe(false);
    expect(pulumiOnPath({ PATH: [empty, withCli].join(path.delimiter) })).toBe(true);
  });
});

function stateIdsOf(text: string): { ids: Set<string>; resources: number } {
  const state = stateIds(text);
  if (state === undefined) throw new Error("unreadable state");
  return state;
}

describe("a timesheets:adopt block left in place", () => {
  const adopt = { resourceServerId: "5f2d1a9c8b7e6d5c4b3a2f1e", connectionId: "con_Dzr2ZT4EcjQRv1yo" };
  const exported = (ids: string[], extra = 0) =>
    JSON.stringify({
      deployment: {
        resources: [
          { urn: "urn:pulumi:prod::timesheets::pulumi:pulumi:Stack::timesheets-prod", custom: false, type: "pulumi:pulumi:Stack" },
          { urn: "urn:...::auth0", custom: true, type: "pulumi:providers:auth0", id: "provider-id" },
          ...ids.map((id) => ({ urn: `urn:...::${id}`, custom: true, type: "auth0:index/connection:Connection", id })),
          ...Array.from({ length: extra }, (_, n) => ({
            urn: `urn:...::other-${n}`,
            custom: true,
            type: "auth0:index/client:Client",
            id: `other-${n}`,
          })),
        ],
      },
    });

  test("while the stack adopts (nothing in its state), nothing is said: the imports are wanted", () => {
    expect(adoptionNotes("prod", adopt, stateIdsOf(exported([])))).toEqual([]);
  });

  test("once every adopted object is in the state, the runner says to remove the block, and why", () => {
    const [note, ...others] = adoptionNotes("prod", adopt, stateIdsOf(exported(Object.values(adopt), 3)));
    expect(others).toEqual([]);
    expect(note).toMatch(/^note: the adoption is done: .*Remove the timesheets:adopt block from Pulumi\.prod\.yaml/);
    expect(note).toMatch(/import it again and fail \("does not exist"\)/);
  });

  test("an adopted id missing from a deployed stack's state is named, with the key to remove", () => {
    const notes = adoptionNotes("prod", adopt, stateIdsOf(exported([adopt.resourceServerId], 3)));
    expect(notes).toEqual([
      expect.stringMatching(
        /^warning: timesheets:adopt\.connectionId \(con_Dzr2ZT4EcjQRv1yo\) is not in the state of prod, .*remove adopt\.connectionId from Pulumi\.prod\.yaml/,
      ),
    ]);
  });

  test("no block, nothing to say; a state that cannot be read is no verdict", () => {
    expect(adoptionNotes("prod", {}, stateIdsOf(exported([], 3)))).toEqual([]);
    expect(stateIds("not json")).toBeUndefined();
  });

  test("the runner warns before the preview or update, and after a successful up says the block is done", async () => {
    const spec = { ...loadStackSpec("prod"), adopt };
    // Read for interrupted creates, then for the block, before the update; once more after it.
    const states = [exported([adopt.resourceServerId], 3), exported([adopt.resourceServerId], 3), exported(Object.values(adopt), 3)];
    const { io, calls, errors } = harness(
      credentials,
      {},
      {
        checkStack: () => Promise.resolve({ ok: true, spec }),
        capture: (args) => {
          calls.push({ args: [...args], backend: undefined });
          return Promise.resolve({ code: 0, stdout: states.shift() ?? "" });
        },
      },
    );
    expect(await main(["up", "--stack", "prod", "--yes"], io)).toBe(0);
    expect(calls.map((c) => c.args.slice(0, 2).join(" "))).toEqual([
      "stack select",
      "stack export",
      "stack export",
      "up --stack",
      "stack export",
    ]);
    expect(errors.filter((line) => /^(warning|note):/.test(line)).map((line) => line.split(":")[0])).toEqual(["warning", "note"]);
  });
});
