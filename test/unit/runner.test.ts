import { describe, expect, test } from "vitest";
import { LOCAL_STATE_DIR, main } from "../../stacks/runner";

function harness(env: NodeJS.ProcessEnv, exitCodes: Record<string, number> = {}) {
  const calls: { args: string[]; backend: string | undefined }[] = [];
  const errors: string[] = [];
  const io = {
    env,
    stderr: (line: string) => errors.push(line),
    exec: async (args: readonly string[], childEnv: NodeJS.ProcessEnv) => {
      calls.push({ args: [...args], backend: childEnv.PULUMI_BACKEND_URL });
      return exitCodes[args.slice(0, 2).join(" ")] ?? 0;
    },
  };
  return { io, calls, errors };
}

const credentials = { AUTH0_CLIENT_ID: "deployer", AUTH0_CLIENT_SECRET: "s3cret" };

describe("npm run up / preview", () => {
  test("up selects the stack and deploys it with its guardrails on the local file backend", async () => {
    const { io, calls } = harness(credentials);
    expect(await main(["up", "--stack", "dev"], io)).toBe(0);
    expect(calls).toEqual([
      { args: ["stack", "select", "dev"], backend: `file://${LOCAL_STATE_DIR}` },
      {
        args: ["up", "--stack", "dev", "--policy-pack", "policy", "--policy-pack-config", "policy/config/dev.json"],
        backend: `file://${LOCAL_STATE_DIR}`,
      },
    ]);
  });

  test("a stack used for the first time is created, then deployed", async () => {
    const { io, calls } = harness(credentials, { "stack select": 255 });
    expect(await main(["up", "--stack", "staging", "--yes"], io)).toBe(0);
    expect(calls.map((c) => c.args.join(" "))).toEqual([
      "stack select staging",
      "stack init staging",
      "up --stack staging --policy-pack policy --policy-pack-config policy/config/staging.json --yes",
    ]);
  });

  test("a stack created on a shared backend gets the chosen secrets provider", async () => {
    const env = {
      ...credentials,
      PULUMI_BACKEND_URL: "azblob://pulumi-state",
      PULUMI_SECRETS_PROVIDER: "azurekeyvault://exampleco-kv.vault.azure.net/keys/pulumi",
    };
    const { io, calls } = harness(env, { "stack select": 255 });
    expect(await main(["up", "--stack", "dev"], io)).toBe(0);
    expect(calls[1]?.args).toEqual([
      "stack",
      "init",
      "dev",
      "--secrets-provider",
      "azurekeyvault://exampleco-kv.vault.azure.net/keys/pulumi",
    ]);
  });

  test("a chosen backend is used as it is", async () => {
    const { io, calls } = harness({ ...credentials, PULUMI_BACKEND_URL: "azblob://pulumi-state" });
    expect(await main(["preview", "--stack", "prod"], io)).toBe(0);
    expect(calls.every((c) => c.backend === "azblob://pulumi-state")).toBe(true);
    expect(calls[1]?.args).toEqual([
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

  test("a failed update fails the run with the CLI's exit code", async () => {
    const { io } = harness(credentials, { "up --stack": 255 });
    expect(await main(["up", "--stack", "dev"], io)).toBe(255);
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
    expect(previewer.calls.map((c) => c.args[0])).toEqual(["stack", "preview"]);

    const { io, calls, errors } = harness({});
    expect(await main(["preview", "--stack", "dev"], io)).toBe(1);
    expect(calls).toEqual([]);
    const message = errors.join("\n");
    expect(message).toMatch(/missing Auth0 previewer credentials: set AUTH0_CLIENT_ID and AUTH0_CLIENT_SECRET/);
    expect(message).toMatch(/read-only previewer application/);
    expect(message).not.toMatch(/deployer (credentials|application)/);
  });

  test("an update still asks for the deployer's credentials", async () => {
    const { io, errors } = harness({});
    expect(await main(["up", "--stack", "dev", "--yes"], io)).toBe(1);
    expect(errors.join("\n")).toMatch(
      /missing Auth0 deployer credentials: set AUTH0_CLIENT_ID and AUTH0_CLIENT_SECRET \(the deployer application's/,
    );
  });

  test("a missing credential is named, never a value that is set", async () => {
    const { io, errors } = harness({ AUTH0_CLIENT_ID: "client-id-value" });
    expect(await main(["preview", "--stack", "staging"], io)).toBe(1);
    expect(errors.join("\n")).toMatch(/set AUTH0_CLIENT_SECRET \(/);
    expect(errors.join("\n")).not.toContain("client-id-value");
  });

  test("an API token is enough credentials", async () => {
    const { io } = harness({ AUTH0_API_TOKEN: "token" });
    expect(await main(["preview", "--stack", "dev"], io)).toBe(0);
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
});
