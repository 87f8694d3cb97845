import { chmodSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, test } from "vitest";
import { LOCAL_PASSPHRASE } from "../../../local/local-mode";
import { REPO_ROOT } from "../../../stacks/stack-config";
import { localFolder, runLocal } from "./run-local";
import { EMPTY_STATE } from "../../support/empty-state";

// `npm run local -- --check` with a fake `pulumi` first on PATH: a small script that records each
// call (its arguments, working folder and the variables that matter) and answers as the CLI
// does, without deploying anything. What the runner hands the real CLI is what is checked here.

const RECORDED = [
  "AUTH0_DOMAIN",
  "AUTH0_CLIENT_ID",
  "AUTH0_CLIENT_SECRET",
  "AUTH0_API_TOKEN",
  "SSL_CERT_FILE",
  "NODE_EXTRA_CA_CERTS",
  "PULUMI_BACKEND_URL",
  "PULUMI_CONFIG_PASSPHRASE",
];

function fakePulumi(folder: string): { bin: string; log: string } {
  const bin = path.join(folder, "bin");
  const log = path.join(folder, "pulumi-calls.jsonl");
  mkdirSync(bin);
  const script = `#!/usr/bin/env node
const fs = require("node:fs");
const args = process.argv.slice(2);
const env = Object.fromEntries(${JSON.stringify(RECORDED)}.map((name) => [name, process.env[name]]));
fs.appendFileSync(${JSON.stringify(log)}, JSON.stringify({ args, cwd: process.cwd(), env }) + "\\n");
if (args[0] === "version") process.stdout.write("v3.248.0\\n");
else if (args[0] === "stack" && args[1] === "output") process.stdout.write("{}\\n");
else if (args[0] === "stack" && args[1] === "export") process.stdout.write(${JSON.stringify(EMPTY_STATE)} + "\\n");
`;
  writeFileSync(path.join(bin, "pulumi"), script);
  chmodSync(path.join(bin, "pulumi"), 0o755);
  return { bin, log };
}

interface Call {
  readonly args: string[];
  readonly cwd: string;
  readonly env: Record<string, string | undefined>;
}

describe("npm run local -- --check with a fake Pulumi CLI on PATH", () => {
  test("deploys the local stack as the deployer and previews it as the previewer, on the local backend, trusting the local authority", async () => {
    const folder = localFolder();
    const { bin, log } = fakePulumi(folder);
    const run = await runLocal(["--check"], {
      folder,
      // A token of the user's own would win over the role's credentials in the provider: it is never passed on.
      env: { PATH: `${bin}${path.delimiter}${process.env.PATH ?? ""}`, AUTH0_API_TOKEN: "a-token-for-another-tenant" },
    });
    const calls = readFileSync(log, "utf8")
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as Call);
    const local = run.local;
    if (local === undefined) throw new Error("nothing was started");
    const deployer = local.credentials("deployer");
    const previewer = local.credentials("previewer");

    const up = calls.find((call) => call.args[0] === "up");
    const preview = calls.find((call) => call.args[0] === "preview");
    expect(calls[0]?.args).toEqual(["stack", "select", "--create", "local"]);
    expect(up?.args).toEqual([
      "up",
      "--stack",
      "local",
      "--config-file",
      path.join(folder, "stack", "Pulumi.local.yaml"),
      "--policy-pack",
      "policy",
      "--policy-pack-config",
      "policy/config/local.json",
      "--yes",
    ]);
    expect(preview?.args).toEqual(expect.arrayContaining(["preview", "--stack", "local", "--diff", "--expect-no-changes"]));
    const expectedEnv = {
      AUTH0_DOMAIN: local.auth0.domain,
      AUTH0_API_TOKEN: undefined,
      SSL_CERT_FILE: path.join(folder, "trust.pem"),
      NODE_EXTRA_CA_CERTS: path.join(folder, "ca.pem"),
      PULUMI_BACKEND_URL: `file://${path.join(folder, "state")}`,
      PULUMI_CONFIG_PASSPHRASE: LOCAL_PASSPHRASE,
    };
    expect(up?.env).toEqual({ ...expectedEnv, AUTH0_CLIENT_ID: deployer.clientId, AUTH0_CLIENT_SECRET: deployer.clientSecret });
    expect(preview?.env).toEqual({ ...expectedEnv, AUTH0_CLIENT_ID: previewer.clientId, AUTH0_CLIENT_SECRET: previewer.clientSecret });
    expect(up?.cwd).toBe(REPO_ROOT);
    // The config file handed over names the addresses actually served.
    expect(readFileSync(path.join(folder, "stack", "Pulumi.local.yaml"), "utf8")).toContain(`timesheets:domain: ${local.auth0.domain}`);

    // Nothing was deployed, so the proofs fail and say so: a run that did not deploy never passes.
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^error: npm run local -- --check failed at: verify, audit; /m);
  }, 60_000);
});
