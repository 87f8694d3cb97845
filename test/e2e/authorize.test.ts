import fc from "fast-check";
import { decodeJwt } from "jose";
import { afterAll, beforeAll, beforeEach, describe, expect, test } from "vitest";
import { type Auth0StandIn } from "../../local/auth0";
import { startAuth0StandIn } from "../support/stand-in";
import { escapeHtml } from "../../local/auth0/sign-in-page";
import { authorizeUrl, exchangeCode, localSpecWithPortalAt, pkce } from "../support/sign-in";
import { managementApi, seedTenant, TEST_USER_PASSWORD, type SeededTenant } from "./audit-seed";

// The local Auth0's authorization code flow, spoken by hand (no browser): the redirects, the
// sign-in form bound to its request and its browser, the code exchanged once, and the token's
// scopes. test/browser proves the same flow in a real browser.

const PORTAL = "127.0.0.1:8443";
const spec = localSpecWithPortalAt(PORTAL);
const portal = spec.gateway?.developerPortal;
if (portal === undefined || spec.testUser === undefined) throw new Error("the local stack has no developer portal or no test user");
const callback = portal.application.callbacks[0] ?? "";
const email = spec.testUser.email;

let standIn: Auth0StandIn;
let seed: SeededTenant;
let app: { clientId: string; clientSecret: string };

beforeAll(async () => {
  standIn = await startAuth0StandIn({ domain: spec.tenant.domain });
});
afterAll(() => standIn?.close());
beforeEach(async () => {
  standIn.reset();
  seed = await seedTenant(standIn, spec);
  if (seed.portalApp === undefined) throw new Error("the seed has no developer portal application");
  app = seed.portalApp;
});

const get = (url: string, cookie?: string) => fetch(url, { redirect: "manual", headers: cookie === undefined ? {} : { cookie } });

interface Started {
  readonly signInUrl: string;
  readonly transaction: string;
  readonly cookie: string;
}

async function startSignIn(options: { challenge?: string; scope?: string } = {}): Promise<Started> {
  const answer = await get(authorizeUrl(spec, standIn.url, { clientId: app.clientId, redirectUri: callback, ...options }));
  expect(answer.status).toBe(302);
  const location = new URL(answer.headers.get("location") ?? "", standIn.url);
  const cookie = (answer.headers.get("set-cookie") ?? "").split(";")[0] ?? "";
  return { signInUrl: location.href, transaction: location.searchParams.get("state") ?? "", cookie };
}

async function submit(started: Started, form: { username?: string; password?: string; cookie?: string } = {}) {
  return fetch(new URL("/u/login", standIn.url), {
    method: "POST",
    redirect: "manual",
    headers: { "content-type": "application/x-www-form-urlencoded", cookie: form.cookie ?? started.cookie },
    body: new URLSearchParams({
      state: started.transaction,
      username: form.username ?? email,
      password: form.password ?? TEST_USER_PASSWORD,
    }),
  });
}

/** Signs the test user in and returns the code the callback receives. */
async function code(options: { challenge?: string; scope?: string } = {}): Promise<string> {
  const answer = await submit(await startSignIn(options));
  expect(answer.status).toBe(302);
  const back = new URL(answer.headers.get("location") ?? "");
  expect(`${back.origin}${back.pathname}`).toBe(callback);
  expect(back.searchParams.get("state")).toBe("portal-state");
  return back.searchParams.get("code") ?? "";
}

describe("the authorization code flow with PKCE", () => {
  test("signs the test user in on the page and issues a user token for the API with requested ∩ user grant", async () => {
    const started = await startSignIn({ challenge: pkce().challenge });
    const page = await get(started.signInUrl, started.cookie);
    expect(page.status).toBe(200);
    expect(page.headers.get("content-type")).toMatch(/^text\/html/);
    const html = await page.text();
    expect(html).toContain('<form method="post" action="/u/login">');
    expect(html).toContain(portal.application.name);

    const pair = pkce();
    const issued = await exchangeCode(standIn, {
      ...app,
      code: await code({ challenge: pair.challenge, scope: "openid read:timesheets create:timesheets" }),
      redirectUri: callback,
      verifier: pair.verifier,
    });
    expect(issued.status).toBe(200);
    // The portal's user grant holds read:timesheets only: create is left out, not refused.
    expect(issued.body.scope).toBe("openid read:timesheets");
    const claims = decodeJwt(issued.body.access_token ?? "");
    expect(claims.sub).toMatch(/^auth0\|/);
    expect(claims.azp).toBe(app.clientId);
    expect(claims.aud).toContain(spec.api.identifier);
    expect(claims.gty).toBeUndefined();
    expect(standIn.internalErrors).toEqual([]);
  });

  test("a token's API scopes are always requested ∩ the application's user grant (property)", async () => {
    const names = spec.api.permissions.map((p) => p.name);
    const management = managementApi(standIn);
    await fc.assert(
      fc.asyncProperty(fc.subarray(names), fc.subarray(names, { minLength: 1 }), async (requested, granted) => {
        await management("PATCH", `/client-grants/${seed.portalApp?.grantId ?? ""}`, { scope: granted });
        const pair = pkce();
        const issued = await exchangeCode(standIn, {
          ...app,
          code: await code({ challenge: pair.challenge, scope: requested.join(" ") }),
          redirectUri: callback,
          verifier: pair.verifier,
        });
        expect(issued.status).toBe(200);
        const scopes = (issued.body.scope ?? "").split(" ").filter(Boolean).sort();
        expect(scopes).toEqual(requested.filter((scope) => granted.includes(scope)).sort());
      }),
      { seed: 29, numRuns: 12 },
    );
  });
});

