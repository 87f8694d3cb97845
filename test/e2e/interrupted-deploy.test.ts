import { readFileSync } from "node:fs";
import { afterEach, describe, expect, test } from "vitest";
import { type Auth0StandIn } from "../../local/auth0";
import { startAuth0StandIn } from "../support/stand-in";
import { DEPLOYER_SCOPES } from "../../local/roles";
import { main, type RunnerIo } from "../../stacks/runner";
import type { Capture, Exec } from "../../stacks/runner-steps/pulumi-cli";
import { loadStackSpec } from "../../stacks/stack-config";
import { auditorEnv, jsonReport, rbacDevRoot, runAudit, seedSteps, type SeedStep } from "./audit-seed";

// An interrupted deploy, end to end against the local Auth0: the state as `pulumi stack export`
// writes it, with the creates that were in flight pending, and the next `npm run up`. The CLI is
// played by a model of Pulumi's engine over the program's creates (the shared seed's steps, the
// calls the Auth0 provider sends): `stack import` takes the state it is given, `refresh` reads
// (nothing to model), and `up` creates every resource its state does not hold, as Pulumi does,
// pending creates or not.

const root = rbacDevRoot();
const spec = loadStackSpec("dev", root);
const STACK_URN = "urn:pulumi:dev::timesheets::pulumi:pulumi:Stack::timesheets-dev";
const urnOf = (step: SeedStep) => `urn:pulumi:dev::timesheets::${step.type}::${step.name}`;

let standIn: Auth0StandIn | undefined;
afterEach(async () => {
  await standIn?.close();
  standIn = undefined;
});

class EngineModel {
  readonly state = new Map<string, string>();
  pending: { step: SeedStep; inputs: Record<string, string> }[] = [];
  readonly calls: string[][] = [];
  constructor(private readonly steps: SeedStep[]) {}

  /** Runs the creates in order; those in `inFlight` are pending when the process dies (made in Auth0 when `reachedAuth0`), the rest never start. */
  async killDuring(inFlight: readonly string[], reachedAuth0: boolean): Promise<void> {
    for (const step of this.steps) {
      if (inFlight.includes(step.name)) {
        const inputs = { ...step.inputs, ...(step.type.endsWith("ClientGrant") ? { clientId: this.clientIdFor(step) } : {}) };
        if (reachedAuth0) await step.create(this.state);
        this.pending.push({ step, inputs });
        continue;
      }
      if (this.pending.length > 0) continue;
      this.state.set(step.name, await step.create(this.state));
    }
  }

  private clientIdFor(step: SeedStep): string {
    return this.state.get(step.name.replace(/-grant$/, "-client")) as string;
  }

  readonly capture: Capture = (args) => {
    this.calls.push([...args]);
    if (args[0] !== "stack" || args[1] !== "export") return Promise.resolve({ code: 0, stdout: "" });
    const resources = [
      { urn: STACK_URN, custom: false, type: "pulumi:pulumi:Stack" },
      ...this.steps
        .filter((s) => this.state.has(s.name))
        .map((s) => ({ urn: urnOf(s), custom: true, type: s.type, id: this.state.get(s.name) })),
    ];
    const pending_operations = this.pending.map(({ step, inputs }) => ({
      resource: { urn: urnOf(step), custom: true, type: step.type, inputs },
      type: "creating",
    }));
    return Promise.resolve({
      code: 0,
      stdout: JSON.stringify({ version: 3, deployment: { manifest: { version: "v3.248.0" }, resources, pending_operations } }),
    });
  };

  readonly exec: Exec = async (args) => {
    this.calls.push([...args]);
    if (args[0] === "stack" && args[1] === "import") {
      // The state as given, as `pulumi stack import` takes it (it drops whatever is still pending).
      const file = args[args.indexOf("--file") + 1] as string;
      const { deployment } = JSON.parse(readFileSync(file, "utf8")) as { deployment: { resources: { urn: string; id?: string }[] } };
      this.state.clear();
      for (const r of deployment.resources) if (r.id !== undefined) this.state.set(r.urn.slice(r.urn.lastIndexOf("::") + 2), r.id);
      this.pending = [];
    }
    if (args[0] === "up") {
      // Pulumi warns about pending operations and goes on: what the state lacks, it creates.
      for (const step of this.steps) if (!this.state.has(step.name)) this.state.set(step.name, await step.create(this.state));
    }
    return 0;
  };
}

