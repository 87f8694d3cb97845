import type { TenantSpec } from "../infra/config/spec";
import type { Role } from "../local/roles";
import { LOCAL_ENVIRONMENT } from "./stack-config";

// Every fix a command of this repository prints (audit, drift, verify, adopt, local, the
// runner's refusals) is made here, so that each is a command that works as printed from the
// repository root, with the role it needs. test/unit/printed-fixes.test.ts runs every command
// each export prints through its script's own main (its argument parsing), for every stack, and
// test/e2e/fixes-repair.test.ts shows each command's fix repairing what the command reported.
//
// - What the program manages is set back by an update that reads the tenant first:
//   `npm run up -- --stack <stack> --refresh` (`pulumi up --refresh`, with the runner's policy
//   pack). Without the refresh, Pulumi compares the code with its state, not with the tenant,
//   and a change made behind its back shows as "unchanged" and stays.
// - To keep a change instead, it goes into the code (the stack file or the program), and the
//   same update finds nothing to change and records the tenant's values in the state. There is
//   deliberately no `npm run refresh`: a refresh alone writes the change into the state while the
//   code still declares the old value, so the drift check goes quiet and the next `up` reverts
//   the change anyway (https://www.pulumi.com/docs/iac/cli/commands/pulumi_refresh/: "if the
//   program text isn't updated accordingly, subsequent updates may still appear to be out of sync").
// - What the program does not manage (a grant or a user made by hand, a duplicate client) is
//   not in the state, so no update removes it: a Management API call deletes it, with a token
//   that holds that one delete scope.

/** The stack a fix is for: its name, and whether its tenant is local mode's. */
export type FixTarget = Pick<TenantSpec, "stack" | "environment">;

/** A command of this repository as a user types it at the root: `npm run [--silent] <script> -- <args>`. */
export interface ScriptCommand {
  readonly script: string;
  readonly args: readonly string[];
  /** `npm run --silent`: stdout is the command's alone (for `eval "$(...)"`). */
  readonly silent?: boolean;
}

/**
 * Every command a fix prints, by what it does, and the role whose credentials it runs with
 * (`none`: no Auth0 credentials). The test prints `runAs` of every entry, so a command added
 * here is held to working as printed without being named there.
 */
export const FIX_COMMANDS = {
  /** Sets back what the program manages, reading the tenant first. */
  updateWithRefresh: { role: "deployer", command: (stack: string) => npm("up", ["--stack", stack, "--refresh"]) },
  /** The first deployment of a stack (it creates it), or the one that adopts. */
  deploy: { role: "deployer", command: (stack: string) => npm("up", ["--stack", stack]) },
  /** The preview of an adoption reads the import job's credentials, which the previewer may not (docs/credentials.md). */
  previewAdoption: { role: "deployer", command: (stack: string) => npm("preview", ["--stack", stack]) },
  verify: { role: "previewer", command: (stack: string) => npm("verify", ["--stack", stack]) },
  audit: { role: "auditor", command: (stack: string) => npm("audit", ["--stack", stack]) },
  adopt: { role: "auditor", command: (stack: string) => npm("adopt", ["--stack", stack]) },
  /** Local mode once, from a new local tenant: what the program leaves, proven again. */
  localFromScratch: { role: "none", command: () => npm("local", ["--reset", "--check"]) },
} as const satisfies Record<string, { role: Role | "none"; command: (stack: string) => ScriptCommand }>;

export type FixCommand = keyof typeof FIX_COMMANDS;

function npm(script: string, args: readonly string[], silent = false): ScriptCommand {
  return { script, args, ...(silent ? { silent } : {}) };
}

/** The command as typed: `npm run up -- --stack dev --refresh`. */
function typed(command: ScriptCommand): string {
  return `npm run ${command.silent === true ? "--silent " : ""}${command.script} -- ${command.args.join(" ")}`;
}

/** Local mode's shell lines for a role: its credentials, the local backend and passphrase, the local authority. */
const localRoleCommand = (role: Role): ScriptCommand => npm("local", ["--env", role], true);

