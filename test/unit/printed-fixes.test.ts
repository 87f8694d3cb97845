import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { TenantSpec } from "../../infra/config/spec";
import { compareTenant } from "../../stacks/audit/compare";
import type { Finding } from "../../stacks/audit/findings";
import { auditTarget } from "../../stacks/audit/target";
import { NO_ROLES, completeSnapshot, type LiveTenant, type LiveUser } from "../../stacks/auth0/model";
import * as fixes from "../../stacks/fixes";
import { backendEnvironment, LOCAL_STATE_DIR } from "../../stacks/runner";
import type { FixCommand } from "../../stacks/fixes";
import { listStacks, loadStackSpec } from "../../stacks/stack-config";
import { m2m } from "../support/live-clients";
import {
  commandsIn,
  evaluatedExports,
  parsePrinted,
  runPrinted,
  USAGE_ERROR,
  type Printed,
  type PrintedIo,
  type PrintedRun,
} from "../support/printed-commands";

// Every fix a command prints is a command that works as written, from the repository root: an
// npm script this repository has, with flags its own parsing accepts (an update that refreshes
// first, since an update without refresh compares with state and leaves drift in place), run
// with the role the fix names (on local mode's stack, the variables its own `eval` line sets), or
// a Management API delete sent to the stack's own tenant, its token's scope named. The audit's
// fixes come from every finding it can make; every other command's from stacks/fixes.ts, every
// export of it. test/e2e/fixes-repair.test.ts runs them against drift and shows they repair it.

const scripts = (JSON.parse(readFileSync(path.join(__dirname, "../../package.json"), "utf8")) as { scripts: Record<string, string> })
  .scripts;
const specs = listStacks().map((stack) => loadStackSpec(stack));

const grant = (id: string, clientId: string, audience: string, scopes: string[], subjectType?: string) => ({
  id,
  clientId,
  defaultFor: undefined,
  audience,
  scopes,
  allowAllScopes: false,
  subjectType,
});

/** Nothing the stack declares is there: every "missing" finding. */
const emptyTenant = (): LiveTenant => ({
  resourceServer: undefined,
  clients: [],
  grants: [],
  connection: undefined,
  enabledClients: [],
  usersByEmail: new Map(),
  testUserRoles: NO_ROLES,
});

/** Everything the stack declares is there and wrong, and more besides: every other finding. */
function wrongTenant(spec: TenantSpec, others: readonly TenantSpec[]): LiveTenant {
  const wrongClient = (clientId: string, name: string) =>
    m2m({
      clientId,
      name,
      appType: "spa",
      grantTypes: ["implicit"],
      callbacks: ["https://x.example"],
      isFirstParty: false,
      authMethod: "none",
    });
  const api = spec.api.identifier;
  const strayEmails = others.flatMap((other) => (other.testUser === undefined ? [] : [other.testUser.email]));
  return {
    resourceServer: {
      id: "rs",
      identifier: api,
      name: "renamed",
      signingAlg: "HS256",
      tokenDialect: "access_token",
      tokenLifetime: 1,
      allowOfflineAccess: true,
      enforcePolicies: !spec.api.enforcePolicies,
      clientPolicy: "allow_all",
      userPolicy: "allow_all",
      permissions: [
        { name: "extra:thing", description: "x" },
        ...spec.api.permissions.slice(1).map((p) => ({ name: p.name, description: "changed" })),
      ],
    },
    clients: [
      wrongClient("JOB", spec.importJob.name),
      wrongClient("JOB2", spec.importJob.name),
      wrongClient("APP", spec.testUser?.application.name ?? "none"),
      wrongClient("APP2", spec.testUser?.application.name ?? "none"),
      m2m({ clientId: "ROGUE", name: "Rogue" }),
    ],
    grants: [
      grant("g1", "JOB", api, ["delete:timesheets"]),
      grant("g2", "JOB", api, ["approve:timesheets"], "user"),
      grant("g3", "JOB", spec.tenant.managementApiAudience, ["read:users"]),
      grant("g4", "JOB", "https://other.example/api", ["x"]),
      grant("g5", "ROGUE", api, ["read:timesheets"]),
      grant("g6", "APP", api, ["delete:timesheets"], "user"),
    ],
    connection: {
      id: "con",
      name: spec.connection.name,
      strategy: "google-oauth2",
      passwordPolicy: "none",
      passwordOptions: undefined,
      bruteForceProtection: false,
      disableSignup: false,
    },
    enabledClients: ["ROGUE"],
    usersByEmail: new Map<string, readonly LiveUser[]>([
      ...(spec.testUser === undefined
        ? []
        : [
            [
              spec.testUser.email,
              [{ userId: "auth0|t", email: spec.testUser.email, emailVerified: false, connections: [spec.connection.name] }],
            ] as [string, LiveUser[]],
          ]),
      ...strayEmails.map(
        (email) =>
          [email, [{ userId: "auth0|stray", email, emailVerified: true, connections: [spec.connection.name] }]] as [string, LiveUser[]],
      ),
    ]),
    testUserRoles: {
      named: [
        {
          id: "rol_wrong",
          name: spec.testUser?.role?.name ?? "none",
          description: "changed",
          permissions: [{ audience: api, name: "approve:timesheets" }],
        },
      ],
      assigned: [
        {
          user: { userId: "auth0|t", email: spec.testUser?.email ?? "", emailVerified: false, connections: [spec.connection.name] },
          roles: [{ id: "rol_other", name: "Other" }],
        },
      ],
    },
  };
}

