import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { main as adoptMain } from "../../stacks/adopt";
import { loadStackSpec } from "../../stacks/stack-config";
import { type Auth0StandIn } from "../../local/auth0";
import { startAuth0StandIn } from "../support/stand-in";
import { FakeClock, hostileFetch, type Fault, type Rule } from "./audit-answers";
import { auditorEnv, jsonReport, runAudit } from "./audit-seed";
import { runVerify, seedForVerify, type VerifySeed } from "./verify-seed";

// No command that holds a credential follows a redirect or sends anything to a host other
// than the stack's tenant: a 3xx is "could not read", naming where it pointed. Every request
// is recorded as it leaves the command (below the guard, where the network would be).

const dev = loadStackSpec("dev");
const TENANT = `https://${dev.tenant.domain}`;
const EVIL = "https://evil.example/oauth/token";

let standIn: Auth0StandIn;
let env: Record<string, string>;
let seed: VerifySeed;

beforeAll(async () => {
  standIn = await startAuth0StandIn({ domain: dev.tenant.domain });
  seed = await seedForVerify(standIn, dev);
  env = await auditorEnv(standIn);
});
afterAll(async () => standIn.close());

interface Sent {
  readonly origin: string;
  readonly redirect: RequestInit["redirect"];
}

/** The hostile answers over the stand-in, and every request as it would leave for the network. */
function recorded(rules: readonly Rule[]) {
  const sent: Sent[] = [];
  const hostile = hostileFetch(standIn.fetch, rules);
  const fetchFn: typeof fetch = (input, init) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    sent.push({ origin: url.origin, redirect: init?.redirect });
    return hostile.fetch(input, init);
  };
  return { fetch: fetchFn, sent, applied: hostile.applied };
}

const redirect = (status: number, location: string): Fault => ({ kind: "answer", status, headers: { location } });

describe("a redirect is never followed, and no credential goes to another host", () => {
  it("audit: the token endpoint answering 307 to another host is exit 1, naming where it pointed; the secret is not posted there", async () => {
    const net = recorded([{ path: "/oauth/token", fault: redirect(307, EVIL) }]);
    const run = await runAudit(["--stack", "dev", "--format", "json"], env, net.fetch);
    expect(run.code).toBe(1);
    expect(jsonReport(run).stacks[0]?.error).toContain(
      `POST /oauth/token: could not read /oauth/token, it answered 307 pointing to ${EVIL}`,
    );
    expect(net.sent.every((request) => request.origin === TENANT && request.redirect === "manual")).toBe(true);
  });

  it("audit: a Management API call answering 302 is exit 1 (not another host's answer taken as the tenant's)", async () => {
    const net = recorded([{ path: "/api/v2/clients", fault: redirect(302, "https://evil.example/api/v2/clients") }]);
    const run = await runAudit(["--stack", "dev", "--format", "json"], env, net.fetch);
    expect(run.code).toBe(1);
    const reasons = jsonReport(run).stacks[0]?.notChecked.flatMap((n) => n.reasons) ?? [];
    expect(reasons).toContain(
      "GET /api/v2/clients: could not read /api/v2/clients, it answered 302 pointing to https://evil.example/api/v2/clients; redirects are never followed",
    );
    expect(net.sent.every((request) => request.origin === TENANT && request.redirect === "manual")).toBe(true);
  });

  it("adopt: a redirect is exit 1 and nothing is printed to adopt", async () => {
    const net = recorded([{ path: "/api/v2/client-grants", fault: redirect(308, "https://evil.example/") }]);
    const out: string[] = [];
    const err: string[] = [];
    const code = await adoptMain(["--stack", "dev"], env, { stdout: (t) => out.push(t), stderr: (t) => err.push(t), fetch: net.fetch });
    expect(code).toBe(1);
    expect(out).toEqual([]);
    expect(err.join("\n")).toContain("it answered 308 pointing to https://evil.example/");
    expect(net.sent.every((request) => request.origin === TENANT && request.redirect === "manual")).toBe(true);
  });

  it("verify: the token endpoint answering 307 is exit 1; the import job's secret is not posted to the other host", async () => {
    const net = recorded([{ path: "/oauth/token", fault: redirect(307, EVIL) }]);
    const run = await runVerify(["--stack", "dev"], { fetch: net.fetch, readOutputs: () => Promise.resolve(seed.outputs) });
    expect(run.code).toBe(1);
    expect(run.stdout).toContain(`could not read /oauth/token, it answered 307 pointing to ${EVIL}`);
    expect(net.sent.every((request) => request.origin === TENANT && request.redirect === "manual")).toBe(true);
  });

  it("verify: a gateway URL on plain http elsewhere than this machine gets no token", async () => {
    const net = recorded([]);
    const run = await runVerify(["--stack", "dev"], {
      env: { VERIFY_GATEWAY_URL: "http://gateway.example/timesheets" },
      fetch: net.fetch,
      readOutputs: () => Promise.resolve(seed.outputs),
    });
    expect(run.code).toBe(1);
    expect(run.stdout).toContain("the gateway URL http://gateway.example/timesheets is not https; no token is sent to it");
    expect(net.sent.map((request) => request.origin)).not.toContain("http://gateway.example");
  });
});

// Any status, any headers (Location to anywhere), any size of body, on any call: never a
// request to another host, never a redirect followed, and exit 0 only when nothing was bent.
const PATHS = ["/oauth/token", "/api/v2/clients", "/api/v2/client-grants", "/api/v2/connections", "/api/v2/users-by-email"];
const location = fc.oneof(
  fc.webUrl(),
  fc.constantFrom(
    "//evil.example/x",
    "/api/v2/clients?page=1",
    "",
    "https://dev-timesheets.eu.auth0.com.evil.example/",
    "http://127.0.0.1:1/",
  ),
);
const fault: fc.Arbitrary<Fault> = fc.oneof(
  fc.record({
    kind: fc.constant("answer" as const),
    status: fc.integer({ min: 300, max: 399 }),
    headers: location.map((value) => ({ location: value })),
  }),
  fc.record({
    kind: fc.constant("answer" as const),
    status: fc.constantFrom(200, 201, 204, 400, 401, 403, 404, 500),
    headers: fc.dictionary(fc.constantFrom("location", "content-type", "retry-after", "refresh"), fc.string({ maxLength: 40 }), {
      maxKeys: 3,
    }),
    text: fc.constantFrom("", "{}", '{"access_token":"x"}', "<html>moved</html>"),
  }),
  fc.record({ kind: fc.constant("huge" as const), bytes: fc.constantFrom(5 << 20, 64 << 20), announce: fc.boolean() }),
);

describe("the rule as a property", () => {
  it("whatever any call answers, every request goes to the tenant without following redirects, and exit 0 only when no answer was bent", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ path: fc.constantFrom(...PATHS), from: fc.constantFrom(0, 1), fault }), { minLength: 1, maxLength: 2 }),
        async (rules) => {
          const net = recorded(rules);
          const clock = new FakeClock();
          const run = await runAudit(["--stack", "dev", "--format", "json", "--retries", "0", "--timeout", "30"], env, net.fetch, clock);
          expect([0, 1, 2]).toContain(run.code);
          for (const request of net.sent) {
            expect(request.origin).toBe(TENANT);
            expect(request.redirect).toBe("manual");
          }
          if (run.code === 0) expect(net.applied).toEqual([]);
        },
      ),
      { seed: 2001, numRuns: 30, endOnFailure: true },
    );
  });
});