const localRoleEval = (role: Role): string => `eval "$(${typed(localRoleCommand(role))})"`;

/**
 * Pulumi's own commands use whatever backend the user is logged into; this line points them at
 * the runner's (its default, the file backend in .pulumi-state/, unless PULUMI_BACKEND_URL is set).
 */
const RUNNER_BACKEND = "export PULUMI_BACKEND_URL=${PULUMI_BACKEND_URL:-file://$PWD/.pulumi-state}";

const isLocal = (target: FixTarget): boolean => target.environment === LOCAL_ENVIRONMENT;

/** Where a role's credentials come from on a real tenant (docs/credentials.md). */
const ROLE_CREDENTIALS: Readonly<Record<Role, string>> = {
  deployer:
    "as the deployer (AUTH0_CLIENT_ID and AUTH0_CLIENT_SECRET of the deployer application), on the stack's state backend (PULUMI_BACKEND_URL)",
  previewer:
    "as the previewer (AUTH0_CLIENT_ID and AUTH0_CLIENT_SECRET of the read-only previewer application), on the stack's state backend (PULUMI_BACKEND_URL)",
  auditor: "as the auditor (AUTH0_CLIENT_ID and AUTH0_CLIENT_SECRET of the read-only auditor application)",
};

/**
 * `run \`<command>\` <as whom>`: on a real tenant, the role's variables named; on local mode's
 * tenant, the line that sets them first (they are the local tenant's, not the user's).
 */
export function runAs(target: FixTarget, which: FixCommand): string {
  const { role, command } = FIX_COMMANDS[which];
  return runWith(target, role, command(target.stack));
}

function runWith(target: FixTarget, role: Role | "none", command: ScriptCommand): string {
  const shown = `\`${typed(command)}\``;
  if (role === "none") return `run ${shown}`;
  return isLocal(target) ? `run \`${localRoleEval(role)}\`, then ${shown}` : `run ${shown} ${ROLE_CREDENTIALS[role]}`;
}

/** The audit's fix for what the program manages: the update with refresh, then why or what, if said. */
export function restore(target: FixTarget, then = ""): string {
  return `${runAs(target, "updateWithRefresh")}${then === "" ? "" : `${then.startsWith(";") ? "" : " "}${then}`}`;
}

/** A Management API delete of an object the program does not manage, with the scope its token needs. */
export function deleteCommand(spec: Pick<TenantSpec, "tenant">, path: string, scope: string): string {
  return `\`curl -fsS -X DELETE -H "Authorization: Bearer $AUTH0_MANAGEMENT_TOKEN" https://${spec.tenant.domain}/api/v2/${path}\` (AUTH0_MANAGEMENT_TOKEN: a Management API token for ${spec.tenant.domain} with ${scope})`;
}

/** `npm run drift`: resources whose live values differ from the state. */
export function driftFix(target: FixTarget): string {
  return `to restore what the code declares, ${runAs(target, "updateWithRefresh")}; to keep the change instead, put it in the code (the stack file or the program), then run the same command: it finds nothing to change and records the live values in the state (a refresh alone would not keep it: the next update reverts it)`;
}

/** `npm run drift` on a stack that was never deployed to this backend. */
export function neverDeployedFix(target: FixTarget): string {
  return `deploy it first: ${runAs(target, "deploy")}`;
}

/** `npm run verify` when a check failed: the tenant or gateway is not what the stack declares. */
export function verifyFailedFix(target: FixTarget): string {
  return `${runAs(target, "audit")} to see what differs in the tenant; ${runAs(target, "updateWithRefresh")} to set back what the program manages (the gateway included); then check again: ${runAs(target, "verify")}`;
}

/** `npm run adopt`: what to do with the block it prints. */
export function adoptionSteps(target: FixTarget): string {
  const file = `Pulumi.${target.stack}.yaml`;
  return `Add these lines under config: in ${file}, ${runAs(target, "audit")} until it reports no drift (where code and tenant differ, an import fails or is followed by an update, depending on the Pulumi CLI), then ${runAs(target, "previewAdoption")}: it shows imports, not creations. Then ${runAs(target, "deploy")} to adopt, and remove the lines again (the runner says when): left in place, an adopted object later deleted in Auth0 and refreshed out of the state would make the update import it again and fail.`;
}

