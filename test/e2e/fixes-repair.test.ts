import { existsSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, test } from "vitest";
import type { TenantSpec } from "../../infra/config/spec";
import { startGatewayServer, type GatewayServer } from "../../local/apim/gateway-server";
import { type Auth0StandIn } from "../../local/auth0";
import { startAuth0StandIn } from "../support/stand-in";
import { localPaths, type LocalMode } from "../../local/local-mode";
import type { AuditReport } from "../../stacks/audit/report";
import { loadStackSpec } from "../../stacks/stack-config";
import type { StackOutputs } from "../../stacks/verify/stack-outputs";
import { runFix, runPrinted, type PrintedIo } from "../support/printed-commands";
import { tenantsFetch } from "../support/validate-jwt/gateway-fixture";
import { auditorEnv, managementApi } from "./audit-seed";
import { runLocal, localFolder } from "./local/run-local";
import { deployedModel, type ModelIds, type PulumiModel } from "./pulumi-model";
import { seedForVerify } from "./verify-seed";

// For each command, a drift or failure it reports is repaired by running the fix it prints, as
// printed: each command through its script's own main, with the role's variables the fix names
// (on local mode's stack, what its `eval` line sets), against a local Auth0. The Pulumi CLI's
// part is played by a model of what Pulumi documents of `up`, `up --refresh` and a refresh
// preview (./pulumi-model.ts): the real providers cannot run here.

const fixIn = (text: string): string => {
  const found = /How to fix: (.*)$/m.exec(text)?.[1];
  if (found === undefined) throw new Error(`no fix in:\n${text}`);
  return found;
};

/** A role's variables on a real tenant: the auditor's client (valid on the stand-in), a backend. */
async function roleEnv(standIn: Auth0StandIn): Promise<NodeJS.ProcessEnv> {
  return {
    ...(await auditorEnv(standIn)),
    PULUMI_BACKEND_URL: "file:///tmp/never-written",
    AUTH0_MANAGEMENT_TOKEN: await standIn.managementToken(),
  };
}

function printedIo(env: NodeJS.ProcessEnv, model: PulumiModel, standIn: Auth0StandIn, extra: Partial<PrintedIo> = {}): PrintedIo {
  return { env, exec: model.exec, workspace: model.workspace, fetch: standIn.fetch, ...extra };
}

const widen = (standIn: Auth0StandIn, model: PulumiModel) =>
  managementApi(standIn)("PATCH", `/client-grants/${model.seeded.importJobGrantId}`, { scope: ["batch:upload", "read:timesheets"] });

const liveScopes = async (standIn: Auth0StandIn, model: PulumiModel): Promise<unknown> => {
  const grants = (await managementApi(standIn)("GET", `/client-grants?client_id=${model.seeded.importJobClientId}`)) as {
    id: string;
    scope: string[];
  }[];
  return grants.find((grant) => grant.id === model.seeded.importJobGrantId)?.scope;
};

