import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { Command } from "commander";
import { stringify } from "yaml";
import { envSuffix } from "../../stacks/auth0/credentials";
import { main as audit } from "../../stacks/audit/main";
import { parseCommand, scriptCommand, wholeNumber } from "../../stacks/cli";
import { runAsProcess } from "../../stacks/exit-codes";
import type { Output } from "../../stacks/terminal";
import type { StackAudit } from "../../stacks/audit/report";
import { loadStackSpec } from "../../stacks/stack-config";
import { type Auth0StandIn } from "../../local/auth0";
import { startAuth0StandIn } from "../support/stand-in";
import { AUDITOR_SCOPES, seedTenant, tenantsFetch } from "../e2e/audit-seed";

// `npm run bench:audit`: audits many tenants through the audit CLI's own main (`--all`) on local
// stand-ins and prints figures. The model, as Auth0 has it: each tenant has its own Management
// API rate limit (here a token bucket of `rate` requests/s holding `rate`); the token endpoint
// (Authentication API) is limited separately and not throttled here. The tenants do not
// share a limit, so the bound on wall time comes from how many are audited at once.

interface BenchOptions {
  readonly stacks: number;
  readonly rate: number;
  readonly concurrency: number;
}

export interface BenchIo {
  readonly stdout: Output;
  readonly stderr: Output;
}

function command(io: BenchIo): Command {
  return scriptCommand("bench:audit")
    .description(
      "Audit many tenants, each a local Auth0 behind its own Management API rate limit, through the audit's own main (--all), and print the figures: requests per audit, wall time, and the bound the rate limit sets. Exits 1 when an audit does not come back with no drift.",
    )
    .option("--stacks <n>", "tenants to audit, each a stack file", wholeNumber(1, 1000), 50)
    .option("--rate <n>", "each tenant's Management API limit, requests per second", wholeNumber(1, 1000), 2)
    .option("--concurrency <n>", "tenants audited at once (the audit's --concurrency)", wholeNumber(1, 32), 10)
    .exitOverride()
    .configureOutput({ writeOut: (text) => io.stdout.write(text), writeErr: (text) => io.stderr.write(text) });
}

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

/** `npm run bench:audit [-- --stacks 50 --rate 2 --concurrency 10]`: returns the exit code. */
export async function main(argv: readonly string[], io: BenchIo): Promise<number> {
  const parsed = parseCommand<BenchOptions>(command(io), argv);
  if (!parsed.ok) return parsed.exitCode;
  const options = parsed.options;
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
    const code = await audit(["--all", "--format", "json", "--concurrency", String(options.concurrency)], env, {
      stdout: { write: (text: string) => (stdout += text) },
      stderr: io.stderr,
      fetch: tenantsFetch(standIns),
      root,
    });
    const wallSeconds = (performance.now() - started) / 1000;
    if (stdout === "") {
      io.stderr.write(`the audit printed no report (exit ${code})\n`);
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
    io.stdout.write(`${lines.join("\n")}\n`);
    return failed.length === 0 && code === 0 ? 0 : 1;
  } finally {
    await Promise.all(standIns.map((standIn) => standIn.close()));
    rmSync(root, { recursive: true, force: true });
  }
}

if (require.main === module) {
  runAsProcess("bench:audit", () => main(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr }));
}
