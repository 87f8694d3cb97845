import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { main } from "../../stacks/audit/main";
import type { StackAudit } from "../../stacks/audit/report";
import { loadStackSpec } from "../../stacks/stack-config";
import { type Auth0StandIn } from "../../local/auth0";
import { startAuth0StandIn } from "../support/stand-in";
import { duplicateImportJob, FakeClock, fillTwoPages, hostileFetch, rogueGrant, type Fault, type Rule } from "./audit-answers";
import { auditorEnv, managementApi, rbacDevRoot, seedTenant } from "./audit-seed";

// The audit's promise as a property: whatever Auth0 answers, the audit never crashes, exits 0
// only when every read succeeded and the tenant is as the code says, and never exits 0 on a
// drifted tenant. Answers are corrupted at random, per call; time is fake (a request left
// unanswered moves it past the budget), so no run waits.

// dev with RBAC: every read of dev, and those of the test user's role.
const root = rbacDevRoot();
const dev = loadStackSpec("dev", root);
const BUDGET_SECONDS = 30;
const RS_PATH = `/api/v2/resource-servers/${encodeURIComponent(dev.api.identifier)}`;

interface Tenant {
  readonly standIn: Auth0StandIn;
  readonly env: Record<string, string>;
}
let clean: Tenant;
let drifted: Tenant;

async function tenant(drift: boolean): Promise<Tenant> {
  const standIn = await startAuth0StandIn({ domain: dev.tenant.domain });
  const seeded = await seedTenant(standIn, dev);
  // Two pages of clients and of grants, so that a page other than the first can go wrong.
  await fillTwoPages(standIn);
  if (drift) {
    await duplicateImportJob(standIn, dev);
    await rogueGrant(standIn, dev);
    // The test user's role holds a permission more than the test user's.
    await managementApi(standIn)("POST", `/roles/${seeded.testUserRole?.roleId ?? ""}/permissions`, {
      permissions: [{ resource_server_identifier: dev.api.identifier, permission_name: "approve:timesheets" }],
    });
  }
  return { standIn, env: await auditorEnv(standIn) };
}

beforeAll(async () => {
  [clean, drifted] = await Promise.all([tenant(false), tenant(true)]);
});
afterAll(async () => {
  await Promise.all([clean.standIn.close(), drifted.standIn.close()]);
});

/** A fault, and whether it always leaves the answer unusable (else it may pass for a real tenant's answer). */
interface Corruption {
  readonly fault: Fault;
  readonly breaks: boolean;
}

type Json = Record<string, unknown>;
const listKey = (body: Json): string | undefined => Object.keys(body).find((key) => Array.isArray(body[key]));
const onList = (edit: (list: unknown[], body: Json) => Json) => (body: unknown) => {
  if (Array.isArray(body)) return edit(body, {}).list ?? body;
  const record = body as Json;
  const key = listKey(record);
  return key === undefined ? { ...record, id: 42 } : edit(record[key] as unknown[], record);
};

// Changes to a JSON answer that break it: a page that no longer adds up, a field of the wrong type.
const shapeEdits: fc.Arbitrary<Corruption> = fc
  .constantFrom(
    (body: unknown) => (Array.isArray(body) ? { users: body } : []),
    onList((list, body) => {
      const key = listKey(body);
      return key === undefined ? { list: "not a list" } : { ...body, [key]: "not a list" };
    }),
    onList((list, body) => {
      const key = listKey(body);
      return key === undefined ? { list: [...list, null] } : { ...body, [key]: [...list, null] };
    }),
    onList((list, body) => {
      const key = listKey(body);
      return key === undefined
        ? { list: [42, ...list] }
        : { ...body, [key]: [{ ...(list[0] as Json), client_id: 7, id: 7, user_id: 7, permission_name: 7 }, ...list.slice(1)] };
    }),
    (body: unknown) => (Array.isArray(body) ? null : { ...(body as Json), identifier: 404, id: null, start: "0", name: 7 }),
  )
  .map((edit) => ({ fault: { kind: "json", edit }, breaks: true }) as const);

// Changes to a paged answer that keep its shape but no longer add up: emptied, shortened, duplicated, a total that moved.
const pageEdits = (path: string): fc.Arbitrary<Rule> =>
  fc
    .record({
      page: fc.constantFrom(0, 1),
      edit: fc.constantFrom(
        () => [],
        (list: unknown[]) => list.slice(1),
        (list: unknown[]) => [list[0], ...list.slice(0, -1)],
      ),
      total: fc.constantFrom(0, 1, -1),
    })
    .filter(({ edit, total }) => total !== 0 || edit.length >= 0)
    .map(({ page, edit, total }) => ({
      path,
      page,
      fault: {
        kind: "json",
        edit: (body: unknown) => {
          const record = body as Json;
          const key = listKey(record) ?? "list";
          return { ...record, total: Number(record.total) + total, [key]: edit(record[key] as unknown[]) };
        },
      },
    }));

const HTML = "<!DOCTYPE html><html><head><title>502</title></head><body>Bad gateway</body></html>";

