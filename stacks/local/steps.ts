import { mkdirSync } from "node:fs";
import type { LocalMode } from "../../local/local-mode";
import { LOCAL_PASSPHRASE, LOCAL_STACK } from "../../local/local-mode";
import type { Role } from "../../local/roles";
import { main as audit } from "../audit/main";
import { main as runner } from "../runner";
import type { Capture, Exec } from "../runner-steps/pulumi-cli";
import type { ReadOutputs } from "../verify/stack-outputs";
import { stackOutputsReader } from "../verify/stack-outputs";
import { main as verify } from "../verify/main";

/** One step of `npm run local`: what it is called in the summary, and whether it passed. */
export interface StepResult {
  readonly step: string;
  readonly passed: boolean;
  readonly exitCode: number;
}

export interface StepIo {
  readonly env: NodeJS.ProcessEnv;
  /** Where the steps' own output goes (the Pulumi CLI's, verify's and audit's reports). */
  readonly write: (text: string) => void;
  /** Runs the Pulumi CLI; the real one on PATH when absent. */
  readonly exec?: Exec;
  /** Runs the Pulumi CLI for what it prints (the state's export); the real one on PATH when absent. */
  readonly capture?: Capture;
  /** Reads the stack's outputs; the Automation API over the local backend when absent. */
  readonly readOutputs?: ReadOutputs;
}

/**
 * The environment a role's Pulumi or npm command runs with against the local tenant: its
 * credentials, the authority trusted by Go (SSL_CERT_FILE: the public roots plus the local
 * authority, so plugin downloads still work) and by Node (NODE_EXTRA_CA_CERTS), the local
 * stack's own backend under `.local/` and its fixed passphrase.
 */
export function roleEnvironment(
  local: Pick<LocalMode, "paths" | "trust">,
  domain: string,
  credentials: { clientId: string; clientSecret: string },
): Record<string, string> {
  return {
    AUTH0_DOMAIN: domain,
    AUTH0_CLIENT_ID: credentials.clientId,
    AUTH0_CLIENT_SECRET: credentials.clientSecret,
    SSL_CERT_FILE: local.trust.trustFile,
    NODE_EXTRA_CA_CERTS: local.trust.caFile,
    PULUMI_BACKEND_URL: `file://${local.paths.stateDir}`,
    PULUMI_CONFIG_PASSPHRASE: LOCAL_PASSPHRASE,
  };
}

function envFor(local: LocalMode, io: StepIo, role: Role): NodeJS.ProcessEnv {
  const base = { ...io.env };
  // A token or secrets provider of the user's own would override the role's credentials or the local passphrase.
  delete base.AUTH0_API_TOKEN;
  delete base.PULUMI_CONFIG_PASSPHRASE_FILE;
  delete base.PULUMI_SECRETS_PROVIDER;
  return { ...base, ...roleEnvironment(local, local.auth0.domain, local.credentials(role)) };
}

async function runPulumi(local: LocalMode, io: StepIo, command: "up" | "preview", role: Role, extra: readonly string[]): Promise<number> {
  // The file backend wants its folder to exist.
  mkdirSync(local.paths.stateDir, { recursive: true });
  // The runner passes the checked copy's --config-file itself: it is given the copy's folder as root.
  const argv = [command, "--stack", LOCAL_STACK, ...(command === "up" ? ["--yes"] : []), "--", ...extra];
  return runner(argv, {
    env: envFor(local, io, role),
    stderr: (line) => io.write(`${line}\n`),
    exec: io.exec,
    capture: io.capture,
    // A test's stand-in for the CLI is the CLI; `npm run local` has looked for the real one already.
    cliInstalled: io.exec === undefined ? undefined : () => true,
    root: local.stack.root,
  });
}

const result = (step: string, exitCode: number): StepResult => ({ step, passed: exitCode === 0, exitCode });

/** `npm run up -- --stack local` with the deployer. */
export async function deploy(local: LocalMode, io: StepIo): Promise<StepResult> {
  return result("deploy", await runPulumi(local, io, "up", "deployer", []));
}

/** The second run proves the first left nothing to do: a preview that fails on any change, with the read-only previewer. */
export async function previewNoChanges(local: LocalMode, io: StepIo): Promise<StepResult> {
  return result("no-op preview", await runPulumi(local, io, "preview", "previewer", ["--expect-no-changes"]));
}

/** `npm run verify -- --stack local`: the import job's token, the test user's sign-in, the local gateway's answers. */
export async function verifyStep(local: LocalMode, io: StepIo): Promise<StepResult> {
  const env = envFor(local, io, "previewer");
  const code = await verify(["--stack", LOCAL_STACK], {
    env: { ...env, VERIFY_GATEWAY_URL: local.gateway.url },
    stdout: { write: io.write },
    stderr: { write: io.write },
    readOutputs: io.readOutputs ?? stackOutputsReader(env),
    root: local.stack.root,
  });
  return result("verify", code);
}

/** `npm run audit -- --stack local` with the auditor. */
export async function auditStep(local: LocalMode, io: StepIo): Promise<StepResult> {
  const env = envFor(local, io, "auditor");
  const code = await audit(["--stack", LOCAL_STACK], env, {
    stdout: { write: io.write },
    stderr: { write: io.write },
    root: local.stack.root,
  });
  return result("audit", code);
}

/** The steps in order. A failed deploy ends the run (the rest would judge a stack that is not there); every other step runs whatever came before. */
export async function runSteps(local: LocalMode, io: StepIo): Promise<StepResult[]> {
  const deployed = await deploy(local, io);
  if (!deployed.passed) return [deployed];
  const results = [deployed];
  for (const step of [previewNoChanges, verifyStep, auditStep]) results.push(await step(local, io));
  return results;
}