/**
 * `npm run adopt` finding several clients of one name: keep the one the import job runs with
 * (which one that is, only its owner knows; the deletes printed keep the first), delete the
 * others, then adopt again.
 */
export function duplicateClientsFix(target: FixTarget & Pick<TenantSpec, "tenant">, clientIds: readonly string[]): string {
  const [kept = "", ...others] = clientIds;
  const deletes = others.map((id) => deleteCommand(target, `clients/${id}`, "delete:clients")).join("; ");
  return `keep the one the import job runs with and delete the others (to keep ${kept}: ${deletes}), then ${runAs(target, "adopt")} again`;
}

/** The runner without the role's Auth0 credentials. */
export function missingCredentialsFix(target: FixTarget, role: "deployer" | "previewer", missing: readonly string[]): string {
  if (isLocal(target)) return `run \`${localRoleEval(role)}\` first (the local tenant's ${role}, local mode's backend and passphrase)`;
  const whose =
    role === "deployer"
      ? "the deployer application's client id and secret, or AUTH0_API_TOKEN"
      : "the read-only previewer application's client id and secret, or AUTH0_API_TOKEN; a preview needs no deployer";
  return `set ${missing.join(" and ")} (${whose}); see docs/credentials.md`;
}

/** A local tenant that cannot be used any more. */
export const LOCAL_RESET_FIX = `\`${typed(npm("local", ["--reset"]))}\` starts a new local tenant`;

/** `npm run local -- --check` when a step failed. */
export function localCheckFailedFix(): string {
  return `the output above says why; ${runAs({ stack: "local", environment: LOCAL_ENVIRONMENT }, "localFromScratch")}: it starts again from a new local tenant`;
}

/** The stack outputs that name a client the program made (infra/index.ts). */
export type ClientIdOutput = "importJobClientId" | "testClientId" | "portalClientId";

/**
 * The audit finding several clients of one declared name: the one the state holds stays (its id
 * is a stack output, read on the stack's backend), the others go.
 */
export function keepOneClientFix(
  target: FixTarget & Pick<TenantSpec, "tenant">,
  output: ClientIdOutput,
  kept: string,
  others: readonly string[],
): string {
  const read = `\`pulumi stack output ${output} --stack ${target.stack}\``;
  const backend = isLocal(target) ? localRoleEval("previewer") : RUNNER_BACKEND;
  const deletes = others.map((id) => deleteCommand(target, `clients/${id}`, "delete:clients")).join("; ");
  return `run \`${backend}\` (the backend npm run up uses for it) and check that ${read} is ${kept}, then delete the others: ${deletes}`;
}

/**
 * Pulumi's commands on a stack's config run on its backend: the runner's, or local mode's for
 * its stack. Which one the stack file alone cannot say (its environment may be the broken part).
 */
function onBackend(pulumiCommand: string): string {
  return `run \`${RUNNER_BACKEND}\` (the backend npm run up uses; for local mode's stack, \`${localRoleEval("deployer")}\` instead), then \`${pulumiCommand}\``;
}

/** A stack file whose secure value for `key` cannot be used: set it again (the CLI asks for the value). */
export function setSecretFix(stack: string, key: string): string {
  return onBackend(`pulumi config set --secret ${key} --stack ${stack}`);
}

/** A stack file whose cloud secrets provider lost its data key: have the CLI write it again. */
export function secretsProviderFix(stack: string, provider: string): string {
  return onBackend(`pulumi stack change-secrets-provider "${provider}" --stack ${stack}`);
}

/** A value as a POSIX shell reads it back: as it is when nothing in it is special, else single-quoted. */
function shellWord(value: string): string {
  return /^[\w@%+=:,./~-]+$/.test(value) ? value : `'${value.replace(/'/g, "'\\''")}'`;
}

