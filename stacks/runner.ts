import { Option } from "commander";
import type { TenantSpec } from "../infra/config/spec";
import { parseCommand, scriptCommand } from "./cli";
import { EXIT_ERROR, EXIT_OK, runAsProcess } from "./exit-codes";
import { missingCredentialsFix } from "./fixes";
import { renderChecked } from "./render";
import { adoptionNotes, stateIds } from "./runner-steps/adoption";
import { pendingLookup } from "./auth0/pending-lookup";
import { settleInterruptedCreates } from "./runner-steps/interrupted";
import { stackLockLines } from "./runner-steps/stack-locks";
import { backendEnvironment, ephemeralStateRefusal, LOCAL_STATE_DIR, prepareFileBackend } from "./runner-steps/backend";
import { clientSecretUrn, CLIENTS_WITH_SECRETS, type ClientWithSecret } from "./runner-steps/rotation";
import { capturePulumi, CliMissing, execPulumi, PULUMI_MISSING, pulumiOnPath, type Capture, type Exec } from "./runner-steps/pulumi-cli";
import { pulumiPassThrough } from "./pulumi-args";
import { policyConfigPath, policyConfigProblem } from "./runner-steps/policy-config";
import { loadStackSpec, REPO_ROOT, resolveStack, stackFilePath } from "./stack-config";

export { backendEnvironment, LOCAL_STATE_DIR } from "./runner-steps/backend";

export type RunnerCommand = "up" | "preview";

export interface RunnerOptions {
  readonly command: RunnerCommand;
  readonly stack: string;
  /** Skip the interactive confirmation of `pulumi up` (for automation). */
  readonly yes: boolean;
  readonly policyPack: boolean;
  /**
   * Read the tenant before the preview or update (`--refresh`): without it Pulumi compares the
   * code with its state, and a change made outside Pulumi shows as unchanged and stays.
   */
  readonly refresh?: boolean | undefined;
  /** For a stack created on first use: where its secrets are encrypted, e.g. `azurekeyvault://...` (default: a passphrase). */
  readonly secretsProvider?: string | undefined;
  /** `up` only: the clients whose program-owned secret this update replaces. */
  readonly rotateClientSecret?: readonly ClientWithSecret[] | undefined;
  /** Further arguments for `pulumi up` / `pulumi preview`, given after `--`: only what pulumiPassThrough lets through. */
  readonly pulumiArgs?: readonly string[];
  /** The checked stack file when it is not the one beside Pulumi.yaml (local mode's copy): the runner's to pass, never the user's. */
  readonly configFile?: string | undefined;
}

/**
 * Who a command runs as. A preview reads, so it needs only the previewer (a read-only
 * application); an update changes the tenant, so it needs the deployer. Both arrive through
 * the same variables, which the Auth0 provider reads.
 */
export function credentialRole(command: RunnerCommand): "deployer" | "previewer" {
  return command === "up" ? "deployer" : "previewer";
}

/** The Auth0 variables still missing (Azure's are the azure-native provider's to find). */
export function missingCredentials(env: NodeJS.ProcessEnv): string[] {
  if (env.AUTH0_API_TOKEN) return [];
  return ["AUTH0_CLIENT_ID", "AUTH0_CLIENT_SECRET"].filter((name) => !env[name]);
}

/** Selects the stack, creating it on first use (with the chosen secrets provider), in one call that does not fail when it is new. */
export function selectArgs(options: Pick<RunnerOptions, "stack" | "secretsProvider">): string[] {
  return [
    "stack",
    "select",
    "--create",
    options.stack,
    ...(options.secretsProvider ? ["--secrets-provider", options.secretsProvider] : []),
  ];
}

/** The preview or update itself, with the guardrails. */
export function runArgs(options: RunnerOptions): string[] {
  const policy = options.policyPack ? ["--policy-pack", "policy", "--policy-pack-config", policyConfigPath(options.stack)] : [];
  const rotate = (options.rotateClientSecret ?? []).flatMap((client) => ["--replace", clientSecretUrn(options.stack, client)]);
  const refresh = options.refresh === true ? ["--refresh"] : [];
  const configFile = options.configFile === undefined ? [] : ["--config-file", options.configFile];
  const further = options.pulumiArgs ?? [];
  return options.command === "up"
    ? ["up", "--stack", options.stack, ...configFile, ...refresh, ...policy, ...rotate, ...(options.yes ? ["--yes"] : []), ...further]
    : ["preview", "--stack", options.stack, ...configFile, "--diff", ...refresh, ...policy, ...further];
}