describe("refused as Auth0 refuses", () => {
  test("a redirect_uri that is not exactly a callback of the application: Auth0's error page, never a redirect", async () => {
    const near = [`${callback}/`, `${callback}x`, callback.replace("https:", "http:"), `${callback}?next=1`, callback.toUpperCase(), ""];
    for (const redirectUri of near) {
      const answer = await get(authorizeUrl(spec, standIn.url, { clientId: app.clientId, redirectUri }));
      expect(answer.status, redirectUri).toBe(400);
      expect(answer.headers.get("location"), redirectUri).toBeNull();
      expect(await answer.text()).toContain("The provided redirect_uri is not in the list of allowed callback URLs.");
    }
  });

  test("an unknown client and an application without the authorization code grant", async () => {
    const unknown = await get(authorizeUrl(spec, standIn.url, { clientId: "no-such-client", redirectUri: callback }));
    expect(unknown.status).toBe(400);
    expect(await unknown.text()).toContain("Unknown client: no-such-client");
    // The integration-test application may only use password-realm: sent back with unauthorized_client.
    const management = managementApi(standIn);
    await management("PATCH", `/clients/${seed.testApp?.clientId ?? ""}`, { callbacks: [callback] });
    const answer = await get(authorizeUrl(spec, standIn.url, { clientId: seed.testApp?.clientId ?? "", redirectUri: callback }));
    const back = new URL(answer.headers.get("location") ?? "");
    expect(back.searchParams.get("error")).toBe("unauthorized_client");
    expect(back.searchParams.get("state")).toBe("portal-state");
  });

  test("a wrong password (or an unknown address): the page again with Auth0's words, no code", async () => {
    for (const attempt of [{ password: "wrong-password" }, { username: "nobody@local.exampleco.com" }]) {
      const answer = await submit(await startSignIn(), attempt);
      expect(answer.status).toBe(400);
      expect(answer.headers.get("location")).toBeNull();
      const html = await answer.text();
      expect(html).toContain("Wrong email or password");
      expect(html).not.toMatch(/\n\s+at |Error:/);
    }
  });

  test("the form from another browser (no cookie, or another request's) is refused: no login CSRF", async () => {
    const started = await startSignIn();
    const other = await startSignIn();
    for (const cookie of ["", other.cookie]) {
      const answer = await submit(started, { cookie });
      expect(answer.status).toBe(403);
      expect(answer.headers.get("location")).toBeNull();
    }
    // The request itself still signs in from its own browser.
    expect((await submit(started)).status).toBe(302);
  });

  test("a code is exchanged once; a wrong or missing code_verifier, another redirect_uri, another client are refused", async () => {
    const pair = pkce();
    const once = await code({ challenge: pair.challenge });
    const exchange = { ...app, code: once, redirectUri: callback, verifier: pair.verifier };
    expect((await exchangeCode(standIn, exchange)).status).toBe(200);
    expect(await exchangeCode(standIn, exchange)).toEqual({
      status: 403,
      body: { error: "invalid_grant", error_description: "Invalid authorization code" },
    });

    for (const verifier of [pkce().verifier, undefined, pair.challenge]) {
      const answer = await exchangeCode(standIn, { ...exchange, code: await code({ challenge: pair.challenge }), verifier });
      expect(answer).toEqual({ status: 403, body: { error: "invalid_grant", error_description: "Failed to verify code verifier" } });
    }
    const elsewhere = await exchangeCode(standIn, {
      ...exchange,
      code: await code({ challenge: pair.challenge }),
      redirectUri: `${callback}/`,
    });
    expect(elsewhere.status).toBe(403);
    expect(elsewhere.body.error).toBe("invalid_grant");
    const wrongSecret = await exchangeCode(standIn, { ...exchange, code: await code({ challenge: pair.challenge }), clientSecret: "x" });
    expect(wrongSecret.status).toBe(401);
    expect(standIn.internalErrors).toEqual([]);
  });
});

describe("the sign-in page", () => {
  test("shows what a request sent it escaped, never as markup", async () => {
    const hostile = `"><script>alert(1)</script><img src=x onerror=alert(2)>@x.com`;
    const answer = await submit(await startSignIn(), { username: hostile });
    const html = await answer.text();
    expect(html).not.toContain("<script>");
    expect(html).not.toContain("<img");
    expect(html).toContain(escapeHtml(hostile));
    expect(answer.headers.get("content-security-policy")).toContain("default-src 'none'");
  });

  test("escaping leaves no character that could open markup or close an attribute (property)", () => {
    fc.assert(
      fc.property(fc.string({ unit: "grapheme-composite" }), (text) => {
        const escaped = escapeHtml(text);
        expect(escaped).not.toMatch(/[<>"']/);
        const decoded = escaped.replace(
          /&(lt|gt|quot|#39|amp);/g,
          (_, name: string) => ({ lt: "<", gt: ">", quot: '"', "#39": "'", amp: "&" })[name] ?? "",
        );
        expect(decoded).toBe(text);
      }),
      { seed: 29, numRuns: 200 },
    );
  });

  test("an unknown or finished request is a page saying so, not a trace", async () => {
    const answer = await get(new URL("/u/login?state=nothing", standIn.url).href);
    expect(answer.status).toBe(400);
    expect(await answer.text()).toContain("start again from the application");
  });
});
