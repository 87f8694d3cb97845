import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { Command, InvalidArgumentError } from "commander";
import { stringify } from "yaml";
import { envSuffix } from "../../stacks/auth0/credentials";
import { main } from "../../stacks/audit/main";
import type { StackAudit } from "../../stacks/audit/report";
import { loadStackSpec } from "../../stacks/stack-config";
import { startAuth0StandIn, type Auth0StandIn } from "../../local/auth0";
import { AUDITOR_SCOPES, seedTenant, tenantsFetch } from "../e2e/audit-seed";

// `npm run bench:audit`: audits many tenants through the audit CLI's own main (`--all`) on local
// stand-ins and prints figures. The model, as Auth0 has it: each tenant has its own Management
// API rate limit (here a token bucket of `rate` requests/s holding `rate`); the token endpoint
// (Authentication API) is limited separately and not throttled here. The tenants do not
// share a limit, so the bound on wall time comes from how many are audited at once.

const positive = (raw: string): number => {
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1) throw new InvalidArgumentError("expected a whole number of at least 1");
  return value;
};

const options = new Command()
  .name("bench:audit")
  .option("--stacks <n>", "tenants to audit, each a stack file", positive, 50)
  .option("--rate <n>", "each tenant's Management API limit, requests per second", positive, 2)
  .option("--concurrency <n>", "tenants audited at once (the CLI's --concurrency)", positive, 10)
  .parse()
  .opts<{ stacks: number; rate: number; concurrency: number }>();

const pad = (n: number): string => String(n).padStart(2, "0");

function writeStackFiles(root: string, count: number): string[] {
  const stacks = Array.from({ length: count }, (_, i) => `t${pad(i + 1)}`);
  for (const stack of stacks) {
    const config = {
      "timesheets:environment": "dev",
      "timesheets:domain": `${stack}.bench.auth0.com`,
      "timesheets:apiIdentifier": `https://timesheets.${stack}.bench.example/api`,
      "timesheets:testUserEmail": `timesheets-test@${stack}.bench.example`,
    };
    writeFileSync(path.join(root, `Pulumi.${stack}.yaml`), stringify({ config }));
  }
  return stacks;
}

async function run(): Promise<number> {
  const root = mkdtempSync(path.join(tmpdir(), "audit-bench-"));
  const standIns: Auth0StandIn[] = [];
  try {
    const stacks = writeStackFiles(root, options.stacks);
    const env: Record<string, string> = {};
    for (const stack of stacks) {
      const spec = loadStackSpec(stack, root);
      const standIn = await startAuth0StandIn({ domain: spec.tenant.domain });
      standIns.push(standIn);
      await seedTenant(standIn, spec);
      const auditor = await standIn.createManagementClient({ scopes: AUDITOR_SCOPES, name: "Drift Auditor" });
      env[`AUTH0_CLIENT_ID_${envSuffix(stack)}`] = auditor.clientId;
      env[`AUTH0_CLIENT_SECRET_${envSuffix(stack)}`] = auditor.clientSecret;
      standIn.faults.rateLimit({ perSecond: options.rate, path: "/api/v2" });
    }

    let stdout = "";
    const started = performance.now();
    const code = await main(["--all", "--format", "json", "--concurrency", String(options.concurrency)], env, {
      stdout: { write: (text: string) => (stdout += text) },
      stderr: process.stderr,
      fetch: tenantsFetch(standIns),
      root,
    });
    const wallSeconds = (performance.now() - started) / 1000;
    if (stdout === "") {
      process.stderr.write(`the audit printed no report (exit ${code})\n`);
      return 1;
    }
    const audits = (JSON.parse(stdout) as { stacks: StackAudit[] }).stacks;

    const sum = (pick: (a: StackAudit) => number): number => audits.reduce((total, a) => total + pick(a), 0);
    const managementCalls = sum((a) => a.requests?.managementApi ?? 0);
    const refused = sum((a) => a.requests?.refused ?? 0);
    const firstTries = managementCalls - refused;
    const callsPerAudit = firstTries / audits.length;
    // One tenant's calls at `rate`/s from a full bucket of `rate`: the first `rate` go at once.
    const perTenantSeconds = Math.max(0, callsPerAudit - options.rate) / options.rate;
    const boundSeconds = Math.ceil(audits.length / options.concurrency) * perTenantSeconds;
    const failed = audits.filter((a) => a.outcome !== "no-drift");

    const lines = [
      `audit benchmark: ${audits.length} tenants, each with its own Management API limit of ${options.rate} requests/s (burst ${options.rate}), ${options.concurrency} audited at once`,
      `requests per audit: ${(sum((a) => a.requests?.total ?? 0) / audits.length).toFixed(2)} sent = ${callsPerAudit.toFixed(2)} Management API GETs + ${(sum((a) => a.requests?.token ?? 0) / audits.length).toFixed(2)} token + ${(refused / audits.length).toFixed(2)} retries after 429`,
      `wall time: ${wallSeconds.toFixed(1)} s`,
      `bound set by the rate limit: ${boundSeconds.toFixed(1)} s (ceil(${audits.length} / ${options.concurrency}) batches × (${callsPerAudit.toFixed(0)} − ${options.rate}) / ${options.rate} s per tenant)`,
      `wall time / bound: ${boundSeconds > 0 ? (wallSeconds / boundSeconds).toFixed(2) : "n/a"}`,
      failed.length === 0
        ? `audits failed: 0 (all ${audits.length} no drift)`
        : `audits failed: ${failed.length}: ${failed.map((a) => `${a.stack} ${a.outcome} ${a.error ?? a.notChecked.map((n) => n.reasons.join("; ")).join("; ")}`).join(" | ")}`,
    ];
    process.stdout.write(`${lines.join("\n")}\n`);
    return failed.length === 0 && code === 0 ? 0 : 1;
  } finally {
    await Promise.all(standIns.map((standIn) => standIn.close()));
    rmSync(root, { recursive: true, force: true });
  }
}

run().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`bench:audit failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 1;
  },
);
