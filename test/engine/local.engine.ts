import { copyFile, readFile } from "node:fs/promises";
import path from "node:path";
import { LocalWorkspace, PulumiCommand, type EngineEvent } from "@pulumi/pulumi/automation";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadTenantSpec } from "../../infra/config/load";
import { declareTimesheetsTenant } from "../../infra/program";
import { LOCAL_PASSPHRASE, startLocalMode, type LocalMode } from "../../local/local-mode";
import { mkdtempSync } from "node:fs";
import os from "node:os";
import { createWorkspace, ENGINE_DIR, npmPackageVersion, REPO_ROOT, requireBuiltEngine, RUN_TIMEOUT_MS, type Workspace } from "./engine";

// The real CLI running the local stack as `npm run local` hands it over: the local Auth0 and
// gateway started as a user starts them, the stack file with the addresses they serve on, and
// the local mode's trust (SSL_CERT_FILE, NODE_EXTRA_CA_CERTS) in the environment. The auth0
// plugin cannot be had here, so the run goes as far as the first provider call, as in
// program.engine.ts, with the program inline for the same reason.

let local: LocalMode | undefined;
let workspace: Workspace | undefined;

beforeAll(async () => {
  requireBuiltEngine();
  local = await startLocalMode({
    repoRoot: REPO_ROOT,
    folder: mkdtempSync(path.join(os.tmpdir(), "local-engine-")),
    auth0Port: 0,
    gatewayPort: 0,
  });
});

afterAll(async () => {
  await workspace?.dispose();
  await local?.close();
});

describe("the real engine running the local stack", () => {
  it("accepts the local stack's config (a loopback domain, the local gateway) and reaches the auth0 provider, declaring nothing in Azure", async () => {
    if (local === undefined) throw new Error("local mode did not start");
    const ws = (workspace = await createWorkspace([]));
    const configFile = local.stack.configFile ?? path.join(REPO_ROOT, "Pulumi.local.yaml");
    await copyFile(configFile, path.join(ws.projectDir, "Pulumi.local.yaml"));
    const deployer = local.credentials("deployer");
    const pulumiCommand = await PulumiCommand.get({ root: ENGINE_DIR, skipVersionCheck: true });
    const automation = await LocalWorkspace.createOrSelectStack(
      { stackName: "local", projectName: "timesheets", program: async () => void declareTimesheetsTenant(loadTenantSpec()) },
      {
        workDir: ws.projectDir,
        pulumiCommand,
        envVars: {
          ...ws.env,
          AUTH0_CLIENT_ID: deployer.clientId,
          AUTH0_CLIENT_SECRET: deployer.clientSecret,
          SSL_CERT_FILE: local.trust.trustFile,
          NODE_EXTRA_CA_CERTS: local.trust.caFile,
          PULUMI_CONFIG_PASSPHRASE: LOCAL_PASSPHRASE,
        },
      },
    );
    const events: EngineEvent[] = [];
    let failure = "";
    try {
      await automation.preview({ signal: AbortSignal.timeout(RUN_TIMEOUT_MS), onEvent: (event) => events.push(event) });
    } catch (error) {
      failure = error instanceof Error ? error.message : String(error);
    }
    const auth0Version = await npmPackageVersion("@pulumi/auth0");
    expect(failure).toContain(`no resource plugin 'pulumi-resource-auth0' found in the workspace at version v${auth0Version}`);
    expect(failure).not.toMatch(/timesheets:\w+:/);
    const types = events.flatMap((event) => (event.resourcePreEvent ? [event.resourcePreEvent.metadata.type] : []));
    expect(types.filter((type) => type.startsWith("azure-native:"))).toEqual([]);
    const errored = events.flatMap((event) =>
      event.diagnosticEvent?.severity === "error" && event.diagnosticEvent.urn ? [event.diagnosticEvent.urn] : [],
    );
    expect(errored).toEqual(["urn:pulumi:local::timesheets::pulumi:providers:auth0::auth0"]);
  });

  it("creates the local stack on a new backend with local mode's passphrase and leaves the committed stack file as it is", async () => {
    const ws = await createWorkspace(["Pulumi.local.yaml"]);
    try {
      const committed = await readFile(path.join(REPO_ROOT, "Pulumi.local.yaml"), "utf8");
      // The committed encryptionsalt is the one local mode's passphrase opens, and only it.
      const wrong = await ws.run(["stack", "select", "--create", "local"], { PULUMI_CONFIG_PASSPHRASE: "not local mode's" });
      expect(wrong.code).not.toBe(0);
      expect(wrong.stderr).toContain("incorrect passphrase");
      const run = await ws.run(["stack", "select", "--create", "local"], { PULUMI_CONFIG_PASSPHRASE: LOCAL_PASSPHRASE });
      expect(run.code, run.stderr).toBe(0);
      // Pulumi neither refuses the salt nor writes a new one, which would rewrite the file and
      // leave the checkout changed after a first `npm run local`.
      expect(await readFile(path.join(ws.projectDir, "Pulumi.local.yaml"), "utf8")).toBe(committed);
    } finally {
      await ws.dispose();
    }
  });
});