/**
 * The command that clears a stack's locks, on the backend the runner used (`pulumi cancel`
 * deletes every lock of the stack: the runner offers it only when no lock is held by a deploy
 * that runs here). Flags as `pulumi cancel --help` of v3.248.0 lists them.
 */
export function clearLocksCommand(stack: string, backendUrl: string): string {
  return `\`PULUMI_BACKEND_URL=${shellWord(backendUrl)} pulumi cancel --stack ${stack} --yes\``;
}

/** "the next `npm run up -- --stack dev`": what a preview's note about interrupted creates speaks of. */
export function nextUp(stack: string): string {
  return `the next \`${typed(FIX_COMMANDS.deploy.command(stack))}\``;
}

/** `npm run up` refusing interrupted creates it cannot settle alone: what a person does, then the update again. */
export function interruptedCreatesFix(
  target: FixTarget & Pick<TenantSpec, "tenant">,
  copies: readonly (readonly { readonly path: string; readonly deleteScope: string }[])[] = [],
): string {
  const deletes = copies.flat().map((copy) => deleteCommand(target, copy.path, copy.deleteScope));
  const several =
    deletes.length > 0
      ? `Where the tenant holds several copies of one object, keep the one in use and delete the others (each copy's delete: ${deletes.join("; ")}). `
      : "Where the tenant holds several copies of one object, keep the one in use and delete the others in Auth0. ";
  return `${several}Where it could not be asked, make sure it can. Then ${runAs(target, "deploy")}: the runner adopts the one left. Anything else: docs/runbooks.md#a-deploy-was-interrupted`;
}

/** The runner in automation without a backend named: state in the checkout would be lost. */
export const EPHEMERAL_STATE_FIX = "set PULUMI_BACKEND_URL to the team's backend (docs/state.md)";

/** A stack without its policy pack config: add it, or run without the pack. */
export function policyConfigFix(target: FixTarget, command: "up" | "preview"): string {
  const without = runWith(target, ROLE_OF[command], npm(command, ["--stack", target.stack, "--no-policy-pack"]));
  return `add it for the stack's environment (see "Adding an environment" in docs/runbooks.md), or ${without} (not for shared environments)`;
}

/** Who the runner's commands run as: an update changes the tenant, a preview only reads. */
const ROLE_OF = { up: "deployer", preview: "previewer" } as const satisfies Record<"up" | "preview", Role>;

/**
 * A flag after `--` the runner does not pass to Pulumi: where what it sets belongs instead
 * (undefined: nothing but the allow-list says why). Keyed by the flag as typed, long or short.
 * The refusal comes before the stack file is read, so it names the runner's flags, not a command with a role.
 */
export function refusedFlagFix(flag: string, command: "up" | "preview", stack: string): string | undefined {
  const file = `Pulumi.${stack}.yaml`;
  const config = `config belongs in ${file}, where it is checked (a secret too, as a secure: value: docs/configuration.md)`;
  const preview = "the preview with the policy pack's verdicts always comes first";
  const table: Readonly<Record<string, string>> = {
    stack: "the stack is the runner's --stack, whose file was checked",
    "config-file": `the stack file is ${file}, the one the runner checks`,
    cwd: "the project is this repository",
    config,
    "config-path": config,
    yes: command === "up" ? "use the runner's --yes" : "a preview changes nothing and asks nothing",
    "skip-preview": preview,
    refresh: "use the runner's --refresh",
    "policy-pack": "the guardrails are the runner's (--no-policy-pack to run without)",
    "policy-pack-config": `the guardrails' config is the stack's own policy/config/${stack}.json`,
    "secrets-provider": "set PULUMI_SECRETS_PROVIDER for a new stack",
  };
  const long: Readonly<Record<string, string>> = { s: "stack", C: "cwd", c: "config", y: "yes", f: "skip-preview", r: "refresh" };
  const key = Object.hasOwn(long, flag) ? long[flag] : flag;
  return key !== undefined && Object.hasOwn(table, key) ? table[key] : undefined;
}
