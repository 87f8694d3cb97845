import { afterAll, beforeAll, expect, test } from "vitest";
import type { LocalMode } from "../../../local/local-mode";
import { startGatewayServer, type GatewayServer } from "../../../local/apim/gateway-server";
import { type Auth0StandIn } from "../../../local/auth0";
import { startAuth0StandIn } from "../../support/stand-in";
import { loadStackSpec } from "../../../stacks/stack-config";
import { nextSteps } from "../../../stacks/local/summary";
import { exchangeCode } from "../../support/sign-in";
import { seedTenant, TEST_USER_PASSWORD, type SeededTenant } from "../audit-seed";

// What `npm run local` prints for signing in as a person, followed as printed: the address opens
// the sign-in page, the test user signs in, the local gateway's callback page shows the code and
// the exchange, and the exchange gives a token for the API.

const spec = loadStackSpec("local");
let standIn: Auth0StandIn;
let seed: SeededTenant;
let gateway: GatewayServer;

beforeAll(async () => {
  standIn = await startAuth0StandIn({ domain: spec.tenant.domain });
  seed = await seedTenant(standIn, spec);
  gateway = await startGatewayServer({ spec, fetch: standIn.fetch });
});
afterAll(async () => {
  await gateway?.close();
  await standIn?.close();
});

/** Only what nextSteps reads of local mode: its addresses, its authority's file and the stack's spec. */
function localModeView(): LocalMode {
  const view = {
    auth0: { domain: spec.tenant.domain },
    gateway: { url: `https://127.0.0.1:7444/${spec.gateway?.api.path ?? "api"}` },
    trust: { caFile: "/repo/.local/ca.pem" },
    stack: { spec },
  };
  return view as unknown as LocalMode;
}

test("the printed sign-in works as printed: page, test user, the gateway's callback page, the exchange, a token for the API", async () => {
  const printed = nextSteps(localModeView(), "/repo");
  const echo = /echo "(https:\/\/[^"]+)"/.exec(printed)?.[1];
  expect(echo).toBeDefined();
  expect(printed).toContain(`sign in as ${spec.testUser?.email ?? ""}`);
  // The shell fills in the application's id; here it is the seed's.
  const address = new URL((echo ?? "").replace(/\$\(pulumi stack output --stack local portalClientId\)/, seed.portalApp?.clientId ?? ""));
  expect(address.host).toBe(spec.tenant.domain);
  const callback = spec.gateway?.developerPortal?.application.callbacks[0] ?? "";
  expect(address.searchParams.get("redirect_uri")).toBe(callback);

  const authorize = await fetch(new URL(`${address.pathname}${address.search}`, standIn.url), { redirect: "manual" });
  expect(authorize.status).toBe(302);
  const signIn = new URL(authorize.headers.get("location") ?? "", standIn.url);
  const cookie = (authorize.headers.get("set-cookie") ?? "").split(";")[0] ?? "";
  const form = await fetch(new URL("/u/login", standIn.url), {
    method: "POST",
    redirect: "manual",
    headers: { "content-type": "application/x-www-form-urlencoded", cookie },
    body: new URLSearchParams({
      state: signIn.searchParams.get("state") ?? "",
      username: spec.testUser?.email ?? "",
      password: TEST_USER_PASSWORD,
    }),
  });
  const back = new URL(form.headers.get("location") ?? "");
  expect(`${back.origin}${back.pathname}`).toBe(callback);

  // The browser lands on the local gateway (here on its test port), which shows the code and the exchange.
  const page = await (await fetch(new URL(`${back.pathname}${back.search}`, new URL(gateway.url).origin))).text();
  const code = back.searchParams.get("code") ?? "";
  expect(page).toContain(code);
  expect(page).toContain(`-d redirect_uri=${callback}`);
  const token = await exchangeCode(standIn, { ...(seed.portalApp ?? { clientId: "", clientSecret: "" }), code, redirectUri: callback });
  expect(token.status).toBe(200);
  expect(token.body.scope).toBe(spec.gateway?.developerPortal?.authorizationServer.defaultScope);
  expect((await fetch(`${gateway.url}/timesheets`, { headers: { authorization: `Bearer ${token.body.access_token ?? ""}` } })).status).toBe(
    200,
  );
});
