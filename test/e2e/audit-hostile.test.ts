import { ManagementClient } from "auth0";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { loadStackSpec } from "../../stacks/stack-config";
import { type Auth0StandIn } from "../../local/auth0";
import { startAuth0StandIn } from "../support/stand-in";
import { duplicateImportJob, fillTwoPages, hostileFetch, rogueGrant, type Rule } from "./audit-answers";
import { auditorEnv, jsonReport, runAudit, seedTenant, type SeededTenant } from "./audit-seed";

// Each answer that once turned into a false verdict: a partly read tenant reported clean, an
// unreadable answer reported as drift, the wrong resource server taken for the API. Each must
// now end in exit 1, with the call named and what was wrong said in words.

const dev = loadStackSpec("dev");
const RS = `/api/v2/resource-servers/${encodeURIComponent(dev.api.identifier)}`;
const HTML = "<!DOCTYPE html><html><body>Service Unavailable</body></html>";
const jsonBody = (text: string) => ({ kind: "body", text, contentType: "application/json" }) as const;

let standIn: Auth0StandIn;
let seeded: SeededTenant;
let env: Record<string, string>;

beforeAll(async () => {
  standIn = await startAuth0StandIn({ domain: dev.tenant.domain });
});
afterAll(async () => standIn.close());
beforeEach(async () => {
  standIn.reset();
  seeded = await seedTenant(standIn, dev);
  env = await auditorEnv(standIn);
});

async function audit(rules: readonly Rule[]) {
  const hostile = hostileFetch(standIn.fetch, rules);
  const run = await runAudit(["--stack", "dev", "--format", "json"], env, hostile.fetch);
  const [stack] = jsonReport(run).stacks;
  return { code: run.code, stack, reasons: stack?.notChecked.flatMap((n) => n.reasons) ?? [], applied: hostile.applied };
}

describe("a list that is not whole is never 'no drift'", () => {
  it("a second page of clients answering {} hides a duplicate import job: exit 1", async () => {
    await fillTwoPages(standIn);
    await duplicateImportJob(standIn, dev);
    const result = await audit([{ path: "/api/v2/clients", page: 1, fault: jsonBody("{}") }]);
    expect(result.applied).toHaveLength(1);
    expect(result.code).toBe(1);
    expect(result.reasons[0]).toMatch(
      /^GET \/api\/v2\/clients: page 2: the answer does not fit what is read from it: clients is missing, expected a list/,
    );
  });

  it('a second page of clients answering {"clients": [], "total": 104}: exit 1, the gap said', async () => {
    await fillTwoPages(standIn);
    await duplicateImportJob(standIn, dev);
    // The audit reads the tenant's applications: every client but the global one (`is_global=false`).
    const total = [...standIn.tenant.clients.values()].filter((client) => client.global !== true).length;
    const result = await audit([
      { path: "/api/v2/clients", page: 1, fault: { kind: "json", edit: (body) => ({ ...(body as object), clients: [] }) } },
    ]);
    expect(result.code).toBe(1);
    expect(result.reasons[0]).toBe(
      `GET /api/v2/clients: page 2 holds 0 item(s) where a list of ${total} must hold ${total - 100}: the list is not complete`,
    );
  });

  it("a second page of grants answering {} hides a rogue delete:timesheets grant: exit 1", async () => {
    await fillTwoPages(standIn);
    await rogueGrant(standIn, dev);
    // Grants are read with checkpoints: the second call is the second page.
    const result = await audit([{ path: "/api/v2/client-grants", from: 1, fault: jsonBody("{}") }]);
    expect(result.code).toBe(1);
    expect(result.stack?.findings).toEqual([]);
    expect(result.reasons[0]).toMatch(/^GET \/api\/v2\/client-grants: page 2: the answer does not fit/);
  });
});

