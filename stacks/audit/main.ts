import { Command, Option } from "commander";
import pLimit from "p-limit";
import type { TenantSpec } from "../../infra/config/spec";
import { exitCodeFor } from "../exit-codes";
import { listStacks, loadStackSpec, REPO_ROOT } from "../stack-config";
import { parseCommand, scriptCommand, selectedStacks, wholeNumber, withStackSelection, type StackSelection } from "../cli";
import { paintFor, type Output } from "../terminal";
import { auditStack } from "./audit-stack";
import type { Clock } from "../auth0/clock";
import { auditorCredentials, type Env } from "../auth0/credentials";
import { format, FORMATS, type Format } from "./format";
import { failedStack, type StackAudit } from "./report";
import { auditTarget } from "./target";

export interface AuditIo {
  readonly stdout: Output;
  readonly stderr: Output;
  /** Routes the Management API calls; the global fetch when absent. */
  readonly fetch?: typeof fetch;
  /** Where the stack files are; the repository root when absent. */
  readonly root?: string;
  /** The system clock unless a test fakes time. */
  readonly clock?: Clock;
}

interface AuditOptions extends StackSelection {
  readonly format: Format;
  readonly timeout: number;
  readonly concurrency: number;
  readonly retries: number;
}

function command(io: AuditIo): Command {
  return withStackSelection(scriptCommand("audit"), "audit")
    .description(
      "Compare each stack's tenant spec with the live Auth0 tenant, read-only, and report the drift (exit 0 none, 2 drift, 1 error).",
    )
    .addOption(new Option("--format <format>", "report format").choices(FORMATS).default("text"))
    .option("--timeout <seconds>", "time budget per tenant, retries included", wholeNumber(1, 3600), 120)
    .option("--concurrency <n>", "tenants audited at once with --all", wholeNumber(1, 32), 4)
    .option("--retries <n>", "retries of a request answered 429, 408 or 5xx", wholeNumber(0, 10), 4)
    .exitOverride()
    .configureOutput({ writeOut: (text) => io.stdout.write(text), writeErr: (text) => io.stderr.write(text) });
}

type SpecRead = { readonly stack: string; readonly spec: TenantSpec } | { readonly stack: string; readonly error: string };

function readSpec(stack: string, root: string): SpecRead {
  try {
    return { stack, spec: loadStackSpec(stack, root) };
  } catch (error) {
    return { stack, error: error instanceof Error ? error.message : String(error) };
  }
}

/** `npm run audit -- --stack dev | --all`: returns the exit code; never exits the process. */
export async function main(argv: readonly string[], env: Env, io: AuditIo): Promise<number> {
  const parsed = parseCommand<AuditOptions>(command(io), argv);
  if (!parsed.ok) return parsed.exitCode;
  const options = parsed.options;
  const root = io.root ?? REPO_ROOT;
  const known = listStacks(root);
  const selected = selectedStacks(options, "audit", root);
  if (!selected.ok) {
    io.stderr.write(`${selected.message}\n`);
    return selected.exitCode;
  }
  const stacks = selected.stacks;

  // Every stack file is read, not only the audited ones: prod's test-user check needs the others' addresses.
  const reads = new Map([...new Set([...known, ...stacks])].map((stack) => [stack, readSpec(stack, root)]));
  const specs = [...reads.values()].flatMap((read) => ("spec" in read ? [read.spec] : []));
  const unreadable = [...reads.values()].flatMap((read) => ("error" in read ? [read.stack] : []));
  const several = stacks.length > 1;
  const limit = pLimit(options.concurrency);

  const audits: StackAudit[] = await Promise.all(
    stacks.map((stack) =>
      limit(async (): Promise<StackAudit> => {
        const read = reads.get(stack) ?? readSpec(stack, root);
        if ("error" in read) return failedStack(stack, undefined, read.error, 0);
        const { domain } = read.spec.tenant;
        const credentials = auditorCredentials(stack, domain, env, several);
        if (!credentials.ok) return failedStack(stack, domain, credentials.error, 0);
        const target = auditTarget(read.spec, specs, unreadable);
        return auditStack(target, credentials.credentials, {
          fetch: io.fetch,
          timeoutSeconds: options.timeout,
          maxRetries: options.retries,
          clock: io.clock,
        });
      }),
    ),
  );

  const exitCode = exitCodeFor(audits.map((audit) => audit.outcome));
  io.stdout.write(format({ stacks: audits, exitCode }, options.format, paintFor(io.stdout, env)));
  return exitCode;
}
