import { ManagementClient } from "auth0";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { loadStackSpec } from "../../stacks/stack-config";
import { countRequests, type Auth0StandIn } from "../../local/auth0";
import { startAuth0StandIn } from "../support/stand-in";
import { AUDITOR_SCOPES, auditorEnv, jsonReport, runAudit, seedTenant } from "./audit-seed";

// What the audit does when Auth0 does not simply answer: missing scopes, rate limits, server
// errors, slow answers, a refused token. Whatever happens, it never reports "no drift" for a
// tenant it could not read. Waits (Retry-After, the SDK's back-off, slow answers, the budget)
// run on fake timers: the test drives time forward while the real I/O goes on.

const dev = loadStackSpec("dev");
let standIn: Auth0StandIn;
let env: Record<string, string>;

beforeAll(async () => {
  standIn = await startAuth0StandIn({ domain: dev.tenant.domain });
});
afterAll(async () => standIn.close());

beforeEach(async () => {
  standIn.reset();
  await seedTenant(standIn, dev);
  env = await auditorEnv(standIn);
});

/** The requests the audit has sent and not yet had answered, by path. */
const inFlight: string[] = [];
const countingFetch: typeof fetch = async (input, init) => {
  const path = new URL(input instanceof Request ? input.url : String(input)).pathname;
  inFlight.push(path);
  try {
    return await standIn.fetch(input, init);
  } finally {
    inFlight.splice(inFlight.indexOf(path), 1);
  }
};

/**
 * Runs `run` with setTimeout and Date faked. Time moves on in 10 ms steps only while nothing is
 * in flight but the answers the stand-in holds back on purpose (`heldBack`): real I/O takes no
 * fake time, so a loaded machine cannot make the budget run out where it would not.
 */
async function onFakeTime<T>(run: () => Promise<T>, heldBack: readonly string[] = []): Promise<T> {
  vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "Date"] });
  try {
    let done = false;
    const result = run().finally(() => {
      done = true;
    });
    while (!done) {
      await new Promise((resolve) => setImmediate(resolve));
      if (inFlight.every((path) => heldBack.includes(path))) await vi.advanceTimersByTimeAsync(10);
    }
    return await result;
  } finally {
    vi.useRealTimers();
  }
}

const audit = async (extra: readonly string[] = [], environment = env) => {
  const run = await runAudit(["--stack", "dev", "--format", "json", ...extra], environment, countingFetch);
  const report = jsonReport(run);
  expect(report.exitCode).toBe(run.code);
  return { run, audit: report.stacks[0] };
};

describe("an auditor without the read scopes", () => {
  it("lacking read:client_grants: exit 1, names the scope, says what was and was not checked", async () => {
    env = await auditorEnv(
      standIn,
      AUDITOR_SCOPES.filter((scope) => scope !== "read:client_grants"),
    );
    const { run, audit: result } = await audit();
    expect(run.code).toBe(1);
    expect(result?.outcome).toBe("incomplete");
    expect(result?.missingScopes).toEqual(["read:client_grants"]);
    expect(result?.notChecked.map((n) => n.check)).toEqual([
      "import job client",
      "import job grant",
      "unmanaged grants",
      "applications people sign in through",
      "connection enabled clients",
    ]);
    expect(result?.notChecked[0]?.reasons).toEqual(["GET /api/v2/client-grants: 403 Forbidden, the auditor lacks read:client_grants"]);
    expect(result?.checked).toEqual(["API settings", "permissions", "connection settings", "test user"]);
  });

  it("the text report says the same to a person", async () => {
    env = await auditorEnv(standIn, ["read:resource_servers", "read:clients", "read:connections", "read:users"]);
    const run = await runAudit(["--stack", "dev"], env, standIn.fetch);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain("INCOMPLETE");
    expect(run.stdout).toContain("The auditor's grant lacks: read:client_grants");
    expect(run.stdout).toContain("Checked: API settings, permissions, connection settings, test user");
  });

  it("with no read scope at all, drift or not, never exit 0 or 2: every scope is named", async () => {
    const dashboard = new ManagementClient({ domain: standIn.domain, token: await standIn.managementToken(), fetch: standIn.fetch });
    await dashboard.resourceServers.update(dev.api.identifier, { signing_alg: "HS256" });
    env = await auditorEnv(standIn, []);
    const { run, audit: result } = await audit();
    expect(run.code).toBe(1);
    expect(result?.findings).toEqual([]);
    expect(result?.checked).toEqual([]);
    // dev declares no role (no RBAC): the roles' scopes are not asked for.
    expect(result?.missingScopes).toEqual(
      [...AUDITOR_SCOPES].filter((scope) => !scope.endsWith(":roles") && !scope.endsWith(":role_members")).sort(),
    );
  });
});

