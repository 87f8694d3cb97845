import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import type { TenantSpec } from "../../infra/config/spec";
import { EXIT_ERROR } from "../exit-codes";
import { interruptedCreatesFix, nextUp, runAs, type FixTarget } from "../fixes";
import { identityOf, decidePendingCreates, type PendingPlan, type TenantAnswers, type TenantIdentity } from "./pending-decision";
import { pendingOperations } from "./pending-creates";
import type { Capture, Exec } from "./pulumi-cli";
import { settledState } from "./state-edit";

/** `pulumi stack import` of the settled state, from a file only this user can read (it holds the state's ciphertexts), removed after. */
async function writeSettledState(stack: string, state: string, io: Pick<InterruptedIo, "exec" | "env">): Promise<number> {
  const folder = await mkdtemp(path.join(os.tmpdir(), "timesheets-state-"));
  const file = path.join(folder, `${stack}.json`);
  try {
    await writeFile(file, state, { mode: 0o600 });
    return await io.exec(["stack", "import", "--stack", stack, "--file", file], io.env);
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
}

/** The refresh that reads what was adopted, and only that: its outputs, which the update's references need. */
export function readAdoptedArgs(stack: string, plan: PendingPlan): string[] {
  return ["refresh", "--stack", stack, "--yes", "--skip-preview", ...plan.adopt.flatMap(({ urn }) => ["--target", urn])];
}

/** The one line a refusal is: each create that cannot be settled, why, and the commands a person settles it with. */
export function refusalLine(target: FixTarget & Pick<TenantSpec, "tenant">, plan: PendingPlan): string {
  const which = plan.refuse.map(({ urn, what, why }) => `${what} [${urn}]: ${why}`).join("; ");
  const copies = plan.refuse.flatMap((refused) => (refused.copies === undefined ? [] : [refused.copies]));
  return `error: the last deploy of ${target.stack} was interrupted while creating objects, and the runner will not guess which to keep: ${which}. Nothing was changed. ${interruptedCreatesFix(target, copies)}`;
}

/** What a preview says the next `up` does with each interrupted create. */
export function previewLines(stack: string, plan: PendingPlan): string[] {
  return [
    ...plan.adopt.map(({ what, id }) => `note: interrupted create of ${what}: ${nextUp(stack)} adopts the tenant's ${id}`),
    ...plan.create.map(({ what, why }) => `note: interrupted create of ${what}: ${why}; ${nextUp(stack)} creates it once`),
  ];
}

/** What an `up` says once the refresh has settled the interrupted creates. */
export function settledLines(plan: PendingPlan): string[] {
  return [
    ...plan.adopt.map(({ what, id }) => `adopted: ${what}, the tenant's ${id}, left by an interrupted deploy (not created again)`),
    ...plan.create.map(({ what, why }) => `cleared: the interrupted create of ${what} (${why}); this update creates it once`),
  ];
}

export interface InterruptedIo {
  readonly command: "up" | "preview";
  readonly spec: TenantSpec;
  readonly env: NodeJS.ProcessEnv;
  readonly exec: Exec;
  readonly capture: Capture;
  readonly stderr: (line: string) => void;
  /** What the tenant holds for these identities (GET only). */
  readonly lookUp: (identities: readonly TenantIdentity[]) => Promise<TenantAnswers | { readonly error: string }>;
}

/**
 * Before an update: the stack's interrupted creates, each adopted, cleared to be created once,
 * or the run refused. A preview only says what the next `up` will do. Returns an exit code to
 * stop with, or undefined to go on.
 */
export async function settleInterruptedCreates(io: InterruptedIo): Promise<number | undefined> {
  const stack = io.spec.stack;
  const exported = await io.capture(["stack", "export", "--stack", stack], io.env);
  if (exported.code !== 0) {
    io.stderr(
      `error: the state of ${stack} could not be read (\`pulumi stack export\` exit ${exported.code}), so interrupted creates cannot be told apart from new ones; nothing was changed`,
    );
    return EXIT_ERROR;
  }
  const pending = pendingOperations(exported.stdout);
  if ("error" in pending) {
    io.stderr(`error: the state of ${stack} could not be read: ${pending.error}; nothing was changed`);
    return EXIT_ERROR;
  }
  if (pending.creates.length === 0) return undefined;

  const identities = pending.creates.map(identityOf).filter((i): i is TenantIdentity => typeof i === "object" && !("unknown" in i));
  const answers = identities.length === 0 ? undefined : await io.lookUp(identities);
  if (answers !== undefined && "error" in answers) {
    const line = `the last deploy of ${stack} was interrupted while creating ${pending.creates.length} resource(s), and the tenant could not be asked which exist: ${answers.error}`;
    io.stderr(io.command === "up" ? `error: ${line}; nothing was changed` : `warning: ${line}; ${nextUp(stack)} refuses until it can`);
    return io.command === "up" ? EXIT_ERROR : undefined;
  }
  const plan = decidePendingCreates(pending.creates, answers ?? NOTHING_ASKED);
  if (io.command === "preview") {
    for (const line of previewLines(stack, plan)) io.stderr(line);
    if (plan.refuse.length > 0) io.stderr(refusalLine(io.spec, plan).replace(/^error: /, `warning: ${nextUp(stack)} refuses: `));
    return undefined;
  }
  if (plan.refuse.length > 0) {
    io.stderr(refusalLine(io.spec, plan));
    return EXIT_ERROR;
  }
  const code = await writeSettledState(stack, settledState(exported.stdout, plan), io);
  if (code !== 0) {
    io.stderr(
      `error: the state of ${stack} could not be written with its interrupted creates settled (\`pulumi stack import\` exit ${code}); nothing was deployed`,
    );
    return code;
  }
  for (const line of settledLines(plan)) io.stderr(line);
  if (plan.adopt.length === 0) return undefined;
  const read = await io.exec(readAdoptedArgs(stack, plan), io.env);
  if (read !== 0) {
    io.stderr(
      `error: the adopted objects of ${stack} could not be read (\`pulumi refresh\` exit ${read}); nothing was deployed, and the state holds them now: ${runAs(io.spec, "deploy")} again`,
    );
    return read;
  }
  return undefined;
}

/** For a plan whose creates make no object of their own or cannot be identified: nothing was asked, nothing found. */
const NOTHING_ASKED: TenantAnswers = {
  query: { apiIdentifier: "", connectionName: "", emails: [] },
  snapshot: {
    resourceServer: { ok: true, value: undefined },
    clients: { ok: true, value: [] },
    grants: { ok: true, value: [] },
    connection: { ok: true, value: undefined },
    enabledClients: { ok: true, value: [] },
    usersByEmail: { ok: true, value: new Map() },
    testUserRoles: { ok: true, value: { named: [], assigned: [] } },
  },
};