const DESCRIPTIONS: Readonly<Record<RunnerCommand, string>> = {
  up: "Deploy one stack with the Pulumi CLI: shows the preview with the policy pack's verdicts and asks before changing anything. The stack file is checked first, as `npm run render` checks it; state is the local file backend in .pulumi-state/ unless PULUMI_BACKEND_URL chooses another.",
  preview:
    "Preview one stack with the Pulumi CLI and the policy pack, changing nothing. The stack file is checked first, as `npm run render` checks it; state is the local file backend in .pulumi-state/ unless PULUMI_BACKEND_URL chooses another.",
};

/** What a stack file check answers: the spec, or the message `npm run render` prints. */
export type StackCheck = (stack: string, root: string) => Promise<{ ok: true; spec: TenantSpec } | { ok: false; message: string }>;

/** The render's check, then the spec it checked. */
export const renderCheck: StackCheck = async (stack, root) => {
  const checked = await renderChecked(stack, root);
  return checked.ok ? { ok: true, spec: loadStackSpec(stack, root) } : checked;
};

export interface RunnerIo {
  readonly env: NodeJS.ProcessEnv;
  readonly stderr: (line: string) => void;
  readonly exec?: Exec;
  readonly capture?: Capture;
  /** Whether the Pulumi CLI can be started; a PATH lookup unless a test says. */
  readonly cliInstalled?: (env: NodeJS.ProcessEnv) => boolean;
  /** The stack file check; render's unless a test passes its own. */
  readonly checkStack?: StackCheck;
  /** Where the stack files are; the repository root when absent. */
  readonly root?: string;
  /** Routes the Management API reads that look up interrupted creates; the global fetch when absent. */
  readonly fetch?: typeof fetch;
}

/** What `timesheets:adopt` means for the stack now, from its state; nothing when the state cannot be read. */
async function adoptionLines(spec: TenantSpec, capture: Capture, env: NodeJS.ProcessEnv): Promise<string[]> {
  if (Object.values(spec.adopt).every((id) => id === undefined)) return [];
  const exported = await capture(["stack", "export", "--stack", spec.stack], env);
  const state = exported.code === 0 ? stateIds(exported.stdout) : undefined;
  return state === undefined ? [] : adoptionNotes(spec.stack, spec.adopt, state);
}

