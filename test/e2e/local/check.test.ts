import { existsSync, readdirSync } from "node:fs";
import path from "node:path";
import { describe, expect, test } from "vitest";
import type { LocalMode } from "../../../local/local-mode";
import { PULUMI_MISSING } from "../../../stacks/runner-steps/pulumi-cli";
import type { StackOutputs } from "../../../stacks/verify/stack-outputs";
import { seedForVerify } from "../verify-seed";
import { localFolder, runLocal } from "./run-local";

// `npm run local -- --check` as a user runs it, with the Pulumi CLI's part played in-process: its
// `up` leaves the local tenant exactly as the program leaves it (the shared seed), its preview
// finds nothing to do, and the stack's outputs are the seed's. The local Auth0 and the local
// gateway, verify and audit are the real ones, over HTTPS with the local authority.

/** A Pulumi stand-in that "deploys" the seed on up, and the outputs it leaves. */
function deployingCli() {
  const calls: string[][] = [];
  let local: LocalMode | undefined;
  let outputs: StackOutputs | undefined;
  return {
    calls,
    onServing: (started: LocalMode) => (local = started),
    exec: async (args: readonly string[]): Promise<number> => {
      calls.push([...args]);
      if (args[0] === "up" && local !== undefined) {
        const seeded = await seedForVerify(local.auth0.standIn, local.stack.spec);
        outputs = { ...seeded.outputs, gatewayUrl: local.gateway.url };
      }
      return 0;
    },
    readOutputs: (stack: string): Promise<StackOutputs> =>
      stack === "local" && outputs !== undefined ? Promise.resolve(outputs) : Promise.reject(new Error(`no outputs for ${stack}`)),
  };
}

describe("npm run local -- --check", () => {
  test("without the Pulumi CLI: one line saying so and how to install it, exit 1, nothing started or written", async () => {
    const folder = localFolder();
    for (const args of [["--check"], []]) {
      const run = await runLocal(args, { folder, env: { PATH: path.join(folder, "no-such-bin") } });
      expect(run.code).toBe(1);
      expect(run.stderr).toBe(`${PULUMI_MISSING}\n`);
      expect(run.stderr).toMatch(/https:\/\/www\.pulumi\.com\/docs\/install\//);
      expect(run.stdout).toBe("");
      expect(run.local).toBeUndefined();
    }
    expect(readdirSync(folder)).toEqual([]);
  });

  test("deploys with the deployer, previews with --expect-no-changes, then verify and audit pass against the local tenant and gateway: exit 0", async () => {
    const cli = deployingCli();
    const run = await runLocal(["--check"], { folder: localFolder(), ...cli });
    expect(run.stderr).not.toMatch(/error/i);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/all steps passed/);
    for (const step of ["deploy", "no-op preview", "verify", "audit"]) expect(run.stdout).toContain(`pass  ${step}`);
    // verify's table and the audit's verdict reached the user.
    expect(run.stderr).toMatch(/import-job\.scope/);
    expect(run.stderr).toMatch(/gateway\.import-job\.upload-timesheets/);
    const [select, up, , preview] = cli.calls;
    expect(select).toEqual(["stack", "select", "--create", "local"]);
    expect(up?.slice(0, 3)).toEqual(["up", "--stack", "local"]);
    expect(up).toEqual(expect.arrayContaining(["--policy-pack-config", "policy/config/local.json", "--yes", "--config-file"]));
    expect(preview).toEqual(expect.arrayContaining(["preview", "--expect-no-changes", "--policy-pack-config", "policy/config/local.json"]));
    expect(run.local?.gateway.backendRequests.map((request) => `${request.method} ${request.path}`)).toContain("POST /timesheets/upload");
  });

  test("a deploy that leaves the tenant as it found it fails verify and audit, and --check names them: exit 1", async () => {
    const cli = deployingCli();
    const run = await runLocal(["--check"], {
      folder: localFolder(),
      ...cli,
      exec: async (args) => {
        cli.calls.push([...args]);
        return 0;
      },
    });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^error: npm run local -- --check failed at: verify, audit; /m);
    expect(run.stdout).toMatch(/FAIL {2}verify/);
  });

  test("a failed deploy ends the run there, naming it", async () => {
    const folder = localFolder();
    const run = await runLocal(["--check"], { folder, exec: (args) => Promise.resolve(args[0] === "up" ? 255 : 0) });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^error: npm run local -- --check failed at: deploy; /m);
    expect(run.stdout).toMatch(/---- {2}verify \(not run\)/);
    expect(existsSync(path.join(folder, "tenant.json"))).toBe(true);
  });
});
