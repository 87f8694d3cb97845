import * as pulumi from "@pulumi/pulumi";
import { describe, expect, test } from "vitest";
import { loadTenantSpec } from "../../infra/config/load";
import { declareTimesheetsTenant } from "../../infra/program";
import { engineConfigFor } from "../../stacks/stack-config";
import { runFailingProgram, runProgram, secretInput, valueOf, type RegisteredResource } from "../support/pulumi-program";

// The developer portal's sign-in, as the program declares it: the Auth0 application (its
// callbacks exactly the portal's redirect URI), its user grant, the secret it owns, and API
// Management's authorization server handed that secret as a secret, the API set to use it.

const T = {
  client: "auth0:index/client:Client",
  credentials: "auth0:index/clientCredentials:ClientCredentials",
  grant: "auth0:index/clientGrant:ClientGrant",
  authorizationServer: "azure-native:apimanagement:AuthorizationServer",
  api: "azure-native:apimanagement:Api",
};

function withPortal(stack: string, portal: unknown): Record<string, string> {
  const config = engineConfigFor(stack);
  const apim = JSON.parse(config["timesheets:apim"] ?? "{}") as Record<string, unknown>;
  return { ...config, "timesheets:apim": JSON.stringify({ ...apim, developerPortal: portal }) };
}

const run = (stack: string, config: Record<string, string>) => runProgram(stack, config, () => declareTimesheetsTenant(loadTenantSpec()));
const named = (resources: readonly RegisteredResource[], name: string): RegisteredResource => {
  const found = resources.find((r) => r.name === name);
  if (found === undefined) throw new Error(`no resource ${name}`);
  return found;
};

describe("a stack with the developer portal on (staging, an existing service)", () => {
  const config = withPortal("staging", {
    authorizationServerId: "auth0-timesheets",
    permissions: ["read:timesheets", "approve:timesheets"],
  });

  test("declares the portal's application: regular_web, authorization code only, exactly the portal's redirect URI, no origins", async () => {
    const program = await run("staging", config);
    const serviceName = JSON.parse(config["timesheets:apim"] ?? "{}").serviceName as string;
    expect(named(program.resources, "developer-portal-client").inputs).toEqual({
      name: "Timesheets Developer Portal",
      description: "Signs people in to the Timesheets API from API Management's developer portal (authorization code).",
      appType: "regular_web",
      grantTypes: ["authorization_code"],
      isFirstParty: true,
      oidcConformant: true,
      jwtConfiguration: { alg: "RS256" },
      callbacks: [`https://${serviceName}.developer.azure-api.net/signin-oauth/code/callback/auth0-timesheets`],
      allowedOrigins: [],
      webOrigins: [],
      allowedLogoutUrls: [],
    });
    expect(named(program.resources, "developer-portal-grant").inputs).toMatchObject({
      clientId: "developer-portal-client-client-id",
      scopes: ["read:timesheets", "approve:timesheets"],
      subjectType: "user",
    });
    expect(named(program.resources, "developer-portal-credentials").inputs).toMatchObject({ authenticationMethod: "client_secret_post" });
    // Users sign in only through an application's user grant.
    expect(program.resources.find((r) => r.type === "auth0:index/resourceServer:ResourceServer")?.inputs).toMatchObject({
      subjectTypeAuthorization: { user: { policy: "require_client_grant" } },
    });
  });

  test("registers Auth0 in API Management with the API's audience, code grant, credentials in the body, the secret kept secret", async () => {
    const program = await run("staging", config);
    const server = program.resources.filter((r) => r.type === T.authorizationServer);
    expect(server).toHaveLength(1);
    const inputs = server[0]?.inputs ?? {};
    const domain = config["timesheets:domain"] ?? "";
    const audience = config["timesheets:apiIdentifier"] ?? "";
    expect(inputs).toMatchObject({
      authsid: "auth0-timesheets",
      authorizationEndpoint: `https://${domain}/authorize?audience=${encodeURIComponent(audience)}`,
      tokenEndpoint: `https://${domain}/oauth/token`,
      grantTypes: ["authorizationCode"],
      authorizationMethods: ["GET"],
      clientAuthenticationMethod: ["Body"],
      bearerTokenSendingMethods: ["authorizationHeader"],
      defaultScope: "read:timesheets approve:timesheets",
      supportState: true,
      clientId: "developer-portal-client-client-id",
    });
    // The client secret reaches API Management as a secret, and is the one the portal's application owns.
    const secret = secretInput(inputs.clientSecret);
    expect(secret.secret).toBe(true);
    expect(secret.value).toMatch(/^[A-Za-z0-9]{64}$/);
    const credentials = secretInput(named(program.resources, "developer-portal-credentials").inputs.clientSecret);
    expect(secret.value).toBe(credentials.value);
    const api = program.resources.find((r) => r.type === T.api);
    expect(api?.inputs.authenticationSettings).toEqual({
      oAuth2AuthenticationSettings: [{ authorizationServerId: "auth0-timesheets", scope: "read:timesheets approve:timesheets" }],
    });
    expect(await valueOf(program.outputs.portalClientId as pulumi.Output<string>)).toBe("developer-portal-client-client-id");
    // The secret the authorization server holds, published for an operator's own exchange, as a secret.
    expect(await pulumi.isSecret(program.outputs.portalClientSecret as pulumi.Output<string>)).toBe(true);
    expect(await valueOf(program.outputs.portalClientSecret as pulumi.Output<string>)).toBe(secret.value);
  });

  test("without the key nothing of it is declared", async () => {
    const program = await run("staging", engineConfigFor("staging"));
    expect(program.resources.filter((r) => r.type === T.authorizationServer)).toEqual([]);
    expect(program.resources.filter((r) => r.name.startsWith("developer-portal"))).toEqual([]);
    expect(program.resources.find((r) => r.type === T.api)?.inputs.authenticationSettings).toBeUndefined();
  });
});

describe("developer portal config is refused before anything is declared", () => {
  const cases = [
    { name: "a permission the API lacks", portal: { permissions: ["export:timesheets"] }, key: "apim.developerPortal.permissions" },
    { name: "no permission at all", portal: { permissions: [] }, key: "apim.developerPortal.permissions" },
    {
      name: "a permission twice",
      portal: { permissions: ["read:timesheets", "read:timesheets"] },
      key: "apim.developerPortal.permissions",
    },
    { name: "an id with a slash", portal: { authorizationServerId: "auth0/x" }, key: "apim.developerPortal.authorizationServerId" },
    { name: "an unknown key", portal: { callbacks: ["https://*.example.com"] }, key: "apim.developerPortal.callbacks" },
    { name: "not an object", portal: "yes", key: "apim.developerPortal" },
  ];
  test.each(cases)("$name ($key)", async ({ portal, key }) => {
    const { error, registeredCount } = await runFailingProgram("dev", withPortal("dev", portal), () =>
      declareTimesheetsTenant(loadTenantSpec()),
    );
    expect((error as Error).message).toMatch(new RegExp(`timesheets:${key.replace(/\./g, "\\.")}: `));
    expect(registeredCount).toBe(0);
  });
});
