import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadStackSpec } from "../../stacks/stack-config";
import { type Auth0StandIn } from "../../local/auth0";
import { startAuth0StandIn } from "../support/stand-in";
import { FakeClock, hostileFetch, type Rule } from "./audit-answers";
import { auditorEnv, jsonReport, runAudit, seedTenant } from "./audit-seed";

// No answer of any size or speed crashes the audit or keeps it past --timeout: what is read
// of one answer is bounded, and so is the work of saying what does not fit.

const dev = loadStackSpec("dev");
const BUDGET = 30;

let standIn: Auth0StandIn;
let env: Record<string, string>;

beforeAll(async () => {
  standIn = await startAuth0StandIn({ domain: dev.tenant.domain });
  await seedTenant(standIn, dev);
  env = await auditorEnv(standIn);
});
afterAll(async () => standIn.close());

async function audit(rules: readonly Rule[]) {
  const clock = new FakeClock();
  const hostile = hostileFetch(standIn.fetch, rules, () => clock.advance((BUDGET + 1) * 1000));
  const run = await runAudit(
    ["--stack", "dev", "--format", "json", "--retries", "0", "--timeout", String(BUDGET)],
    env,
    hostile.fetch,
    clock,
  );
  const report = jsonReport(run);
  const stack = report.stacks[0];
  return { code: run.code, reasons: stack?.notChecked.flatMap((n) => n.reasons) ?? [], error: stack?.error, applied: hostile.applied };
}

const json = (text: string) => ({ kind: "body", text, contentType: "application/json" }) as const;

describe("answers of any size", () => {
  it("64 MiB of clients, not announced: read up to 4 MiB, then exit 1 naming the read", async () => {
    const result = await audit([{ path: "/api/v2/clients", fault: { kind: "huge", bytes: 64 << 20, announce: false } }]);
    expect(result.code).toBe(1);
    expect(result.reasons).toContain(
      `GET /api/v2/clients: ${dev.tenant.domain} answered more than 4 MiB, more than any answer it should give; not read further`,
    );
  });

  it("an announced 1 GiB answer is refused unread", async () => {
    const result = await audit([{ path: "/api/v2/client-grants", fault: { kind: "huge", bytes: 1 << 30, announce: true } }]);
    expect(result.code).toBe(1);
    expect(result.reasons).toContain(
      `GET /api/v2/client-grants: ${dev.tenant.domain} announced an answer of 1024 MiB, more than the 4 MiB read of one answer; not read`,
    );
  });

  it("a token answer of 64 MiB: exit 1, the token request named", async () => {
    const result = await audit([{ path: "/oauth/token", fault: { kind: "huge", bytes: 64 << 20, announce: false } }]);
    expect(result.code).toBe(1);
    expect(result.error).toMatch(/POST \/oauth\/token: .* answered more than 4 MiB/);
  });

  it("half a million wrong items in one page: exit 1 before they are parsed one by one", async () => {
    const items = `[${Array.from({ length: 500_000 }, () => "0").join(",")}]`;
    const result = await audit([
      { path: "/api/v2/clients", fault: json(`{"start":0,"limit":100,"total":500000,"clients":${items}}`) },
      { path: "/api/v2/users-by-email", fault: json(items) },
    ]);
    expect(result.code).toBe(1);
    expect(result.reasons.join("\n")).toMatch(/GET \/api\/v2\/clients: the answer does not fit what is read from it: clients: Too big/);
    expect(result.reasons.join("\n")).toMatch(
      /GET \/api\/v2\/users-by-email: the answer does not fit what is read from it: the answer: Too big/,
    );
  });

  it("a body that starts and never ends: exit 1 when the budget is spent, not a process that outlives --timeout", async () => {
    const result = await audit([{ path: "/api/v2/clients", fault: { kind: "stall" } }]);
    expect(result.code).toBe(1);
    expect(result.reasons).toContain(`GET /api/v2/clients: no answer within ${BUDGET} s (--timeout ${BUDGET})`);
  });

  it("any size and shape of body on any read: never a crash, exit 0 only when nothing was bent", async () => {
    const paths = ["/api/v2/clients", "/api/v2/client-grants", "/api/v2/connections", "/api/v2/users-by-email", "/oauth/token"];
    const body = fc.oneof(
      fc.record({ kind: fc.constant("huge" as const), bytes: fc.integer({ min: 4 << 20, max: 48 << 20 }), announce: fc.boolean() }),
      fc.integer({ min: 101, max: 50_000 }).map((n) => json(`[${Array.from({ length: n }, () => '{"id":1}').join(",")}]`)),
      fc.constant({ kind: "stall" as const }),
    );
    await fc.assert(
      fc.asyncProperty(fc.record({ path: fc.constantFrom(...paths), fault: body }), async (rule) => {
        const result = await audit([rule]);
        expect(result.code).toBe(result.applied.length === 0 ? 0 : 1);
      }),
      { seed: 2002, numRuns: 15, endOnFailure: true },
    );
  });
});
