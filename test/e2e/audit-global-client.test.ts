import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { main as adoptMain } from "../../stacks/adopt";
import { loadStackSpec } from "../../stacks/stack-config";
import { type Auth0StandIn } from "../../local/auth0";
import { startAuth0StandIn } from "../support/stand-in";
import { auditorEnv, jsonReport, runAudit, seedTenant, type SeededTenant } from "./audit-seed";

// The tenant's global client ("All Applications") is in every tenant and in no stack's code: the
// audit and adopt read the tenant's applications (`is_global=false`) and drop a global client an
// answer holds anyway. So a tenant as the program leaves it audits clean wherever an answer puts
// the global client, and whatever it is called, even by the import job's name.

const dev = loadStackSpec("dev");
let standIn: Auth0StandIn;
let seeded: SeededTenant;
let env: Record<string, string>;

beforeAll(async () => {
  standIn = await startAuth0StandIn({ domain: dev.tenant.domain });
  seeded = await seedTenant(standIn, dev);
  env = await auditorEnv(standIn);
});
afterAll(() => standIn.close());

interface Listing {
  /** Whether the answer holds the global client (an Auth0 that ignored `is_global=false`). */
  readonly holdsGlobal: boolean;
  /** Where the global client goes in the answer, as a share of its length. */
  readonly at: number;
  /** The order of the other clients: sort keys, one per client. */
  readonly order: readonly number[];
}

/**
 * A fetch that answers the clients list as an Auth0 listing the global client anywhere might:
 * the stand-in's real answer to the same call without `is_global`, its items reordered.
 */
function listingFetch(listing: Listing): typeof fetch {
  return async (input, init) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    if (url.pathname !== "/api/v2/clients" || !listing.holdsGlobal) return standIn.fetch(input, init);
    url.searchParams.delete("is_global");
    const real = (await (await standIn.fetch(url, init)).json()) as { total: number; clients: Array<{ global?: boolean }> };
    const global = real.clients.filter((client) => client.global === true);
    const others = real.clients
      .filter((client) => client.global !== true)
      .map((client, index) => ({ client, key: listing.order[index % listing.order.length] ?? 0 }))
      .sort((a, b) => a.key - b.key)
      .map(({ client }) => client);
    const position = Math.floor(listing.at * (others.length + 1));
    const clients = [...others.slice(0, position), ...global, ...others.slice(position)];
    return Response.json({ ...real, clients });
  };
}

const listing: fc.Arbitrary<Listing> = fc.record({
  holdsGlobal: fc.boolean(),
  at: fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
  order: fc.array(fc.nat(100), { minLength: 1, maxLength: 6 }),
});

describe("the global client is never drift", () => {
  it("a tenant as the program leaves it audits clean, wherever the global client is listed and whatever its name", async () => {
    const global = standIn.tenant.globalClient();
    if (global === undefined) throw new Error("the local tenant has no global client");
    try {
      await fc.assert(
        fc.asyncProperty(
          listing,
          fc.constantFrom("All Applications", dev.importJob.name, dev.testUser?.application.name ?? "All Applications"),
          async (answer, name) => {
            // Auth0 names it itself; a name a stack declares is the hardest case for a search by name.
            global.name = name;
            const run = await runAudit(["--stack", "dev", "--format", "json"], env, listingFetch(answer));
            const [stack] = jsonReport(run).stacks;
            expect(stack?.notChecked).toEqual([]);
            expect(stack?.findings).toEqual([]);
            expect(run.code).toBe(0);
          },
        ),
        { seed: 20261203, numRuns: 12 },
      );
    } finally {
      global.name = "All Applications";
    }
  });

  it("adopt takes the import job, not a global client of the same name", async () => {
    const global = standIn.tenant.globalClient();
    if (global === undefined) throw new Error("the local tenant has no global client");
    global.name = dev.importJob.name;
    const out: string[] = [];
    const err: string[] = [];
    const code = await adoptMain(["--stack", "dev"], env, {
      stdout: (text) => out.push(text),
      stderr: (text) => err.push(text),
      fetch: listingFetch({ holdsGlobal: true, at: 0, order: [0] }),
    }).finally(() => {
      global.name = "All Applications";
    });
    expect(err.join("\n")).not.toMatch(/clients are named/);
    expect(code).toBe(0);
    expect(out.join("\n")).toContain(`importJobClientId: ${seeded.importJobClientId}`);
  });
});
