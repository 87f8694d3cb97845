import { Command, Option } from "commander";
import type { TenantSpec } from "../../infra/config/spec";
import { parseCommand, scriptCommand, selectedStacks, wholeNumber, withStackSelection, type StackSelection } from "../cli";
import { verifyFailedFix } from "../fixes";
import { loadStackSpec, REPO_ROOT } from "../stack-config";
import { paintFor, type Output } from "../terminal";
import { FORMATS, format, type Format } from "./format";
import { verifyInputs, type Env, type InputFlags } from "./inputs";
import { exitCodeFor, verification, type StackVerification } from "./report";
import { stackOutputsReader, type ReadOutputs } from "./stack-outputs";
import { verifyStack } from "./verify-stack";

export interface VerifyIo {
  readonly env: Env;
  readonly stdout: Output;
  readonly stderr: Output;
  /** Routes Auth0 and gateway calls; the global fetch when absent. */
  readonly fetch?: typeof fetch;
  /** Reads a stack's outputs; the Automation API when absent. */
  readonly readOutputs?: ReadOutputs;
  /** Where the stack files are; the repository root when absent. */
  readonly root?: string;
}

interface VerifyOptions extends StackSelection, InputFlags {
  readonly format: Format;
  readonly timeout: number;
}

function command(io: VerifyIo): Command {
  return withStackSelection(scriptCommand("verify"), "verify")
    .description(
      "Prove a deployed stack works, read-only: the import job's token, the test user's sign-in and the gateway's answers (exit 0 all pass, 2 a check fails, 1 could not run).",
    )
    .addOption(new Option("--format <format>", "report format").choices(FORMATS).default("text"))
    .option("--timeout <seconds>", "time budget per stack", wholeNumber(1, 3600), 60)
    .option("--import-job-client-id <id>", "the import job's client id (default: the stack output importJobClientId)")
    .option("--import-job-key-file <path>", "the import job's PEM private key, for private_key_jwt")
    .option("--gateway-url <url>", "the API's base URL on the gateway (default: the address the spec gives it)")
    .exitOverride()
    .configureOutput({ writeOut: (text) => io.stdout.write(text), writeErr: (text) => io.stderr.write(text) });
}

function readSpec(stack: string, root: string): { spec: TenantSpec } | { error: string } {
  try {
    return { spec: loadStackSpec(stack, root) };
  } catch (error) {
    return { error: error instanceof Error ? error.message : String(error) };
  }
}

/** `npm run verify -- --stack dev | --all`: returns the exit code; never exits the process. */
export async function main(argv: readonly string[], io: VerifyIo): Promise<number> {
  const parsed = parseCommand<VerifyOptions>(command(io), argv);
  if (!parsed.ok) return parsed.exitCode;
  const options = parsed.options;
  const root = io.root ?? REPO_ROOT;
  const selected = selectedStacks(options, "verify", root);
  if (!selected.ok) {
    io.stderr.write(`${selected.message}\n`);
    return selected.exitCode;
  }
  const several = selected.stacks.length > 1;
  const readOutputs = io.readOutputs ?? stackOutputsReader(io.env as NodeJS.ProcessEnv);
  const fetchFn = io.fetch ?? globalThis.fetch;

  // One stack after another: verify is a smoke test, and the tenants' rate limits are shared with production traffic.
  const results: StackVerification[] = [];
  for (const stack of selected.stacks) {
    const read = readSpec(stack, root);
    if ("error" in read) {
      results.push(verification(stack, [], read.error));
      continue;
    }
    const inputs = await verifyInputs(read.spec, options, io.env, readOutputs, several);
    if (!inputs.ok) {
      results.push(verification(stack, [], inputs.error));
      continue;
    }
    const verified = await verifyStack(read.spec, inputs.inputs, { fetch: fetchFn, timeoutSeconds: options.timeout });
    results.push(verified.outcome === "fail" ? { ...verified, fix: verifyFailedFix(read.spec) } : verified);
  }
  const exitCode = exitCodeFor(results);
  io.stdout.write(format({ stacks: results, exitCode }, options.format, paintFor(io.stdout, io.env)));
  return exitCode;
}
