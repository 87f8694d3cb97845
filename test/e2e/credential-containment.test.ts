import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { main as adoptMain } from "../../stacks/adopt";
import { main as runnerMain } from "../../stacks/runner";
import { DEPLOYER_SCOPES } from "../../local/roles";
import { CREDENTIAL_PART } from "../../stacks/auth0/redact";
import { loadStackSpec } from "../../stacks/stack-config";
import { type Auth0StandIn } from "../../local/auth0";
import { startAuth0StandIn } from "../support/stand-in";
import { auditorEnv, runAudit, TEST_USER_PASSWORD } from "./audit-seed";
import { runVerify, seedForVerify, type VerifySeed } from "./verify-seed";

// No output of audit, adopt, verify or the runner carries a credential or any part of one, whatever the
// token endpoint answers and whatever an answer echoes of what was sent: a proxy on the
// tenant's address sees the posted secret and the bearer token, and can put them anywhere.

const dev = loadStackSpec("dev");
const RS = `/api/v2/resource-servers/${encodeURIComponent(dev.api.identifier)}`;

let standIn: Auth0StandIn;
let env: Record<string, string>;
let seed: VerifySeed;

beforeAll(async () => {
  standIn = await startAuth0StandIn({ domain: dev.tenant.domain });
  seed = await seedForVerify(standIn, dev);
  env = await auditorEnv(standIn);
});
afterAll(async () => standIn.close());

/** Where an answer puts what was sent: nowhere, or in one of the places a report may show. */
type Echo = "none" | "token-refusal" | "management-error" | "grant-client-id" | "api-name" | "html" | "client-id" | "management-refusal";

interface Bend {
  /** What the token endpoint answers as access_token; the real answer when absent. */
  readonly accessToken?: { readonly value: unknown };
  readonly echo: Echo;
}

const json = (body: unknown, status = 200) =>
  new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });

/** The stand-in behind a proxy that bends answers as `bend` says, and every credential that was sent or answered. */
function proxy(bend: Bend) {
  const seen = new Set<string>();
  const fetchFn: typeof fetch = async (input, init) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    const headers = new Headers(init?.headers);
    const bearer = headers.get("authorization")?.replace(/^(Bearer|Basic) /, "") ?? "";
    const form = new URLSearchParams(typeof init?.body === "string" ? init.body : "");
    const sent = [bearer, form.get("client_secret"), form.get("password"), form.get("client_assertion")].filter(
      (value): value is string => typeof value === "string" && value !== "",
    );
    for (const value of sent) seen.add(value);
    const echoed = sent.join(" ");
    if (url.pathname === "/oauth/token") {
      if (bend.echo === "token-refusal")
        return json({ error: "access_denied", error_description: `refused for ${echoed} (${form.get("client_id")})` }, 403);
      if (bend.accessToken !== undefined) {
        if (typeof bend.accessToken.value === "string") seen.add(bend.accessToken.value);
        return json({ access_token: bend.accessToken.value, token_type: "Bearer", expires_in: 86400 });
      }
      const real = await standIn.fetch(input, init);
      const body = (await real.json()) as Record<string, unknown>;
      if (typeof body.access_token === "string") seen.add(body.access_token);
      return json(body, real.status);
    }
    if (bend.echo === "management-error" && url.pathname === "/api/v2/clients")
      return json({ statusCode: 500, error: "Internal Server Error", message: `bad token ${echoed}` }, 500);
    // Refused rather than failed: a 403 is not retried, so the echo reaches the message at once.
    if (bend.echo === "management-refusal" && url.pathname === "/api/v2/clients")
      return json({ statusCode: 403, error: "Forbidden", message: `insufficient scope for ${echoed}` }, 403);
    if (bend.echo === "client-id" && url.pathname === "/api/v2/clients") {
      // A client of the import job's name whose id is what was sent: the runner names the ids it finds.
      const body = (await (await standIn.fetch(input, init)).json()) as { clients: unknown[]; total?: number } | unknown[];
      const echo = { client_id: echoed, name: dev.importJob.name, app_type: "non_interactive" };
      if (Array.isArray(body)) return json([...body, echo]);
      return json({ ...body, clients: [...body.clients, echo], ...(body.total === undefined ? {} : { total: body.total + 1 }) });
    }
    if (bend.echo === "html" && url.pathname === "/api/v2/connections")
      return new Response(`<html>${echoed}</html>`, { status: 200, headers: { "content-type": "text/html" } });
    if (bend.echo === "api-name" && url.pathname === RS) {
      const body = (await (await standIn.fetch(input, init)).json()) as Record<string, unknown>;
      return json({ ...body, name: echoed });
    }
    if (bend.echo === "grant-client-id" && url.pathname === "/api/v2/client-grants") {
      const body = (await (await standIn.fetch(input, init)).json()) as { client_grants: unknown[] };
      const rogue = { id: "cgr_echo", client_id: echoed, audience: dev.api.identifier, scope: ["delete:timesheets"] };
      return json({ ...body, client_grants: [...body.client_grants, rogue] });
    }
    return standIn.fetch(input, init);
  };
  return { fetch: fetchFn, seen };
}