async function deployAfterInterruption(inFlight: readonly string[], reachedAuth0: boolean) {
  standIn = await startAuth0StandIn({ domain: spec.tenant.domain });
  const engine = new EngineModel(seedSteps(standIn, spec));
  await engine.killDuring(inFlight, reachedAuth0);
  const deployer = await standIn.createManagementClient({ scopes: DEPLOYER_SCOPES, name: "Timesheets Deployer" });
  const lines: string[] = [];
  const io: RunnerIo = {
    env: { AUTH0_CLIENT_ID: deployer.clientId, AUTH0_CLIENT_SECRET: deployer.clientSecret, PULUMI_BACKEND_URL: "azblob://state" },
    stderr: (line) => lines.push(line),
    exec: engine.exec,
    capture: engine.capture,
    cliInstalled: () => true,
    checkStack: () => Promise.resolve({ ok: true, spec }),
    root,
    fetch: standIn.fetch,
  };
  const code = await main(["up", "--stack", "dev", "--yes"], io);
  const audit = await runAudit(["--stack", "dev", "--format", "json"], await auditorEnv(standIn), standIn.fetch, undefined, root);
  const clients = [...standIn.tenant.clients.values()].map((c) => c.name);
  const twice = [spec.importJob.name, spec.testUser?.application.name].filter((name) => clients.filter((c) => c === name).length !== 1);
  return { code, lines, engine, audit, twice };
}

describe("the next `npm run up` after an interrupted deploy", () => {
  test("killed while the import job and the integration-test application were being created (both made in Auth0): both adopted, nothing twice, the audit clean", async () => {
    const run = await deployAfterInterruption(["import-job-client", "integration-test-client"], true);
    expect(run.code).toBe(0);
    expect(run.lines.filter((line) => line.startsWith("adopted:"))).toHaveLength(2);
    expect(run.engine.calls.find((call) => call[0] === "refresh")).toEqual([
      "refresh",
      "--stack",
      "dev",
      "--yes",
      "--skip-preview",
      "--target",
      expect.stringMatching(/::import-job-client$/),
      "--target",
      expect.stringMatching(/::integration-test-client$/),
    ]);
    expect(run.twice).toEqual([]);
    expect([run.audit.code, jsonReport(run.audit).stacks[0]?.findings.map((f) => f.kind)]).toEqual([0, []]);
  });

  test("killed at each create in turn, whether or not Auth0 made the object: one up converges to an audit-clean tenant with no duplicate", async () => {
    const probe = await startAuth0StandIn({ domain: spec.tenant.domain });
    const names = seedSteps(probe, spec).map((step) => step.name);
    await probe.close();
    // Every object the dev stack makes in Auth0: each is where a deploy can be killed.
    expect(names).toEqual(
      [
        "timesheets-api-resource-server",
        "import-job-client",
        "import-job-grant",
        "integration-test-client",
        "integration-test-grant",
        "developer-portal-client",
        "developer-portal-grant",
        "user-store-connection",
        "user-store-test-user",
        "test-user-role-role",
      ].filter((name) => name !== "test-user-role-role" || spec.testUser?.role !== undefined),
    );
    for (const name of names) {
      for (const reachedAuth0 of [true, false]) {
        const run = await deployAfterInterruption([name], reachedAuth0);
        const findings = jsonReport(run.audit).stacks[0]?.findings.map((f) => f.kind);
        expect({ name, reachedAuth0, code: run.code, audit: run.audit.code, findings, twice: run.twice }).toEqual({
          name,
          reachedAuth0,
          code: 0,
          audit: 0,
          findings: [],
          twice: [],
        });
        await standIn?.close();
        standIn = undefined;
      }
    }
  });
});
