import { afterAll, beforeAll, expect, test } from "vitest";
import { startGatewayServer, type GatewayServer } from "../../local/apim/gateway-server";
import { type Auth0StandIn } from "../../local/auth0";
import { startAuth0StandIn } from "../support/stand-in";
import { loadStackSpec } from "../../stacks/stack-config";

// The local gateway answers the developer portal's redirect URI (local mode has no portal): the
// code shown, escaped, with the command that exchanges it; every other path is still the API's.

const spec = loadStackSpec("local");
const callbackPath = new URL(spec.gateway?.developerPortal?.application.callbacks[0] ?? "https://x/").pathname;
let standIn: Auth0StandIn;
let gateway: GatewayServer;

beforeAll(async () => {
  standIn = await startAuth0StandIn({ domain: spec.tenant.domain });
  gateway = await startGatewayServer({ spec, fetch: standIn.fetch });
});
afterAll(async () => {
  await gateway?.close();
  await standIn?.close();
});

const origin = () => new URL(gateway.url).origin;

test("shows the code and the exchange, escaped, on the portal's redirect URI", async () => {
  const code = `abc"><script>alert(1)</script>`;
  const answer = await fetch(`${origin()}${callbackPath}?code=${encodeURIComponent(code)}&state=try-it`);
  expect(answer.status).toBe(200);
  expect(answer.headers.get("content-type")).toMatch(/^text\/html/);
  const html = await answer.text();
  expect(html).not.toContain("<script>");
  expect(html).toContain("abc&quot;&gt;&lt;script&gt;");
  expect(html).toContain("grant_type=authorization_code");
  expect(html).toContain(`pulumi stack output --stack local portalClientSecret --show-secrets`);
});

test("an error sent back by Auth0 is shown, and other paths stay the gateway's", async () => {
  const refused = await fetch(`${origin()}${callbackPath}?error=access_denied&error_description=${encodeURIComponent("<b>no</b>")}`);
  expect(await refused.text()).toContain("access_denied: &lt;b&gt;no&lt;/b&gt;");
  expect((await fetch(`${origin()}/signin-oauth/code/callback/other`)).status).toBe(404);
  expect((await fetch(`${gateway.url}/timesheets`)).status).toBe(401);
});
