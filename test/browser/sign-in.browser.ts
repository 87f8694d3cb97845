import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:https";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { chromium, type Browser, type BrowserContext } from "playwright-core";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { TenantSpec } from "../../infra/config/spec";
import { startGatewayServer, type GatewayServer } from "../../local/apim/gateway-server";
import { startHttpsAuth0StandIn, type HttpsAuth0StandIn } from "../../local/auth0/https";
import { localAuthority } from "../../local/tls";
import { seedTenant, TEST_USER_PASSWORD, type SeededTenant } from "../e2e/audit-seed";
import { authorizeUrl, exchangeCode, localSpecWithPortalAt, pkce, type Pkce } from "../support/sign-in";

// A person signs in to the Timesheets API as the developer portal has them do it, in a real
// browser: the local Auth0 over HTTPS, its sign-in page filled in and sent by headless Chromium,
// the redirect followed to a loopback callback this test serves where the portal's would be
// (the spec's redirect URI, exactly), the code exchanged as API Management exchanges it, and the
// token sent to the local gateway. The browser trusts the local authority's certificates by
// `ignoreHTTPSErrors`: the certificate itself is local mode's, proven elsewhere.

const CHROMIUM = "/usr/bin/chromium";

let folder: string;
let auth0: HttpsAuth0StandIn;
let callbackServer: Server;
const callbacksReceived: URL[] = [];
let spec: TenantSpec;
let seed: SeededTenant;
let gateway: GatewayServer;
let browser: Browser;
let context: BrowserContext;

function listen(server: Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve((server.address() as AddressInfo).port));
  });
}

beforeAll(async () => {
  if (!existsSync(CHROMIUM))
    throw new Error(`${CHROMIUM} is missing: install Debian's chromium (apt-get install chromium), as .ci/run does`);
  folder = mkdtempSync(path.join(tmpdir(), "timesheets-browser-"));
  auth0 = await startHttpsAuth0StandIn(folder);
  const authority = await localAuthority(folder);
  callbackServer = createServer({ key: authority.keyPem, cert: authority.chainPem }, (request, response) => {
    request.resume();
    callbacksReceived.push(new URL(request.url ?? "/", "https://callback.invalid"));
    response.writeHead(200, { "content-type": "text/html; charset=utf-8" });
    response.end("<!doctype html><title>Signed in</title><p id=done>Signed in</p>");
  });
  const callbackPort = await listen(callbackServer);
  spec = localSpecWithPortalAt(`127.0.0.1:${callbackPort}`, auth0.domain);
  seed = await seedTenant(auth0.standIn, spec);
  gateway = await startGatewayServer({ spec, fetch: auth0.standIn.fetch });
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox"], headless: true });
  context = await browser.newContext({ ignoreHTTPSErrors: true });
});

afterAll(async () => {
  await context?.close();
  await browser?.close();
  await gateway?.close();
  await new Promise<void>((resolve) => (callbackServer ? callbackServer.close(() => resolve()) : resolve()));
  callbackServer?.closeAllConnections();
  await auth0?.close();
  if (folder !== undefined) rmSync(folder, { recursive: true, force: true });
});

const portal = () => {
  const found = spec.gateway?.developerPortal;
  if (found === undefined) throw new Error("the local stack has no developer portal");
  return found;
};
const app = () => {
  if (seed.portalApp === undefined) throw new Error("the seed has no developer portal application");
  return seed.portalApp;
};
const callback = () => portal().application.callbacks[0] ?? "";

/** Opens /authorize in a fresh tab, signs in on the page; resolves with the tab once it has left the page or shown an error. */
async function signInInBrowser(pair: Pkce, password = TEST_USER_PASSWORD) {
  const tab = await context.newPage();
  const scope = "openid read:timesheets create:timesheets";
  await tab.goto(authorizeUrl(spec, auth0.origin, { clientId: app().clientId, redirectUri: callback(), challenge: pair.challenge, scope }));
  expect(new URL(tab.url()).pathname).toBe("/u/login");
  await tab.fill('input[name="username"]', spec.testUser?.email ?? "");
  await tab.fill('input[name="password"]', password);
  // The form's answer is a navigation: to the callback, or the page again with its error.
  await Promise.all([tab.waitForNavigation(), tab.click('button[type="submit"]')]);
  return tab;
}

