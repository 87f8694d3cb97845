import { describe, expect, test } from "vitest";
import { browserSignIn } from "../../policy/rules";
import { loadStackSpec } from "../../stacks/stack-config";
import { engineConfigFor } from "../../stacks/stack-config";
import { runProgram } from "../support/pulumi-program";
import { messages, validateResource } from "./support/policy-args";
import { T } from "./support/fixtures";

// The browser sign-in rule, first on the developer portal's application and authorization server
// as the program declares them for dev, then on each way a change could open the flow up.

async function declared(name: string) {
  const { declareTimesheetsTenant } = await import("../../infra/program.js");
  const { loadTenantSpec } = await import("../../infra/config/load.js");
  const run = await runProgram("dev", engineConfigFor("dev"), () => declareTimesheetsTenant(loadTenantSpec()));
  const found = run.resources.find((resource) => resource.name === name);
  if (found === undefined) throw new Error(`dev declares no ${name}`);
  return { type: found.type, name, props: found.inputs as Record<string, unknown> };
}

const CALLBACK = loadStackSpec("dev").gateway?.developerPortal?.application.callbacks[0] ?? "";
const portalClient = (props: Record<string, unknown> = {}) => ({
  type: T.client,
  name: "developer-portal-client",
  props: {
    name: "Timesheets Developer Portal",
    appType: "regular_web",
    grantTypes: ["authorization_code"],
    callbacks: [CALLBACK],
    ...props,
  },
});
const AUTHORIZATION_SERVER = "azure-native:apimanagement:AuthorizationServer";
const server = (props: Record<string, unknown> = {}) => ({
  type: AUTHORIZATION_SERVER,
  name: "gateway-authorization-server",
  props: {
    grantTypes: ["authorizationCode"],
    authorizationEndpoint: "https://exampleco-dev.eu.auth0.com/authorize?audience=https%3A%2F%2Ftimesheets.dev.exampleco.com%2Fapi",
    tokenEndpoint: "https://exampleco-dev.eu.auth0.com/oauth/token",
    bearerTokenSendingMethods: ["authorizationHeader"],
    ...props,
  },
});

describe("browser-sign-in", () => {
  test("accepts the developer portal's application and authorization server as the program declares them", async () => {
    expect(await validateResource(browserSignIn, await declared("developer-portal-client"))).not.toHaveBeenCalled();
    expect(await validateResource(browserSignIn, await declared("gateway-authorization-server"))).not.toHaveBeenCalled();
  });

  test("refuses the implicit grant, a wildcard, plain http, a fragment, no callback, and origins", async () => {
    const report = await validateResource(
      browserSignIn,
      portalClient({
        grantTypes: ["authorization_code", "implicit"],
        callbacks: [
          "https://*.developer.azure-api.net/signin-oauth/code/callback/auth0",
          "http://portal.exampleco.com/cb",
          "https://p.exampleco.com/cb#x",
        ],
        webOrigins: ["https://portal.exampleco.com"],
      }),
    );
    expect(messages(report)).toEqual([
      "grantTypes includes implicit, which hands tokens to the browser's address; use authorization_code",
      "callback https://*.developer.azure-api.net/signin-oauth/code/callback/auth0 has a wildcard; a callback is one exact URL",
      "callback http://portal.exampleco.com/cb is not https",
      "callback https://p.exampleco.com/cb#x has a fragment",
      "webOrigins lists [https://portal.exampleco.com]; the code is exchanged by the application's server, no page script needs an origin",
    ]);
    expect(messages(await validateResource(browserSignIn, portalClient({ callbacks: [] })))).toEqual([
      "a client with a browser grant lists no callbacks; the sign-in has nowhere to return",
    ]);
  });

  test("leaves clients without a browser grant to the other rules", async () => {
    const job = { type: T.client, name: "import-job-client", props: { appType: "non_interactive", grantTypes: ["client_credentials"] } };
    expect(await validateResource(browserSignIn, job)).not.toHaveBeenCalled();
  });

  test("refuses an authorization server with another grant, no audience, the token in the query, or a person's password", async () => {
    const report = await validateResource(
      browserSignIn,
      server({
        grantTypes: ["authorizationCode", "implicit"],
        authorizationEndpoint: "https://exampleco-dev.eu.auth0.com/authorize",
        tokenEndpoint: "http://exampleco-dev.eu.auth0.com/oauth/token",
        bearerTokenSendingMethods: ["authorizationHeader", "query"],
        resourceOwnerPassword: "hunter2",
      }),
    );
    expect(messages(report)).toEqual([
      "grantTypes is [authorizationCode, implicit]; people sign in with the authorization code grant only: [authorizationCode]",
      "tokenEndpoint http://exampleco-dev.eu.auth0.com/oauth/token is not https",
      "authorizationEndpoint names no audience; Auth0 then issues a token that is not for the API",
      "bearerTokenSendingMethods is [authorizationHeader, query]; expected [authorizationHeader] (a token in a query ends up in logs)",
      "resourceOwnerPassword is set; the authorization server holds no person's credentials",
    ]);
  });
});
