import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import type { TenantSpec } from "../../infra/config/spec";
import { compareTenant } from "../../stacks/audit/compare";
import type { Finding } from "../../stacks/audit/findings";
import { auditTarget } from "../../stacks/audit/target";
import { NO_ROLES, completeSnapshot, type LiveTenant, type LiveUser } from "../../stacks/auth0/model";
import { main as runner, renderCheck, type StackCheck } from "../../stacks/runner";
import { listStacks, loadStackSpec } from "../../stacks/stack-config";
import { m2m } from "../support/live-clients";

// Every fix the audit prints is a command that fixes its finding when run as written: an npm
// script this repository has, with flags it accepts (an update that refreshes first, since an
// update without refresh compares with state and leaves drift in place), or a Management API
// delete sent to the stack's own tenant, its token's scope named.

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

const commands = (fix: string): string[] => [...fix.matchAll(/`([^`]+)`/g)].map((match) => match[1] ?? "");

// The real stack file check (the render's), once per stack.
const checked = new Map<string, ReturnType<StackCheck>>();
const checkStack: StackCheck = (stack, root) => {
  const found = checked.get(stack) ?? renderCheck(stack, root);
  checked.set(stack, found);
  return found;
};

async function runnerAccepts(argv: string[]): Promise<{ code: number; pulumi: string[][] }> {
  const pulumi: string[][] = [];
  const code = await runner(argv, {
    env: { AUTH0_CLIENT_ID: "deployer", AUTH0_CLIENT_SECRET: "secret", PULUMI_BACKEND_URL: "file:///tmp/state" },
    stderr: () => undefined,
    exec: (args) => {
      pulumi.push([...args]);
      return Promise.resolve(0);
    },
    capture: () => Promise.resolve({ code: 0, stdout: '{"deployment":{"resources":[]}}' }),
    cliInstalled: () => true,
    checkStack,
  });
  return { code, pulumi };
}

describe("the fixes the audit prints", () => {
  for (const spec of specs) {
    it(`${spec.stack}: every fix is a command of this repository, with flags it accepts, or a delete sent to ${spec.tenant.domain}`, async () => {
      const findings = findingsOf(spec);
      expect(findings.length).toBeGreaterThan(30);
      for (const finding of findings) {
        const said = commands(finding.fix);
        expect(said, `${finding.kind}: ${finding.fix}`).not.toEqual([]);
        expect(finding.fix, finding.kind).not.toMatch(/(^|[^-])pulumi up/);
        for (const command of said) {
          const npm = /^npm run (\S+) -- (.+)$/.exec(command);
          if (npm) {
            const [, script = "", args = ""] = npm;
            expect(Object.keys(scripts), command).toContain(script);
            expect(script).toBe("up");
            const run = await runnerAccepts(["up", ...args.split(" ")]);
            expect(run.code, command).toBe(0);
            expect(run.pulumi.at(-1)?.slice(0, 4)).toEqual(["up", "--stack", spec.stack, "--refresh"]);
            // The credentials and the backend it runs with are named.
            expect(finding.fix).toMatch(/AUTH0_CLIENT_ID and AUTH0_CLIENT_SECRET of the deployer.*PULUMI_BACKEND_URL/);
          } else if (command.startsWith("curl ")) {
            expect(command).toMatch(
              new RegExp(
                `^curl -fsS -X DELETE -H "Authorization: Bearer \\$AUTH0_MANAGEMENT_TOKEN" https://${spec.tenant.domain.replace(/\./g, "\\.")}/api/v2/(clients|client-grants|users)/\\S+$`,
              ),
            );
            expect(finding.fix).toMatch(/AUTH0_MANAGEMENT_TOKEN: a Management API token for \S+ with delete:(clients|client_grants|users)/);
          } else {
            expect(command, finding.kind).toMatch(/^pulumi stack output (importJobClientId|testClientId) --stack /);
          }
        }
      }
    });
  }
});

describe("the recovery runbook (docs/runbooks.md, Recovering from drift)", () => {
  it("every update or preview it gives is a script of this repository, with flags the runner accepts, and refreshes first", async () => {
    const runbook = readFileSync(path.join(__dirname, "../../docs/runbooks.md"), "utf8");
    const section = runbook.slice(runbook.indexOf("## Recovering from drift"));
    const npmCommands = [...section.matchAll(/`(npm run (?:up|preview) [^`]+)`/g)].map((match) =>
      (match[1] ?? "").replace(/<stack>/g, "dev"),
    );
    expect(npmCommands.length).toBeGreaterThanOrEqual(3);
    for (const command of npmCommands) {
      const [, script = "", args = ""] = /^npm run (\S+) -- (.+)$/.exec(command) ?? [];
      expect(Object.keys(scripts), command).toContain(script);
      expect(["up", "preview"]).toContain(script);
      const run = await runnerAccepts([script, ...args.split(" ")]);
      expect(run.code, command).toBe(0);
      expect(run.pulumi.at(-1), command).toContain("--refresh");
    }
  });
});