function findingsOf(spec: TenantSpec): Finding[] {
  const target = auditTarget(spec, specs);
  return [emptyTenant(), wrongTenant(spec, specs)].flatMap((tenant) => [...compareTenant(target, completeSnapshot(tenant)).findings]);
}

const PER_ROLE_ENV: Record<string, string> = {
  AUTH0_CLIENT_ID: "id",
  AUTH0_CLIENT_SECRET: "secret",
  PULUMI_BACKEND_URL: "file:///tmp/state",
  AUTH0_MANAGEMENT_TOKEN: "token",
};

/** A scratch `.local` per stack file run: an `eval` of local mode's role lines makes its tenant there. */
const scratch = mkdtempSync(path.join(tmpdir(), "printed-fixes-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const startedOnce = new Map<string, PrintedRun>();

/**
 * Runs a fix's commands in order, as printed, the way the text says: on a real tenant with the
 * variables it names set, on local mode's tenant with nothing but what its `eval` line sets.
 * Returns each command with what it did; an `npm run` command must be accepted by its script.
 */
async function runAsPrinted(spec: TenantSpec, fix: string) {
  const local = spec.environment === "local";
  const deletes: string[] = [];
  const pulumi: string[][] = [];
  const io: PrintedIo = {
    // A Management API token is the user's to bring on any tenant (the fix says which scope).
    env: local ? { LOCAL_AUTH0_PORT: "0", LOCAL_GATEWAY_PORT: "0", AUTH0_MANAGEMENT_TOKEN: "token" } : { ...PER_ROLE_ENV },
    localFolder: path.join(scratch, spec.stack),
    exec: (args) => {
      pulumi.push([...args]);
      return Promise.resolve(0);
    },
    fetch: (input, init) => {
      deletes.push(`${init?.method ?? "GET"} ${String(input)}`);
      return Promise.resolve(new Response(null, { status: 204 }));
    },
  };
  const ran: { command: string; printed: Printed; run: PrintedRun; pulumi: string[] | undefined }[] = [];
  for (const command of commandsIn(fix)) {
    const printed = parsePrinted(command);
    const before = pulumi.length;
    // Local mode started once per command is enough: it names no stack, and it is the slowest here.
    const once = printed.kind === "npm" && printed.script === "local";
    const run = (once ? startedOnce.get(command) : undefined) ?? (await runPrinted(command, io));
    if (once) startedOnce.set(command, run);
    ran.push({ command, printed, run, pulumi: pulumi.length > before ? pulumi.at(-1) : undefined });
  }
  return { ran, deletes, env: io.env };
}

/** Holds one printed command to working as printed, by kind. */
function expectWorks(spec: TenantSpec, fix: string, step: Awaited<ReturnType<typeof runAsPrinted>>["ran"][number]) {
  const { command, printed, run } = step;
  const output = `${command}\n${run.stdout}${run.stderr}`;
  expect(`${run.stdout}${run.stderr}`, command).not.toMatch(USAGE_ERROR);
  switch (printed.kind) {
    case "npm":
      expect(Object.keys(scripts), command).toContain(printed.script);
      if (printed.script === "up" || printed.script === "preview") {
        // The runner took it, with the credentials and backend the fix names, and handed it to Pulumi.
        expect(run.code, output).toBe(0);
        expect(step.pulumi?.slice(0, 3), command).toEqual([printed.script, "--stack", spec.stack]);
        expect(step.pulumi?.includes("--refresh"), command).toBe(printed.args.includes("--refresh"));
      } else if (printed.script !== "local") {
        // Past its arguments to the stack (nothing answers here: a report naming the stack or its tenant).
        expect(`${run.stdout}${run.stderr}`, output).toMatch(new RegExp(`${spec.stack}|${spec.tenant.domain.replace(/\./g, "\\.")}`));
      }
      // Where the command is a fix (the runbook's are not), it names the role's variables and the backend.
      if (spec.environment !== "local" && printed.script === "up" && fix !== "")
        expect(fix).toMatch(/AUTH0_CLIENT_ID and AUTH0_CLIENT_SECRET of the deployer.*PULUMI_BACKEND_URL/);
      break;
    case "eval":
      expect(run.code, output).toBe(0);
      expect(printed.inner.silent, command).toBe(true);
      expect(Object.keys(evaluatedExports(run.stdout)).sort(), command).toEqual(
        expect.arrayContaining([
          "AUTH0_CLIENT_ID",
          "AUTH0_CLIENT_SECRET",
          "AUTH0_DOMAIN",
          "PULUMI_BACKEND_URL",
          "PULUMI_CONFIG_PASSPHRASE",
        ]),
      );
      break;
    case "delete":
      expect(run.code, command).toBe(0);
      expect(printed.url, command).toMatch(
        new RegExp(`^https://${spec.tenant.domain.replace(/\./g, "\\.")}/api/v2/(clients|client-grants|users)/\\S+$`),
      );
      expect(fix).toMatch(/AUTH0_MANAGEMENT_TOKEN: a Management API token for \S+ with delete:(clients|client_grants|users)/);
      break;
    case "backend":
      // The runner's own default: Pulumi's commands then read the state npm run up wrote.
      expect(printed.url, command).toBe(`file://${LOCAL_STATE_DIR}`);
      break;
    case "pulumi":
      // Flags checked against the Pulumi CLI's --help (v3.248.0, built here): each names the stack.
      expect(printed.args, command).toEqual(expect.arrayContaining(["--stack", spec.stack]));
      expect(printed.args.join(" "), command).toMatch(
        /^(config set --secret timesheets:\w+ --stack \S+|stack change-secrets-provider "[a-z]+:\/\/[^"]+" --stack \S+|cancel --stack \S+ --yes)$/,
      );
      // `pulumi cancel` acts on whatever backend the shell is logged into: the line names the runner's.
      if (printed.args[0] === "cancel") expect(RUNNER_BACKENDS, command).toContain(printed.backend);
      break;
    case "stack-output":
      expect(printed.output, command).toMatch(/^(importJobClientId|testClientId)$/);
      expect(printed.stack).toBe(spec.stack);
      break;
  }
}

describe("the fixes the audit prints", () => {
  for (const spec of specs) {
    it(`${spec.stack}: every fix is a command of this repository, with flags it accepts, or a delete sent to ${spec.tenant.domain}`, async () => {
      const findings = findingsOf(spec);
      expect(findings.length).toBeGreaterThan(30);
      for (const fix of new Set(findings.map((finding) => finding.fix))) {
        expect(commandsIn(fix), fix).not.toEqual([]);
        expect(fix).not.toMatch(/(^|[^-])pulumi up/);
        const { ran } = await runAsPrinted(spec, fix);
        for (const step of ran) expectWorks(spec, fix, step);
      }
    });
  }
});

/**
 * Every export of stacks/fixes.ts, as the texts it prints for a stack. The type asks for every
 * export: one added there fails to compile (and the test below) until it is printed here too.
 */
const PRINTED: { readonly [K in keyof typeof fixes]: (spec: TenantSpec) => readonly string[] } = {
  FIX_COMMANDS: (spec) => FIX_COMMAND_NAMES.map((which) => fixes.runAs(spec, which)),
  runAs: (spec) => FIX_COMMAND_NAMES.map((which) => fixes.runAs(spec, which)),
  restore: (spec) => [fixes.restore(spec), fixes.restore(spec, "to set it back")],
  deleteCommand: (spec) => [fixes.deleteCommand(spec, "client-grants/cgr_1", "delete:client_grants")],
  keepOneClientFix: (spec) => [fixes.keepOneClientFix(spec, "importJobClientId", "KEPT", ["OTHER1", "OTHER2"])],
  driftFix: (spec) => [fixes.driftFix(spec)],
  neverDeployedFix: (spec) => [fixes.neverDeployedFix(spec)],
  verifyFailedFix: (spec) => [fixes.verifyFailedFix(spec)],
  adoptionSteps: (spec) => [fixes.adoptionSteps(spec)],
  duplicateClientsFix: (spec) => [fixes.duplicateClientsFix(spec, ["KEPT", "OTHER1", "OTHER2"])],
  missingCredentialsFix: (spec) =>
    (["deployer", "previewer"] as const).map((role) => fixes.missingCredentialsFix(spec, role, ["AUTH0_CLIENT_ID", "AUTH0_CLIENT_SECRET"])),
  LOCAL_RESET_FIX: () => [fixes.LOCAL_RESET_FIX],
  setSecretFix: (spec) => [fixes.setSecretFix(spec.stack, "timesheets:testUserPassword")],
  secretsProviderFix: (spec) => [fixes.secretsProviderFix(spec.stack, "azurekeyvault://vault.vault.azure.net/keys/pulumi?version=1")],
  localCheckFailedFix: () => [fixes.localCheckFailedFix()],
  clearLocksCommand: (spec) => RUNNER_BACKENDS.map((url) => fixes.clearLocksCommand(spec.stack, url)),
  // A preview's note names the update it speaks of; run with the deployer's variables (local mode's, as the runner says when they are missing).
  nextUp: (spec) => [
    `${spec.environment === "local" ? `${fixes.missingCredentialsFix(spec, "deployer", [])}; ` : ""}${fixes.nextUp(spec.stack)}`,
  ],
  interruptedCreatesFix: (spec) => [
    fixes.interruptedCreatesFix(spec),
    // Two import jobs and two grants, as an interrupted deploy and a retry leave them: each copy's delete.
    fixes.interruptedCreatesFix(spec, [
      [
        { path: "clients/job-1", deleteScope: "delete:clients" },
        { path: "clients/job-2", deleteScope: "delete:clients" },
      ],
      [
        { path: "client-grants/cgr_1", deleteScope: "delete:client_grants" },
        { path: "client-grants/cgr_2", deleteScope: "delete:client_grants" },
      ],
    ]),
  ],
  EPHEMERAL_STATE_FIX: () => [fixes.EPHEMERAL_STATE_FIX],
  policyConfigFix: (spec) => RUNNER_COMMANDS.map((command) => fixes.policyConfigFix(spec, command)),
  refusedFlagFix: (spec) =>
    RUNNER_COMMANDS.flatMap((command) => REFUSED_FLAGS.flatMap((flag) => fixes.refusedFlagFix(flag, command, spec.stack) ?? [])),
};
const RUNNER_COMMANDS = ["up", "preview"] as const;
/** The backends a lock is cleared on, as the runner names them: its default, a team's, a folder whose path needs quoting. */
const RUNNER_BACKENDS = [backendEnvironment({}).PULUMI_BACKEND_URL ?? "", "azblob://state", "file:///tmp/team's state"];
/** Every flag of `pulumi up` / `pulumi preview` (v3.248.0) the runner refuses with a reason of its own, long and short. */
const REFUSED_FLAGS = [
  ...["stack", "s", "config-file", "cwd", "C", "config", "c", "config-path", "yes", "y", "skip-preview", "f"],
  ...["refresh", "r", "policy-pack", "policy-pack-config", "secrets-provider"],
];
const FIX_COMMAND_NAMES = Object.keys(fixes.FIX_COMMANDS) as FixCommand[];

describe("every fix of every command (stacks/fixes.ts)", () => {
  it("each export of the module is printed here", () => {
    expect(Object.keys(PRINTED).sort()).toEqual(Object.keys(fixes).sort());
  });

  for (const spec of specs) {
    it(`${spec.stack}: each command works as printed, with the role it names`, async () => {
      for (const [name, print] of Object.entries(PRINTED)) {
        for (const fix of print(spec)) {
          // A fix without a command names variables to set (the runner's missing credentials on a real tenant, its
          // backend in automation), or where a refused flag's setting belongs: a file, the runner's own flag, a variable.
          if (commandsIn(fix).length === 0)
            expect(fix, name).toMatch(
              name === "refusedFlagFix"
                ? /Pulumi\.\S+\.yaml|the runner's --\w+|--no-policy-pack|policy\/config\/\S+\.json|PULUMI_SECRETS_PROVIDER|this repository|comes first|changes nothing/
                : /^set (AUTH0_\w+|PULUMI_BACKEND_URL)/,
            );
          const { ran } = await runAsPrinted(spec, fix);
          // A note is no fix: it names the command, not the role (the run it is printed in has the variables).
          for (const step of ran) expectWorks(spec, name === "nextUp" ? "" : fix, step);
        }
      }
    });
  }

  it("a fix on local mode's stack sets the role's variables with local mode's own line, then runs the command with them alone", async () => {
    const local = specs.find((spec) => spec.environment === "local");
    if (local === undefined) throw new Error("no stack in environment local");
    const { ran, env } = await runAsPrinted(local, fixes.driftFix(local));
    expect(ran.map((step) => step.printed.kind)).toEqual(["eval", "npm"]);
    expect(env.AUTH0_CLIENT_ID).toBeTruthy();
    expect(env.PULUMI_BACKEND_URL).toBe(`file://${path.join(scratch, local.stack, "state")}`);
    expect(ran[1]?.pulumi?.slice(0, 4)).toEqual(["up", "--stack", "local", "--refresh"]);
  });
});

describe("the recovery runbook (docs/runbooks.md, Recovering from drift)", () => {
  it("every update or preview it gives is a script of this repository, with flags the runner accepts, and refreshes first", async () => {
    const runbook = readFileSync(path.join(__dirname, "../../docs/runbooks.md"), "utf8");
    const section = runbook.slice(runbook.indexOf("## Recovering from drift"));
    const npmCommands = [...section.matchAll(/`(npm run (?:up|preview) [^`]+)`/g)].map((match) =>
      (match[1] ?? "").replace(/<stack>/g, "dev"),
    );
    expect(npmCommands.length).toBeGreaterThanOrEqual(3);
    const dev = specs.find((spec) => spec.stack === "dev");
    if (dev === undefined) throw new Error("no dev stack");
    for (const command of npmCommands) {
      const { ran } = await runAsPrinted(dev, `\`${command}\``);
      for (const step of ran) expectWorks(dev, "", step);
      expect(ran[0]?.pulumi, command).toContain("--refresh");
    }
  });
});