/** The runs of CREDENTIAL_PART characters of any credential that `output` shows. */
function shownParts(output: string, credentials: Iterable<string>): string[] {
  const shown: string[] = [];
  for (const credential of credentials)
    for (let i = 0; i + CREDENTIAL_PART <= credential.length; i += 1) {
      const part = credential.slice(i, i + CREDENTIAL_PART);
      if (output.includes(part)) shown.push(part);
    }
  return shown;
}

const anyText = fc.string({ unit: "grapheme", minLength: 8, maxLength: 60 });
/** Every kind of value a token endpoint can answer as access_token. */
const accessToken = fc.oneof(
  fc.constant(undefined),
  fc.constantFrom(null, 0, 1.5, true, [], {}).map((value) => ({ value })),
  anyText.map((value) => ({ value })),
  fc
    .tuple(fc.base64String({ minLength: 16, maxLength: 200 }), fc.constantFrom("\r\nX-Injected: 1", "\n", "\u0000", " x", "é"))
    .map(([token, bad]) => ({ value: `${token}${bad}` })),
  fc.integer({ min: 16 * 1024 + 1, max: 50_000 }).map((n) => ({ value: "QzXj".repeat(Math.ceil(n / 4)) })),
);
const bend: fc.Arbitrary<Bend> = fc.record({
  accessToken,
  echo: fc.constantFrom<Echo>("none", "token-refusal", "management-error", "grant-client-id", "api-name", "html"),
});
const FORMATS = ["json", "text", "markdown"] as const;

