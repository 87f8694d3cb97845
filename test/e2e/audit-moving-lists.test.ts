import fc from "fast-check";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { loadStackSpec } from "../../stacks/stack-config";
import { type Auth0StandIn } from "../../local/auth0";
import { startAuth0StandIn } from "../support/stand-in";
import { auditorEnv, jsonReport, runAudit, seedTenant } from "./audit-seed";
import { managementApi } from "./verify-seed";

// A list that changes while it is read must not hide an item that was there all along: such
// a change is either detected (exit 1) or cannot hide anything. The tenant is changed between
// two pages of the audit's own reads, as another operator would.

const dev = loadStackSpec("dev");
const OTHER_API = "https://reports.example/api";
let standIn: Auth0StandIn;

beforeAll(async () => {
  standIn = await startAuth0StandIn({ domain: dev.tenant.domain });
});
afterAll(async () => standIn.close());
beforeEach(async () => {
  standIn.reset();
  await seedTenant(standIn, dev);
  await standIn.createResourceServer({ name: "Reports", identifier: OTHER_API, scopes: [{ value: "read:reports" }] });
});

const management = () => managementApi(standIn);

async function filler(n: number): Promise<string> {
  const app = await standIn.createClient({ name: `Filler ${n}`, app_type: "non_interactive", grant_types: ["client_credentials"] });
  await standIn.createClientGrant({ client_id: app.client_id, audience: OTHER_API, scope: ["read:reports"] });
  return app.client_id;
}

/** Runs `change` once, right after the audit's first answer from `path`. */
function changingAfterFirst(path: string, change: () => Promise<void>): typeof fetch {
  let done = false;
  return async (input, init) => {
    const response = await standIn.fetch(input, init);
    const url = new URL(input instanceof Request ? input.url : String(input));
    if (!done && url.pathname === path) {
      done = true;
      await change();
    }
    return response;
  };
}

async function audit(fetchFn: typeof fetch) {
  const run = await runAudit(["--stack", "dev", "--format", "json"], await auditorEnv(standIn), fetchFn);
  const stack = jsonReport(run).stacks[0];
  return { code: run.code, kinds: (stack?.findings ?? []).map((f) => f.kind), reasons: stack?.notChecked.flatMap((n) => n.reasons) ?? [] };
}

describe("a list that changes while it is read", () => {
  it("a grant deleted and another created between two pages cannot shift a rogue grant out of sight: exit 2", async () => {
    // The rogue grant is the first of the second page in the order grants were made; a delete on
    // page one and a create at the end would move it onto page one, already read, total unchanged.
    const fillers: string[] = [];
    for (let n = 0; standIn.tenant.clientGrants.size < 100; n += 1) fillers.push(await filler(n));
    const rogue = await standIn.createClient({ name: "Rogue", app_type: "non_interactive", grant_types: ["client_credentials"] });
    await standIn.createClientGrant({ client_id: rogue.client_id, audience: dev.api.identifier, scope: ["delete:timesheets"] });
    const spare = await standIn.createClient({ name: "Spare", app_type: "non_interactive", grant_types: ["client_credentials"] });
    // Only grants change (the clients stay as they are): one deleted on page one, one created at the end.
    const fetchFn = changingAfterFirst("/api/v2/client-grants", async () => {
      const gone = standIn.tenant.grantFor(fillers[0] ?? "", OTHER_API);
      await management()("DELETE", `/client-grants/${gone?.id ?? ""}`);
      await management()("POST", "/client-grants", { client_id: spare.client_id, audience: OTHER_API, scope: ["read:reports"] });
    });
    const result = await audit(fetchFn);
    expect(result.code).toBe(2);
    expect(result.kinds).toContain("grant.unmanaged-client");
  });

  it("a client deleted and another created between two pages of clients: detected, exit 1", async () => {
    const fillers: string[] = [];
    for (let n = 0; standIn.tenant.clients.size < 105; n += 1) fillers.push(await filler(n));
    const fetchFn = changingAfterFirst("/api/v2/clients", async () => {
      await management()("DELETE", `/clients/${fillers[0] ?? ""}`);
      await filler(1000);
    });
    const result = await audit(fetchFn);
    expect(result.code).toBe(1);
    expect(result.reasons.join("\n")).toMatch(
      /GET \/api\/v2\/clients: the list changed while it was read \(between two reads: 1 gone .*1 new/,
    );
  });

  it("any deletes and creates between any two reads: a drifted tenant never exits 0", async () => {
    for (let n = 0; standIn.tenant.clients.size < 120; n += 1) await filler(n);
    const rogue = await standIn.createClient({ name: "Rogue", app_type: "non_interactive", grant_types: ["client_credentials"] });
    await standIn.createClientGrant({ client_id: rogue.client_id, audience: dev.api.identifier, scope: ["delete:timesheets"] });
    await standIn.createClient({ name: dev.importJob.name, app_type: "non_interactive", grant_types: ["client_credentials"] });
    let made = 2000;
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ after: fc.nat({ max: 8 }), deletes: fc.nat({ max: 3 }), creates: fc.nat({ max: 3 }) }), { maxLength: 3 }),
        async (changes) => {
          let calls = 0;
          const fetchFn: typeof fetch = async (input, init) => {
            const response = await standIn.fetch(input, init);
            const url = new URL(input instanceof Request ? input.url : String(input));
            if (url.pathname === "/api/v2/clients" || url.pathname === "/api/v2/client-grants") {
              for (const change of changes.filter((c) => c.after === calls)) {
                const fillersNow = [...standIn.tenant.clients.values()].filter((c) => c.name.startsWith("Filler")).map((c) => c.client_id);
                for (const id of fillersNow.slice(0, change.deletes)) await management()("DELETE", `/clients/${id}`);
                for (let i = 0; i < change.creates; i += 1) await filler((made += 1));
              }
              calls += 1;
            }
            return response;
          };
          const result = await audit(fetchFn);
          expect(result.code).not.toBe(0);
          if (result.code === 2) expect(result.kinds).toEqual(expect.arrayContaining(["grant.unmanaged-client", "import-job.duplicated"]));
        },
      ),
      { seed: 2004, numRuns: 12, endOnFailure: true },
    );
  });
});