async function codeFromBrowser(pair: Pkce): Promise<string> {
  const tab = await signInInBrowser(pair);
  const landed = new URL(tab.url());
  await tab.close();
  expect(`${landed.origin}${landed.pathname}`).toBe(callback());
  expect(landed.searchParams.get("state")).toBe("portal-state");
  // The loopback callback the test serves got the same code: the browser followed Auth0's redirect to it.
  const received = callbacksReceived.filter((url) => url.searchParams.has("code")).at(-1);
  expect(received?.searchParams.get("code")).toBe(landed.searchParams.get("code"));
  return landed.searchParams.get("code") ?? "";
}

const call = (method: string, pathBelowApi: string, token?: string) =>
  fetch(`${gateway.url}${pathBelowApi}`, { method, headers: token === undefined ? {} : { authorization: `Bearer ${token}` } });

describe("a person signs in through the developer portal's application in a real browser", () => {
  test("the token from the sign-in passes the gateway where the user's permission allows: 200, 403 elsewhere, 401 without it", async () => {
    const pair = pkce();
    const code = await codeFromBrowser(pair);
    const issued = await exchangeCode(auth0.standIn, { ...app(), code, redirectUri: callback(), verifier: pair.verifier });
    expect(issued.status).toBe(200);
    // The portal's user grant (read:timesheets) is the ceiling: create:timesheets was asked for and left out.
    expect(issued.body.scope).toBe("openid read:timesheets");
    const token = issued.body.access_token ?? "";

    expect((await call("GET", "/timesheets", token)).status).toBe(200);
    expect((await call("GET", "/timesheets/42", token)).status).toBe(200);
    expect((await call("POST", "/timesheets", token)).status).toBe(403);
    expect((await call("POST", "/timesheets/upload", token)).status).toBe(403);
    expect((await call("GET", "/timesheets")).status).toBe(401);
    expect(gateway.backendRequests.map((r) => `${r.method} ${r.path}`)).toEqual(["GET /timesheets", "GET /timesheets/42"]);

    // The same code a second time: refused as Auth0 refuses it.
    expect(await exchangeCode(auth0.standIn, { ...app(), code, redirectUri: callback(), verifier: pair.verifier })).toEqual({
      status: 403,
      body: { error: "invalid_grant", error_description: "Invalid authorization code" },
    });
  });

  test("a wrong code_verifier is refused", async () => {
    const pair = pkce();
    const code = await codeFromBrowser(pair);
    const answer = await exchangeCode(auth0.standIn, { ...app(), code, redirectUri: callback(), verifier: pkce().verifier });
    expect(answer).toEqual({ status: 403, body: { error: "invalid_grant", error_description: "Failed to verify code verifier" } });
  });

  test("a wrong password: the page says so and the browser stays on it, no code", async () => {
    const before = callbacksReceived.filter((url) => url.searchParams.has("code")).length;
    const tab = await signInInBrowser(pkce(), "not-the-password");
    expect(new URL(tab.url()).pathname).toBe("/u/login");
    expect(await tab.textContent("#error")).toBe("Wrong email or password");
    await tab.close();
    expect(callbacksReceived.filter((url) => url.searchParams.has("code")).length).toBe(before);
  });

  test("a redirect_uri the application does not list: Auth0's error page, the browser never sent on", async () => {
    const tab = await context.newPage();
    const elsewhere = `${callback()}-elsewhere`;
    const response = await tab.goto(
      authorizeUrl(spec, auth0.origin, { clientId: app().clientId, redirectUri: elsewhere, challenge: pkce().challenge }),
    );
    expect(response?.status()).toBe(400);
    expect(new URL(tab.url()).pathname).toBe("/authorize");
    expect(await tab.textContent("#error")).toBe("The provided redirect_uri is not in the list of allowed callback URLs.");
    await tab.close();
    expect(auth0.standIn.internalErrors).toEqual([]);
  });
});