describe("npm run drift: the import job's grant widened out of band", () => {
  for (const stack of ["dev", "local"]) {
    describe(stack, () => {
      const spec: TenantSpec = loadStackSpec(stack);
      let standIn: Auth0StandIn;
      let model: PulumiModel;
      let io: PrintedIo;
      beforeAll(async () => {
        standIn = await startAuth0StandIn({ domain: spec.tenant.domain });
      });
      afterAll(() => standIn.close());
      beforeEach(async () => {
        standIn.reset();
        model = await deployedModel(standIn, spec);
        // On local mode's stack the user has nothing set: the fix's eval line sets the role.
        const env = stack === "local" ? { LOCAL_AUTH0_PORT: "0", LOCAL_GATEWAY_PORT: "0" } : await roleEnv(standIn);
        io = printedIo(env, model, standIn, { localFolder: localFolder() });
      });

      const drift = () => runPrinted(`npm run drift -- --stack ${stack}`, io);

      test("the printed fix, run as printed, sets the grant back: drift exits 0 again", async () => {
        expect((await drift()).code).toBe(0);
        await widen(standIn, model);
        const drifted = await drift();
        expect(drifted.code).toBe(2);
        expect(drifted.stdout).toMatch(/update +auth0:index\/clientGrant:ClientGrant +import-job-grant +scope/);
        const fix = fixIn(drifted.stdout);
        expect(fix).not.toMatch(/(^|[^-])pulumi (up|refresh)/);
        const runs = await runFix(fix.split("; to keep")[0] ?? "", io);
        expect(runs.map(({ run }) => run.code)).toEqual(runs.map(() => 0));
        expect(model.calls.at(-1)?.slice(0, 4)).toEqual(["up", "--stack", stack, "--refresh"]);
        expect(await liveScopes(standIn, model)).toEqual(spec.importJob.grant.scopes);
        expect((await drift()).code).toBe(0);
      });

      test("to keep the change: put it in the code, then the same command; the change stays and drift exits 0", async () => {
        await widen(standIn, model);
        const fix = fixIn((await drift()).stdout);
        expect(fix).toMatch(/to keep the change instead, put it in the code .*then run the same command/);
        model.declare("import-job-grant", { scope: ["batch:upload", "read:timesheets"] });
        await runFix(fix.split("; to keep")[0] ?? "", io);
        expect(await liveScopes(standIn, model)).toEqual(["batch:upload", "read:timesheets"]);
        expect((await drift()).code).toBe(0);
      });

      test("an update without --refresh (what `pulumi up` was) leaves the drift in place: Pulumi compares with its state", async () => {
        await widen(standIn, model);
        const fix = fixIn((await drift()).stdout);
        await runFix(fix.split("; to keep")[0]?.replace(" --refresh", "") ?? "", io);
        expect(model.calls.at(-1)?.slice(0, 3)).toEqual(["up", "--stack", stack]);
        expect((await drift()).code).toBe(2);
      });
    });
  }
});