describe("an unreadable answer is never drift", () => {
  const cases: ReadonlyArray<readonly [string, Rule, RegExp]> = [
    [
      "the connection as an HTML page",
      { path: "/api/v2/connections", fault: { kind: "body", text: HTML } },
      /^GET \/api\/v2\/connections\?name=: Auth0 answered HTML, not JSON$/,
    ],
    ["the resource server as an HTML page", { path: RS, fault: { kind: "body", text: HTML } }, /Auth0 answered HTML, not JSON$/],
    ["clients as {}", { path: "/api/v2/clients", fault: jsonBody("{}") }, /clients is missing, expected a list|start is missing/],
    ["clients as a bare array", { path: "/api/v2/clients", fault: jsonBody("[]") }, /the answer is a list, expected an object$/],
    [
      "the resource server as {}",
      { path: RS, fault: jsonBody("{}") },
      /id is missing, expected a string; identifier is missing, expected a string$/,
    ],
    [
      "grants cut off halfway",
      { path: "/api/v2/client-grants", fault: { kind: "truncate", keep: 0.5 } },
      /Auth0's answer is not valid JSON \(\d+ bytes, cut off or garbled\)$/,
    ],
    [
      "scopes as a string",
      { path: RS, fault: { kind: "json", edit: (body) => ({ ...(body as object), scopes: "batch:upload" }) } },
      /scopes is a string, expected a list$/,
    ],
    [
      "null in the scopes",
      {
        path: RS,
        fault: { kind: "json", edit: (body) => ({ ...(body as object), scopes: [...(body as { scopes: unknown[] }).scopes, null] }) },
      },
      /scopes\[5\] is null, expected an object$/,
    ],
    [
      "another resource server than the one asked for",
      { path: RS, fault: { kind: "json", edit: (body) => ({ ...(body as object), identifier: "https://other.example/api" }) } },
      /asked for https:\/\/timesheets\.dev\.exampleco\.com\/api, Auth0 answered the resource server "https:\/\/other\.example\/api"$/,
    ],
    [
      "a refused connection",
      { path: "/api/v2/users-by-email", fault: { kind: "refuse" } },
      /could not connect to exampleco-dev\.eu\.auth0\.com \(connection refused\)$/,
    ],
  ];
  it.each(cases)("%s: exit 1, said in words", async (_name, rule, reason) => {
    const result = await audit([rule]);
    expect(result.applied).toHaveLength(1);
    expect(result.code).toBe(1);
    expect(result.stack?.findings).toEqual([]);
    expect(result.reasons.length).toBeGreaterThan(0);
    for (const said of result.reasons) expect(said).toMatch(reason);
  });
});

describe("every setting the program declares on the import job is compared", () => {
  const drifts: ReadonlyArray<readonly [string, Record<string, unknown>, string]> = [
    ["JWT algorithm", { jwt_configuration: { alg: "HS256" } }, "import-job.jwt-alg"],
    ["callbacks", { callbacks: ["https://evil.example/cb"] }, "import-job.callbacks"],
    ["allowed origins", { allowed_origins: ["https://evil.example"] }, "import-job.allowed-origins"],
    ["web origins", { web_origins: ["https://evil.example"] }, "import-job.web-origins"],
    ["first-party flag", { is_first_party: false }, "import-job.first-party"],
    ["OIDC conformance", { oidc_conformant: false }, "import-job.oidc-conformant"],
    ["authentication method", { token_endpoint_auth_method: "client_secret_basic" }, "import-job.auth-method"],
  ];
  it.each(drifts)("%s changed in the dashboard: exit 2 with its finding", async (_name, change, kind) => {
    const dashboard = new ManagementClient({ domain: standIn.domain, token: await standIn.managementToken(), fetch: standIn.fetch });
    await dashboard.clients.update(seeded.importJobClientId, change);
    const result = await audit([]);
    expect(result.code).toBe(2);
    expect(result.stack?.findings.map((f) => f.kind)).toEqual([kind]);
  });
});
