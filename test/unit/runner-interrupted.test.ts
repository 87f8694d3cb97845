import { readFileSync } from "node:fs";
import { describe, expect, test } from "vitest";
import { completeSnapshot, type LiveClient } from "../../stacks/auth0/model";
import { settleInterruptedCreates, type InterruptedIo } from "../../stacks/runner-steps/interrupted";
import type { TenantAnswers } from "../../stacks/runner-steps/pending-decision";
import { loadStackSpec } from "../../stacks/stack-config";
import { m2m } from "../support/live-clients";

// The runner's step before an update, with the CLI and the tenant played by the test: what it
// hands Pulumi for a state that `pulumi stack export` shows with interrupted creates.

const spec = loadStackSpec("dev");
const JOB = "urn:pulumi:dev::timesheets::timesheets:auth0:ImportJob$auth0:index/client:Client::import-job-client";
const SECRET =
  "urn:pulumi:dev::timesheets::timesheets:auth0:ImportJob$random:index/randomPassword:RandomPassword::import-job-client-secret";

/** The shape `pulumi stack export` writes, with the given operations pending. */
const exported = (pending: { urn: string; type: string; inputs: Record<string, unknown> }[]) =>
  JSON.stringify({
    version: 3,
    deployment: {
      manifest: { time: "2026-12-06T04:00:00Z", magic: "", version: "v3.248.0" },
      secrets_providers: { type: "passphrase", state: { salt: "v1:abc" } },
      resources: [{ urn: "urn:pulumi:dev::timesheets::pulumi:pulumi:Stack::timesheets-dev", custom: false, type: "pulumi:pulumi:Stack" }],
      pending_operations: pending.map((resource) => ({ resource: { ...resource, custom: true }, type: "creating" })),
    },
  });

const jobCreate = { urn: JOB, type: "auth0:index/client:Client", inputs: { name: spec.importJob.name, appType: "non_interactive" } };
const secretCreate = { urn: SECRET, type: "random:index/randomPassword:RandomPassword", inputs: { length: 64 } };

const client = (clientId: string): LiveClient => m2m({ clientId, name: spec.importJob.name });

const tenantWith = (clients: LiveClient[]): TenantAnswers => ({
  query: { apiIdentifier: spec.api.identifier, connectionName: spec.connection.name, emails: [] },
  snapshot: completeSnapshot({
    resourceServer: undefined,
    clients,
    grants: [],
    connection: undefined,
    enabledClients: [],
    usersByEmail: new Map(),
    testUserRoles: { named: [], assigned: [] },
  }),
});

function harness(command: "up" | "preview", state: string, tenant: TenantAnswers | { error: string }, exportCode = 0) {
  const execs: string[][] = [];
  const imported: unknown[] = [];
  const lines: string[] = [];
  let lookUps = 0;
  const io: InterruptedIo = {
    command,
    spec,
    env: {},
    exec: (args) => {
      execs.push([...args]);
      if (args[1] === "import") imported.push(JSON.parse(readFileSync(args[args.indexOf("--file") + 1] as string, "utf8")));
      return Promise.resolve(0);
    },
    capture: () => Promise.resolve({ code: exportCode, stdout: state }),
    stderr: (line) => lines.push(line),
    lookUp: () => {
      lookUps += 1;
      return Promise.resolve(tenant);
    },
  };
  return { io, execs, imported, lines, lookUps: () => lookUps };
}