const corruption: fc.Arbitrary<Corruption> = fc.oneof(
  fc.constantFrom(400, 401, 403, 404, 408, 409, 418, 429, 500, 502, 503, 504).map((status) => ({
    fault: { kind: "status", status } as const,
    breaks: true,
  })),
  fc.constantFrom(HTML, "", "null", "[]", "{}", '"ok"', "42").map((text) => ({
    fault: { kind: "body", text, contentType: text.startsWith("<") ? "text/html" : "application/json" } as const,
    breaks: true,
  })),
  fc.double({ min: 0, max: 0.95, noNaN: true }).map((keep) => ({ fault: { kind: "truncate", keep } as const, breaks: true })),
  fc.constant({ fault: { kind: "refuse" } as const, breaks: true }),
  fc.constant({ fault: { kind: "hang" } as const, breaks: true }),
  shapeEdits,
);

const PATHS: readonly (string | RegExp)[] = [
  RS_PATH,
  "/api/v2/clients",
  "/api/v2/client-grants",
  "/api/v2/connections",
  /^\/api\/v2\/connections\/[^/]+\/clients$/,
  "/api/v2/users-by-email",
  "/api/v2/roles",
  /^\/api\/v2\/roles\/[^/]+\/permissions$/,
  /^\/api\/v2\/users\/[^/]+\/roles$/,
  "/oauth/token",
];

interface Scenario {
  readonly rules: readonly Rule[];
  /** Every rule's fault leaves its answer unusable: a fault that fires must end in exit 1. */
  readonly allBreak: boolean;
  /**
   * Some fault may leave a usable answer: extra or odd fields in the token endpoint's answer
   * (the SDK reads only access_token from it). Then exit 0 is a right answer too.
   */
  readonly mayPass: boolean;
}

const tokenEdit = (path: string | RegExp, fault: Fault): boolean => path === "/oauth/token" && fault.kind === "json";

const scenario: fc.Arbitrary<Scenario> = fc.oneof(
  // Any call answered badly, from its first or a later attempt, one to three of them.
  fc
    .array(
      fc.record({ path: fc.constantFrom(...PATHS), from: fc.constantFrom(0, 0, 1), page: fc.constantFrom(undefined, 0, 1), corruption }),
      { minLength: 1, maxLength: 3 },
    )
    .map((picked) => ({
      rules: picked.map(({ path, from, page, corruption: c }) => ({
        path,
        from,
        ...(page !== undefined && (path === "/api/v2/clients" || path === "/api/v2/client-grants") ? { page } : {}),
        fault: c.fault,
      })),
      // A 404 for the API means it is gone (a finding); for any list it is an error.
      allBreak: picked.every(
        ({ path, corruption: c }) =>
          c.breaks && !(path === RS_PATH && c.fault.kind === "status" && c.fault.status === 404) && !tokenEdit(path, c.fault),
      ),
      mayPass: picked.some(({ path, corruption: c }) => tokenEdit(path, c.fault)),
    })),
  // A page of a list that keeps its shape but does not add up.
  fc
    .constantFrom("/api/v2/clients", "/api/v2/client-grants")
    .chain((path) => pageEdits(path).map((rule) => ({ rules: [rule], allBreak: true, mayPass: false }))),
  // The token stops working in the middle of the run.
  fc.nat({ max: 8 }).map((from) => ({
    rules: [{ path: /^\/api\/v2\//, from, fault: { kind: "status", status: 401 } as const }],
    allBreak: true,
    mayPass: false,
  })),
);

async function auditWith(target: Tenant, rules: readonly Rule[]) {
  const clock = new FakeClock();
  const hostile = hostileFetch(target.standIn.fetch, rules, () => clock.advance((BUDGET_SECONDS + 1) * 1000));
  let stdout = "";
  const code = await main(["--stack", "dev", "--format", "json", "--retries", "0", "--timeout", String(BUDGET_SECONDS)], target.env, {
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: () => true },
    fetch: hostile.fetch,
    clock,
    root,
  });
  const report = JSON.parse(stdout) as { exitCode: number; stacks: StackAudit[] };
  return { code, report, applied: hostile.applied };
}

describe("the audit's verdict, whatever Auth0 answers", () => {
  it("a clean tenant: exit 0 only when no answer was corrupted; a corrupted answer is exit 1 (or a finding it cannot tell from one), never a crash", async () => {
    await fc.assert(
      fc.asyncProperty(scenario, async ({ rules, allBreak, mayPass }) => {
        const { code, report, applied } = await auditWith(clean, rules);
        expect(report.exitCode).toBe(code);
        expect([0, 1, 2]).toContain(code);
        if (applied.length === 0) expect(code).toBe(0);
        else if (allBreak) expect(code).toBe(1);
        else if (!mayPass) expect(code).not.toBe(0);
        // Whatever went wrong is said in words: no JavaScript error text in the report.
        const said = JSON.stringify(report);
        expect(said).not.toMatch(/is not a function|Cannot read propert|undefined \(reading|no status|\[object Object\]/);
      }),
      { seed: 1101, numRuns: 40, endOnFailure: true },
    );
  });

  it("a drifted tenant: never exit 0, however its answers are corrupted", async () => {
    await fc.assert(
      fc.asyncProperty(scenario, async ({ rules, allBreak }) => {
        const { code, applied } = await auditWith(drifted, rules);
        expect(code).not.toBe(0);
        if (applied.length === 0) expect(code).toBe(2);
        else if (allBreak) expect(code).toBe(1);
      }),
      { seed: 1102, numRuns: 30, endOnFailure: true },
    );
  });
});