describe("npm run audit, npm run verify, npm run adopt on dev", () => {
  const spec = loadStackSpec("dev");
  let standIn: Auth0StandIn;
  let gateway: GatewayServer;
  beforeAll(async () => {
    standIn = await startAuth0StandIn({ domain: spec.tenant.domain });
    gateway = await startGatewayServer({ spec, fetch: tenantsFetch(standIn) });
  });
  afterAll(async () => Promise.all([standIn.close(), gateway.close()]));
  beforeEach(() => standIn.reset());

  test("audit: each printed fix, run as printed, repairs its finding (managed: the update with refresh; unmanaged: the delete)", async () => {
    const model = await deployedModel(standIn, spec);
    const api = managementApi(standIn);
    await widen(standIn, model);
    await api("PATCH", `/resource-servers/${model.seeded.resourceServerId}`, { token_lifetime: 86_400 });
    const rogue = await standIn.createClient({ name: "Rogue", app_type: "non_interactive" });
    await api("POST", "/client-grants", { client_id: rogue.client_id, audience: spec.api.identifier, scope: ["read:timesheets"] });
    const io = printedIo(await roleEnv(standIn), model, standIn);
    const audit = async () => {
      const run = await runPrinted("npm run audit -- --stack dev --format json", io);
      return { code: run.code, report: JSON.parse(run.stdout) as AuditReport };
    };
    const drifted = await audit();
    expect(drifted.code).toBe(2);
    const findings = drifted.report.stacks.flatMap((stack) => stack.findings);
    expect(findings.map((finding) => finding.kind)).toEqual(
      expect.arrayContaining(["grant.scopes-widened", "api.token-lifetime", "grant.unmanaged-client"]),
    );
    for (const fix of new Set(findings.map((finding) => finding.fix))) {
      const runs = await runFix(fix, io);
      expect(
        runs.map(({ run }) => run.code),
        fix,
      ).toEqual(runs.map(() => 0));
    }
    const repaired = await audit();
    expect(repaired.report.stacks.flatMap((stack) => stack.findings)).toEqual([]);
    expect(repaired.code).toBe(0);
  });

  test("verify: a failed check's printed fix, run as printed, names the drift, sets it back and verifies again: exit 0", async () => {
    const seed = await seedForVerify(standIn, spec);
    const model = await deployedModel(standIn, spec, {
      resourceServerId: seed.resourceServerId,
      importJobClientId: String(seed.outputs.importJobClientId),
      importJobGrantId: seed.importJobGrantId,
    });
    // The grant narrowed out of band: the import job's token no longer carries batch:upload.
    await managementApi(standIn)("PATCH", `/client-grants/${seed.importJobGrantId}`, { scope: ["read:timesheets"] });
    const verifyFetch: typeof fetch = (input, init) =>
      new URL(input instanceof Request ? input.url : String(input)).hostname === "127.0.0.1"
        ? fetch(input, init)
        : tenantsFetch(standIn)(input, init);
    const io = printedIo({ ...(await roleEnv(standIn)), VERIFY_GATEWAY_URL: gateway.url }, model, standIn, {
      fetch: verifyFetch,
      readOutputs: (stack) => (stack === "dev" ? Promise.resolve(seed.outputs) : Promise.reject(new Error(`no stack ${stack}`))),
    });
    const failed = await runPrinted("npm run verify -- --stack dev", io);
    expect(failed.code).toBe(2);
    const runs = await runFix(fixIn(failed.stdout), io);
    expect(runs.map(({ command }) => command)).toEqual([
      "npm run audit -- --stack dev",
      "npm run up -- --stack dev --refresh",
      "npm run verify -- --stack dev",
    ]);
    // The audit names the drift (exit 2), the update sets it back, verify passes.
    expect(runs.map(({ run }) => run.code)).toEqual([2, 0, 0]);
    expect(runs[0]?.run.stdout).toMatch(/grant\.scopes-narrowed/);
  });

  test("adopt: two clients of the import job's name; the printed deletes, then adopt again as printed: exit 0", async () => {
    const first = await standIn.createClient({ name: spec.importJob.name, app_type: "non_interactive" });
    const second = await standIn.createClient({ name: spec.importJob.name, app_type: "non_interactive" });
    const env = { ...(await auditorEnv(standIn)), AUTH0_MANAGEMENT_TOKEN: await standIn.managementToken() };
    const io: PrintedIo = { env, fetch: standIn.fetch };
    const refused = await runPrinted("npm run adopt -- --stack dev", io);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(`2 clients are named "${spec.importJob.name}"`);
    const runs = await runFix(refused.stderr, io);
    expect(runs.map(({ command }) => command.replace(/Bearer \S+ https:\/\/\S+\//, "…/"))).toEqual([
      `curl -fsS -X DELETE -H "Authorization: …/${second.client_id}`,
      "npm run adopt -- --stack dev",
    ]);
    expect(runs.map(({ run }) => run.code)).toEqual([0, 0]);
    expect(runs[1]?.run.stdout).toContain(`importJobClientId: ${first.client_id}`);
  });
});

describe("the runner and local mode", () => {
  test("npm run up on the local stack without credentials: the printed line sets the local deployer's, and the update runs", async () => {
    const io: PrintedIo = { env: { LOCAL_AUTH0_PORT: "0" }, localFolder: localFolder() };
    const refused = await runPrinted("npm run up -- --stack local", io);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(
      /^error: missing Auth0 deployer credentials: run `eval "\$\(npm run --silent local -- --env deployer\)"` first/,
    );
    const [evaluated] = await runFix(refused.stderr, io);
    expect(evaluated?.run.code).toBe(0);
    expect((await runPrinted("npm run up -- --stack local", io)).code).toBe(0);
  });

  test("npm run local -- --check on a local tenant changed since it passed: the printed fix starts again and passes", async () => {
    const folder = localFolder();
    // The backend's part: what a deployment left (ids, state, outputs), kept between runs; --reset removes the state folder.
    let backend: { ids: ModelIds; state: ReadonlyMap<string, Record<string, unknown>>; outputs: StackOutputs } | undefined;
    let started: LocalMode | undefined;
    let model: PulumiModel | undefined;
    const deployed = (local: LocalMode) => path.join(local.paths.stateDir, "deployed");
    const cli = {
      onServing: (local: LocalMode) => {
        started = local;
        model = undefined;
      },
      exec: async (args: readonly string[]): Promise<number> => {
        if (started === undefined) return 1;
        if (args[0] === "stack") return 0;
        const { standIn } = started.auth0;
        const spec = started.stack.spec;
        if (backend === undefined || !existsSync(deployed(started))) {
          const seed = await seedForVerify(standIn, spec);
          const ids = {
            resourceServerId: seed.resourceServerId,
            importJobClientId: String(seed.outputs.importJobClientId),
            importJobGrantId: seed.importJobGrantId,
          };
          model = await deployedModel(standIn, spec, ids);
          backend = { ids, state: model.state, outputs: seed.outputs };
          writeFileSync(deployed(started), "");
          return 0;
        }
        model ??= await deployedModel(standIn, spec, backend.ids, backend.state);
        const code = await model.exec(args, {});
        backend = { ...backend, state: model.state };
        return code;
      },
      readOutputs: (stack: string): Promise<StackOutputs> =>
        stack === "local" && backend !== undefined && started !== undefined
          ? Promise.resolve({ ...backend.outputs, gatewayUrl: started.gateway.url })
          : Promise.reject(new Error(`no outputs for ${stack}`)),
    };
    expect((await runLocal(["--check"], { folder, ...cli })).code).toBe(0);
    // Between two sessions, the grant widened in the local tenant (it is saved as it changes).
    await runLocal(["--serve-only"], {
      folder,
      ...cli,
      untilStopped: async () => {
        if (started !== undefined && backend !== undefined)
          await managementApi(started.auth0.standIn)("PATCH", `/client-grants/${backend.ids.importJobGrantId}`, {
            scope: ["batch:upload", "read:timesheets"],
          });
      },
    });
    const failed = await runLocal(["--check"], { folder, ...cli });
    expect(failed.code).toBe(1);
    expect(failed.stderr).toMatch(
      /^error: npm run local -- --check failed at: .*audit; the output above says why; run `npm run local -- --reset --check`/m,
    );
    const [again] = await runFix(failed.stderr.split("\n").find((line) => line.startsWith("error: npm run local")) ?? "", {
      env: { LOCAL_AUTH0_PORT: "0", LOCAL_GATEWAY_PORT: "0" },
      localFolder: folder,
      exec: cli.exec,
      readOutputs: cli.readOutputs,
      localIo: { onServing: cli.onServing },
    });
    expect(again?.command).toBe("npm run local -- --reset --check");
    expect(again?.run.stdout).toMatch(/all steps passed/);
    expect(again?.run.code).toBe(0);
  });

  test("npm run local on a tenant file it cannot read: the printed reset starts a new tenant and serves", async () => {
    const folder = localFolder();
    writeFileSync(localPaths(folder).tenantFile, "{ not json");
    const broken = await runLocal(["--serve-only"], { folder });
    expect(broken.code).toBe(1);
    const [reset] = await runFix(broken.stderr, {
      env: { LOCAL_AUTH0_PORT: "0", LOCAL_GATEWAY_PORT: "0" },
      localFolder: folder,
      localIo: { untilStopped: () => Promise.resolve() },
    });
    expect(reset?.command).toBe("npm run local -- --reset");
    expect(reset?.run.stderr).toMatch(/local tenant and state in .* wiped/);
    expect(reset?.run.stderr).not.toMatch(/cannot be read/);
  });
});