/** `npm run up -- --stack dev`: returns the exit code; never exits the process itself. */
export async function main(argv: readonly string[], io: RunnerIo): Promise<number> {
  const [command, ...rest] = argv;
  if (command !== "up" && command !== "preview") {
    io.stderr(`error: unknown command "${command ?? ""}"; expected up or preview`);
    return EXIT_ERROR;
  }
  const program = scriptCommand(command)
    .description(DESCRIPTIONS[command])
    .addOption(new Option("--stack <name>", `the stack to ${command === "up" ? "deploy" : "preview"}`).makeOptionMandatory())
    .option("--no-policy-pack", "run without the policy pack (not for shared environments)")
    .option("--refresh", "read the tenant first, so that drift made outside Pulumi is shown and reverted (pulumi --refresh)", false)
    .argument("[pulumi-args...]", "further arguments for pulumi, after -- (e.g. -- --expect-no-changes)")
    .exitOverride()
    .configureOutput({ writeErr: (text) => io.stderr(text.trimEnd()), writeOut: (text) => io.stderr(text.trimEnd()) });
  if (command === "up") {
    program.option("--yes", "apply without the interactive confirmation", false);
    program.addOption(
      new Option("--rotate-client-secret <client...>", "give the client a new secret, generated by the program, in this update").choices(
        Object.keys(CLIENTS_WITH_SECRETS),
      ),
    );
  }

  const options = parseCommand<{
    stack: string;
    yes?: boolean;
    policyPack: boolean;
    refresh: boolean;
    rotateClientSecret?: ClientWithSecret[];
  }>(program, rest);
  if (!options.ok) return options.exitCode;
  const passThrough = pulumiPassThrough(program.args, { command, stack: options.options.stack });
  if (!passThrough.ok) {
    io.stderr(passThrough.message);
    return EXIT_ERROR;
  }
  const root = io.root ?? REPO_ROOT;
  const checkedFile = stackFilePath(options.options.stack, root);
  const parsed: RunnerOptions = {
    command,
    yes: options.options.yes === true,
    ...options.options,
    pulumiArgs: passThrough.args,
    configFile: checkedFile === stackFilePath(options.options.stack) ? undefined : checkedFile,
  };

  // Cheapest fix first: the arguments for Pulumi (above), the name, then the stack file (the same
  // check as `npm run render`), the policy config, the CLI, then credentials. Nothing reaches
  // Pulumi, and nothing is written, before all pass.
  const resolved = resolveStack(parsed.stack, root);
  if (!resolved.ok) {
    io.stderr(resolved.message);
    return EXIT_ERROR;
  }
  const checked = await (io.checkStack ?? renderCheck)(parsed.stack, root);
  if (!checked.ok) {
    io.stderr(checked.message);
    return EXIT_ERROR;
  }
  const policyProblem = parsed.policyPack
    ? policyConfigProblem({ stack: parsed.stack, environment: checked.spec.environment }, parsed.command, REPO_ROOT)
    : undefined;
  if (policyProblem !== undefined) {
    io.stderr(policyProblem);
    return EXIT_ERROR;
  }
  if (!(io.cliInstalled ?? pulumiOnPath)(io.env)) {
    io.stderr(PULUMI_MISSING);
    return EXIT_ERROR;
  }
  const missing = missingCredentials(io.env);
  if (missing.length > 0) {
    const role = credentialRole(parsed.command);
    io.stderr(`error: missing Auth0 ${role} credentials: ${missingCredentialsFix(checked.spec, role, missing)}`);
    return EXIT_ERROR;
  }
  const ephemeral = ephemeralStateRefusal(io.env);
  if (ephemeral !== undefined) {
    io.stderr(ephemeral);
    return EXIT_ERROR;
  }

  const exec = io.exec ?? execPulumi(REPO_ROOT);
  const capture = io.capture ?? capturePulumi(REPO_ROOT);
  const env = backendEnvironment(io.env);
  try {
    if (prepareFileBackend(env, REPO_ROOT) === LOCAL_STATE_DIR) {
      io.stderr(`state: the local file backend in ${LOCAL_STATE_DIR} (set PULUMI_BACKEND_URL to share state with a team)`);
    }
    const selected = await exec(selectArgs({ stack: parsed.stack, secretsProvider: io.env.PULUMI_SECRETS_PROVIDER }), env);
    if (selected !== 0) return selected;
    // A lock left by a killed deploy is named as such; the runner never clears one itself.
    const locks = parsed.command === "up" ? stackLockLines(parsed.stack, "timesheets", env.PULUMI_BACKEND_URL ?? "", REPO_ROOT) : [];
    for (const line of locks) io.stderr(line);
    if (locks.length > 0) return EXIT_ERROR;
    // The tenant is read with the deployer's credentials before the update: from here on, no line
    // the runner prints shows any part of them, whatever the tenant's address answered.
    const tenant = pendingLookup(checked.spec, io.env, { fetch: io.fetch });
    const stderr = (line: string) => io.stderr(tenant.shown(line));
    const interrupted = await settleInterruptedCreates({
      command: parsed.command,
      spec: checked.spec,
      env,
      exec,
      capture,
      stderr,
      lookUp: tenant.lookUp,
    });
    if (interrupted !== undefined) return interrupted;
    for (const line of await adoptionLines(checked.spec, capture, env)) if (line.startsWith("warning:")) stderr(line);
    const code = await exec(runArgs(parsed), env);
    if (code !== 0 || parsed.command !== "up") return code;
    for (const line of await adoptionLines(checked.spec, capture, env)) if (line.startsWith("note:")) stderr(line);
    return EXIT_OK;
  } catch (error) {
    if (!(error instanceof CliMissing)) throw error;
    io.stderr(PULUMI_MISSING);
    return EXIT_ERROR;
  }
}

if (require.main === module) {
  runAsProcess("runner", () => main(process.argv.slice(2), { env: process.env, stderr: (line) => console.error(line) }));
}
