import { spawn } from "node:child_process";
import { mkdirSync } from "node:fs";
import path from "node:path";
import { Command, Option } from "commander";
import { REPO_ROOT, resolveStack } from "./stack-config";
import { parseCommand } from "./cli";
import { EXIT_ERROR, EXIT_OK, runAsProcess } from "./exit-codes";

/** Where a single engineer's state lives when no backend is chosen: inside the checkout, git-ignored. */
export const LOCAL_STATE_DIR = path.join(REPO_ROOT, ".pulumi-state");

export interface RunnerOptions {
  readonly command: "up" | "preview";
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
}

export interface PulumiInvocation {
  readonly args: readonly string[];
  /** May fail: its failure is expected and leads to the fallback. */
  readonly fallback?: readonly string[];
}

/**
 * The environment for the CLI: the local file backend unless PULUMI_BACKEND_URL chooses
 * another, so that where state lives never depends on an earlier `pulumi login`.
 */
export function backendEnvironment(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  if (env.PULUMI_BACKEND_URL) return env;
  return { ...env, PULUMI_BACKEND_URL: `file://${LOCAL_STATE_DIR}` };
}

/**
 * Who a command runs as. A preview reads, so it needs only the previewer (a read-only
 * application); an update changes the tenant, so it needs the deployer. Both arrive through
 * the same variables, which the Auth0 provider reads.
 */
export function credentialRole(command: RunnerOptions["command"]): "deployer" | "previewer" {
  return command === "up" ? "deployer" : "previewer";
}

/** The Auth0 variables still missing (Azure's are the azure-native provider's to find). */
export function missingCredentials(env: NodeJS.ProcessEnv): string[] {
  if (env.AUTH0_API_TOKEN) return [];
  return ["AUTH0_CLIENT_ID", "AUTH0_CLIENT_SECRET"].filter((name) => !env[name]);
}

/** The CLI calls for one run: select the stack (creating it on first use), then preview or update it with the guardrails. */
export function plan(options: RunnerOptions): PulumiInvocation[] {
  const policy = options.policyPack ? ["--policy-pack", "policy", "--policy-pack-config", `policy/config/${options.stack}.json`] : [];
  const refresh = options.refresh === true ? ["--refresh"] : [];
  const run =
    options.command === "up"
      ? ["up", "--stack", options.stack, ...refresh, ...policy, ...(options.yes ? ["--yes"] : [])]
      : ["preview", "--stack", options.stack, "--diff", ...refresh, ...policy];
  const init = ["stack", "init", options.stack, ...(options.secretsProvider ? ["--secrets-provider", options.secretsProvider] : [])];
  return [{ args: ["stack", "select", options.stack], fallback: init }, { args: run }];
}

type Exec = (args: readonly string[], env: NodeJS.ProcessEnv) => Promise<number>;

const execPulumi: Exec = (args, env) =>
  new Promise((resolve, reject) => {
    const child = spawn("pulumi", args, { cwd: REPO_ROOT, env, stdio: "inherit" });
    child.on("error", (error: NodeJS.ErrnoException) =>
      reject(
        error.code === "ENOENT" ? new Error("the Pulumi CLI is not on PATH; install it from https://www.pulumi.com/docs/install/") : error,
      ),
    );
    child.on("exit", (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });

export interface RunnerIo {
  readonly env: NodeJS.ProcessEnv;
  readonly stderr: (line: string) => void;
  readonly exec?: Exec;
  /** Where the stack files are; the repository root when absent. */
  readonly root?: string;
}

/** `npm run up -- --stack dev`: returns the exit code; never exits the process itself. */
export async function main(argv: readonly string[], io: RunnerIo): Promise<number> {
  const program = new Command()
    .name("runner")
    .description("Preview or deploy one stack with the Pulumi CLI, the guardrails on, on the local file backend unless another is chosen.")
    .addOption(new Option("--stack <name>", "the stack to run").makeOptionMandatory())
    .option("--yes", "apply without the interactive confirmation", false)
    .option("--no-policy-pack", "run without the policy pack (not for shared environments)")
    .option("--refresh", "read the tenant first, so that drift made outside Pulumi is shown and reverted", false)
    .argument("<command>", "up or preview")
    .exitOverride()
    .configureOutput({ writeErr: (text) => io.stderr(text.trimEnd()), writeOut: (text) => io.stderr(text.trimEnd()) });

  const options = parseCommand<{ stack: string; yes: boolean; policyPack: boolean; refresh: boolean }>(program, argv);
  if (!options.ok) return options.exitCode;
  const parsed = { command: program.args[0] ?? "", ...options.options };

  if (parsed.command !== "up" && parsed.command !== "preview") {
    io.stderr(`error: unknown command "${parsed.command}"; expected up or preview`);
    return EXIT_ERROR;
  }
  const resolved = resolveStack(parsed.stack, io.root);
  if (!resolved.ok) {
    io.stderr(resolved.message);
    return EXIT_ERROR;
  }
  const missing = missingCredentials(io.env);
  if (missing.length > 0) {
    const role = credentialRole(parsed.command);
    const whose =
      role === "deployer"
        ? "the deployer application's client id and secret, or AUTH0_API_TOKEN"
        : "the read-only previewer application's client id and secret, or AUTH0_API_TOKEN; a preview needs no deployer";
    io.stderr(`error: missing Auth0 ${role} credentials: set ${missing.join(" and ")} (${whose}); see "Credentials" in the README`);
    return EXIT_ERROR;
  }

  const exec = io.exec ?? execPulumi;
  const env = backendEnvironment(io.env);
  if (env.PULUMI_BACKEND_URL === `file://${LOCAL_STATE_DIR}`) {
    mkdirSync(LOCAL_STATE_DIR, { recursive: true });
    io.stderr(`state: the local file backend in ${LOCAL_STATE_DIR} (set PULUMI_BACKEND_URL to share state with a team)`);
  }
  for (const step of plan({ ...parsed, command: parsed.command, secretsProvider: io.env.PULUMI_SECRETS_PROVIDER })) {
    let code = await exec(step.args, env);
    if (code !== 0 && step.fallback) code = await exec(step.fallback, env);
    if (code !== 0) return code;
  }
  return EXIT_OK;
}

if (require.main === module) {
  runAsProcess("runner", () => main(process.argv.slice(2), { env: process.env, stderr: (line) => console.error(line) }));
}