describe("rate limits", () => {
  it("a 429 is retried after the Retry-After it names, once, and the audit completes", async () => {
    standIn.faults.rateLimit({ after: 0, times: 1, retryAfterSeconds: 2, path: "/api/v2/client-grants" });
    const { run, audit: result } = await onFakeTime(() => audit());
    expect(run.code).toBe(0);
    expect(result?.requests).toMatchObject({ total: 8, refused: 1 });
    const grantCalls = standIn.requests.filter((r) => r.path === "/api/v2/client-grants");
    expect(grantCalls.map((r) => r.status)).toEqual([429, 200]);
    // Retry-After: 2 means two seconds; the SDK's own back-off without it would be about one.
    const waited = Date.parse(grantCalls[1]?.time ?? "") - Date.parse(grantCalls[0]?.time ?? "");
    expect(waited).toBeGreaterThanOrEqual(1900);
  });

  it("a storm that outlasts the retries: exit 1 with the reason, and the drift found elsewhere still shown", async () => {
    const dashboard = new ManagementClient({ domain: standIn.domain, token: await standIn.managementToken(), fetch: standIn.fetch });
    await dashboard.resourceServers.update(dev.api.identifier, { allow_offline_access: true });
    standIn.faults.rateLimit({ after: 0, retryAfterSeconds: 1, path: "/api/v2/clients" });
    const { run, audit: result } = await onFakeTime(() => audit(["--retries", "2"]));
    expect(run.code).toBe(1);
    expect(result?.outcome).toBe("incomplete");
    expect(countRequests(standIn.requests, "GET", "/api/v2/clients")).toBe(3);
    expect(result?.notChecked[0]?.reasons[0]).toMatch(/^GET \/api\/v2\/clients: 429 .*still failing after the retries/);
    expect(result?.findings.map((f) => f.kind)).toEqual(["api.offline-access"]);
  });
});

describe("server errors and slow answers", () => {
  it("a 500 is retried with back-off and the audit completes", async () => {
    standIn.faults.serverError({ times: 1, status: 500, path: "/api/v2/connections" });
    const { run, audit: result } = await onFakeTime(() => audit());
    expect(run.code).toBe(0);
    expect(result?.requests?.refused).toBe(1);
  });

  it("a 503 that does not clear: exit 1, the status named", async () => {
    standIn.faults.serverError({ times: 10, status: 503, path: "/api/v2/resource-servers" });
    const { run, audit: result } = await onFakeTime(() => audit(["--retries", "1"]));
    expect(run.code).toBe(1);
    expect(result?.notChecked.map((n) => n.check)).toEqual(["API settings", "permissions"]);
    expect(result?.notChecked[0]?.reasons[0]).toMatch(/^GET \/api\/v2\/resource-servers\/\{identifier\}: 503/);
  });

  it("an answer slower than --timeout: exit 1 on time, the call named", async () => {
    standIn.faults.delay({ ms: 5000, path: "/api/v2/users-by-email" });
    const { run, audit: result } = await onFakeTime(async () => {
      const started = Date.now();
      const done = await audit(["--timeout", "1"]);
      // Fake time: the audit gave up when its budget was spent, not when the answer came.
      expect(Date.now() - started).toBeLessThan(1500);
      return done;
    }, ["/api/v2/users-by-email"]);
    expect(run.code).toBe(1);
    expect(result?.notChecked).toEqual([
      { check: "test user", reasons: ["GET /api/v2/users-by-email: no answer within 1 s (--timeout 1)"] },
    ]);
  });

  it("a Retry-After longer than the budget is not waited for: the audit ends at once, and says why", async () => {
    standIn.faults.rateLimit({ after: 0, retryAfterSeconds: 30, path: "/api/v2/clients" });
    const started = performance.now();
    const { run, audit: result } = await audit(["--timeout", "5"]);
    expect(performance.now() - started).toBeLessThan(1500);
    expect(run.code).toBe(1);
    expect(countRequests(standIn.requests, "GET", "/api/v2/clients")).toBe(1);
    expect(result?.notChecked[0]?.reasons).toEqual([
      "GET /api/v2/clients: 429, and its retry would wait 30.0 s, past the time budget (--timeout 5)",
    ]);
  });
});

describe("credentials", () => {
  it("a refused token: exit 1, said plainly, nothing read", async () => {
    const { run, audit: result } = await audit([], { ...env, AUTH0_CLIENT_SECRET: "wrong" });
    expect(run.code).toBe(1);
    expect(result?.error).toMatch(
      /^the auditor could not get a Management API token \(AUTH0_CLIENT_ID\/AUTH0_CLIENT_SECRET\): POST \/oauth\/token: 401/,
    );
    expect(countRequests(standIn.requests, undefined, /^\/api\/v2/)).toBe(0);
  });

  it("a rate-limited token endpoint is an error, never a verdict", async () => {
    standIn.faults.rateLimit({ after: 0, path: "/oauth/token" });
    const { run, audit: result } = await audit();
    expect(run.code).toBe(1);
    expect(result?.error).toContain("429");
  });

  it("AUTH0_DOMAIN naming another tenant: refused before any request", async () => {
    const { run, audit: result } = await audit([], { ...env, AUTH0_DOMAIN: "exampleco.eu.auth0.com" });
    expect(run.code).toBe(1);
    expect(result?.error).toContain("AUTH0_DOMAIN is exampleco.eu.auth0.com but the dev stack's tenant is exampleco-dev.eu.auth0.com");
    expect(standIn.requests).toEqual([]);
  });

  it("a ready token works as well as client credentials", async () => {
    const token = await standIn.managementToken([...AUDITOR_SCOPES]);
    const { run, audit: result } = await audit([], { AUTH0_API_TOKEN_DEV: token });
    expect(run.code).toBe(0);
    expect(result?.requests).toMatchObject({ total: 6, token: 0 });
  });
});