describe("before an update, the creates an interrupted deploy left pending", () => {
  test("the one client found is adopted into the state with its id and read, the secret's create dropped, before the update; the runner says so", async () => {
    const run = harness("up", exported([jobCreate, secretCreate]), tenantWith([client("job-1")]));
    expect(await settleInterruptedCreates(run.io)).toBeUndefined();
    expect(run.execs).toEqual([
      ["stack", "import", "--stack", "dev", "--file", expect.stringMatching(/dev\.json$/)],
      ["refresh", "--stack", "dev", "--yes", "--skip-preview", "--target", JOB],
    ]);
    expect(run.imported).toEqual([
      expect.objectContaining({
        version: 3,
        deployment: expect.objectContaining({
          secrets_providers: { type: "passphrase", state: { salt: "v1:abc" } },
          resources: [
            expect.objectContaining({ type: "pulumi:pulumi:Stack" }),
            { urn: JOB, custom: true, type: "auth0:index/client:Client", inputs: jobCreate.inputs, id: "job-1" },
          ],
          pending_operations: [],
        }),
      }),
    ]);
    expect(run.lines).toEqual([
      `adopted: import-job-client (non_interactive client "${spec.importJob.name}"), the tenant's job-1, left by an interrupted deploy (not created again)`,
      expect.stringMatching(
        /^cleared: the interrupted create of import-job-client-secret \(it makes no object of its own.*\); this update creates it once$/,
      ),
    ]);
  });

  test("two clients of the name: the update is refused in one line naming both and how to settle it, and nothing runs", async () => {
    const run = harness("up", exported([jobCreate]), tenantWith([client("job-1"), client("job-2")]));
    expect(await settleInterruptedCreates(run.io)).toBe(1);
    expect(run.execs).toEqual([]);
    expect(run.lines).toHaveLength(1);
    expect(run.lines[0]).toMatch(
      /^error: the last deploy of dev was interrupted .*the tenant holds 2: job-1, job-2\. Nothing was changed\./,
    );
    // Each copy's delete, on the stack's own tenant, with the scope it needs; then the update that adopts the one left.
    expect(run.lines[0]).toContain("keep the one in use and delete the others (each copy's delete: ");
    for (const id of ["job-1", "job-2"])
      expect(run.lines[0]).toContain(
        `-X DELETE -H "Authorization: Bearer $AUTH0_MANAGEMENT_TOKEN" https://${spec.tenant.domain}/api/v2/clients/${id}\``,
      );
    expect(run.lines[0]).toContain("with delete:clients");
    expect(run.lines[0]).toContain(`\`npm run up -- --stack dev\``);
    expect(run.lines[0]).toContain(JOB);
    expect(run.lines[0]).not.toContain("\n");
  });

  test("a tenant that cannot be asked refuses the update; a preview only warns", async () => {
    const up = harness("up", exported([jobCreate]), {
      error: "no Management API token for dev (AUTH0_CLIENT_ID/AUTH0_CLIENT_SECRET): 401",
    });
    expect(await settleInterruptedCreates(up.io)).toBe(1);
    expect(up.execs).toEqual([]);
    expect(up.lines).toEqual([
      expect.stringMatching(/^error: .*could not be asked which exist: no Management API token .*; nothing was changed$/),
    ]);
    const preview = harness("preview", exported([jobCreate]), { error: "timeout" });
    expect(await settleInterruptedCreates(preview.io)).toBeUndefined();
    expect(preview.lines).toEqual([expect.stringMatching(/^warning: .*the next `npm run up -- --stack dev` refuses until it can$/)]);
  });

  test("a preview writes nothing and says what the next up adopts and creates", async () => {
    const run = harness("preview", exported([jobCreate, secretCreate]), tenantWith([client("job-1")]));
    expect(await settleInterruptedCreates(run.io)).toBeUndefined();
    expect(run.execs).toEqual([]);
    expect(run.lines).toEqual([
      expect.stringMatching(
        /^note: interrupted create of import-job-client .*: the next `npm run up -- --stack dev` adopts the tenant's job-1$/,
      ),
      expect.stringMatching(
        /^note: interrupted create of import-job-client-secret: .*the next `npm run up -- --stack dev` creates it once$/,
      ),
    ]);
  });

  test("nothing pending: the tenant is not asked and nothing runs; a state that cannot be read stops the update", async () => {
    const clean = harness("up", exported([]), tenantWith([]));
    expect(await settleInterruptedCreates(clean.io)).toBeUndefined();
    expect([clean.execs, clean.lines, clean.lookUps()]).toEqual([[], [], 0]);
    const fresh = harness("up", JSON.stringify({ version: 3, deployment: {} }), tenantWith([]));
    expect(await settleInterruptedCreates(fresh.io)).toBeUndefined();
    const unreadable = harness("up", "", tenantWith([]), 255);
    expect(await settleInterruptedCreates(unreadable.io)).toBe(1);
    expect(unreadable.lines).toEqual([
      expect.stringMatching(/^error: the state of dev could not be read \(`pulumi stack export` exit 255\)/),
    ]);
  });
});