describe("no output carries any part of a credential", () => {
  it("audit and adopt, whatever the token endpoint answers and whatever is echoed", async () => {
    await fc.assert(
      fc.asyncProperty(bend, fc.constantFrom(...FORMATS), async (bent, format) => {
        const audit = proxy(bent);
        const run = await runAudit(["--stack", "dev", "--format", format, "--retries", "0"], env, audit.fetch);
        const credentials = [...audit.seen, env.AUTH0_CLIENT_SECRET ?? ""];
        expect(shownParts(run.stdout + run.stderr, credentials)).toEqual([]);
        expect([0, 1, 2]).toContain(run.code);
        if (bent.echo === "token-refusal") expect(run.stdout).toContain("credential hidden");

        const adopt = proxy(bent);
        const printed: string[] = [];
        const code = await adoptMain(["--stack", "dev"], env, {
          stdout: (t) => printed.push(t),
          stderr: (t) => printed.push(t),
          fetch: adopt.fetch,
        });
        expect(shownParts(printed.join("\n"), [...adopt.seen, env.AUTH0_CLIENT_SECRET ?? ""])).toEqual([]);
        expect([0, 1]).toContain(code);
      }),
      { seed: 3101, numRuns: 24, endOnFailure: true },
    );
  });

  it("verify, whatever the token endpoint answers and whatever it echoes of the secrets, password and assertion", async () => {
    const given = [String(seed.outputs.importJobClientSecret), String(seed.outputs.testClientSecret), TEST_USER_PASSWORD];
    await fc.assert(
      fc.asyncProperty(
        fc.record({ accessToken, echo: fc.constantFrom<Echo>("none", "token-refusal") }),
        fc.constantFrom(...FORMATS),
        async (bent, format) => {
          const net = proxy(bent);
          const run = await runVerify(["--stack", "dev", "--format", format], {
            env: { VERIFY_GATEWAY_URL: "https://127.0.0.1:9/timesheets" },
            fetch: net.fetch,
            readOutputs: () => Promise.resolve(seed.outputs),
          });
          expect(shownParts(run.stdout + run.stderr, [...net.seen, ...given])).toEqual([]);
          expect([1, 2]).toContain(run.code);
          // The echo did reach the report: what stands there is the marker, not nothing.
          if (bent.echo === "token-refusal") expect(run.stdout).toContain("credential hidden");
        },
      ),
      { seed: 3102, numRuns: 12, endOnFailure: true },
    );
  });

  it("the runner's look-up of an interrupted deploy's creates, before an up or a preview, whatever the tenant's address answers", async () => {
    const deployer = await standIn.createManagementClient({ scopes: DEPLOYER_SCOPES, name: "Timesheets Deployer" });
    const deployerEnv = {
      AUTH0_CLIENT_ID: deployer.clientId,
      AUTH0_CLIENT_SECRET: deployer.clientSecret,
      PULUMI_BACKEND_URL: "azblob://state",
    };
    // The state a killed `up` leaves: the import job's client and the API's create in flight.
    const pending = [
      { type: "auth0:index/client:Client", name: "import-job-client", inputs: { name: dev.importJob.name, appType: "non_interactive" } },
      {
        type: "auth0:index/resourceServer:ResourceServer",
        name: "timesheets-api-resource-server",
        inputs: { identifier: dev.api.identifier },
      },
    ].map(({ type, name, inputs }) => ({
      resource: { urn: `urn:pulumi:dev::timesheets::${type}::${name}`, custom: true, type, inputs },
      type: "creating",
    }));
    const state = JSON.stringify({
      version: 3,
      deployment: { manifest: { version: "v3.248.0" }, resources: [], pending_operations: pending },
    });
    await fc.assert(
      fc.asyncProperty(
        fc.record({ accessToken, echo: fc.constantFrom<Echo>("none", "token-refusal", "management-refusal", "client-id", "html") }),
        fc.constantFrom("up", "preview"),
        async (bent, command) => {
          const net = proxy(bent);
          const lines: string[] = [];
          const code = await runnerMain([command, "--stack", "dev", ...(command === "up" ? ["--yes"] : [])], {
            env: deployerEnv,
            stderr: (line) => lines.push(line),
            exec: () => Promise.resolve(0),
            capture: () => Promise.resolve({ code: 0, stdout: state }),
            cliInstalled: () => true,
            checkStack: () => Promise.resolve({ ok: true, spec: dev }),
            fetch: net.fetch,
          });
          // It did look: the lines speak of the interrupted creates.
          expect(lines.join("\n")).toMatch(/interrupted/);
          expect(shownParts(lines.join("\n"), [...net.seen, deployer.clientSecret])).toEqual([]);
          expect([0, 1]).toContain(code);
          // The echo did reach a line: what stands there is the marker, not nothing.
          if (bent.echo === "token-refusal" || (bent.echo === "client-id" && bent.accessToken === undefined))
            expect(lines.join("\n")).toContain("credential hidden");
        },
      ),
      { seed: 3103, numRuns: 16, endOnFailure: true },
    );
  });
});
