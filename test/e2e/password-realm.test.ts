import { afterAll, beforeAll, beforeEach, describe, expect, test } from "vitest";
import { loadStackSpec } from "../../stacks/stack-config";
import { passwordRealmToken, type TokenAnswer } from "../../stacks/verify/token-requests";
import { type Auth0StandIn } from "../../local/auth0";
import { startAuth0StandIn } from "../support/stand-in";
import { TEST_USER_PASSWORD } from "./audit-seed";
import { managementApi, seedForVerify, type VerifySeed } from "./verify-seed";

// The stand-in's password-realm grant: the answers Auth0 gives (observed ones from Auth0's SDK
// issues; the rest are marked as guesses in the stand-in's code).

const spec = loadStackSpec("staging");
let standIn: Auth0StandIn;
let seed: VerifySeed;

beforeAll(async () => {
  standIn = await startAuth0StandIn({ domain: spec.tenant.domain });
});
afterAll(() => standIn?.close());
beforeEach(async () => {
  standIn.reset();
  seed = await seedForVerify(standIn, spec);
});

function signIn(overrides: { password?: string; username?: string; clientId?: string; clientSecret?: string; scope?: string } = {}) {
  const endpoint = {
    url: spec.tenant.tokenEndpoint,
    issuer: spec.tenant.issuer,
    fetch: standIn.fetch,
    signal: AbortSignal.timeout(10_000),
  };
  return passwordRealmToken(
    endpoint,
    {
      clientId: overrides.clientId ?? String(seed.outputs.testClientId),
      clientSecret: overrides.clientSecret ?? String(seed.outputs.testClientSecret),
      username: overrides.username ?? spec.testUser?.email ?? "",
      password: overrides.password ?? TEST_USER_PASSWORD,
      realm: spec.connection.name,
    },
    spec.api.identifier,
    overrides.scope ?? "openid read:timesheets approve:timesheets",
  );
}

const refused = (answer: TokenAnswer) =>
  answer.ok ? "issued" : { status: answer.status, error: answer.error, description: answer.description };

describe("password-realm", () => {
  test("signs the test user in with the user grant as the ceiling, in the API's token profile", async () => {
    const answer = await signIn();
    if (!answer.ok) throw new Error(`refused: ${answer.error} ${answer.description}`);
    const claims = JSON.parse(Buffer.from(answer.accessToken.split(".")[1] ?? "", "base64url").toString()) as Record<string, unknown>;
    expect(claims).toMatchObject({ scope: "openid read:timesheets", client_id: seed.outputs.testClientId, gty: "password" });
    expect(claims.aud).toEqual([spec.api.identifier, `${spec.tenant.issuer}userinfo`]);
    expect(String(claims.sub)).toMatch(/^auth0\|/);
  });

  test("a wrong password and an unknown user get the same answer", async () => {
    const expected = { status: 403, error: "invalid_grant", description: "Wrong email or password." };
    expect(refused(await signIn({ password: "not-the-password" }))).toEqual(expected);
    expect(refused(await signIn({ username: "nobody@staging.exampleco.com" }))).toEqual(expected);
  });

  test("a client without the grant is unauthorized_client", async () => {
    const answer = await signIn({
      clientId: String(seed.outputs.importJobClientId),
      clientSecret: String(seed.outputs.importJobClientSecret),
    });
    expect(refused(answer)).toEqual({
      status: 403,
      error: "unauthorized_client",
      description: "Grant type 'http://auth0.com/oauth/grant-type/password-realm' not allowed for the client.",
    });
  });

  test("a connection not enabled for the application refuses the sign-in", async () => {
    const connection = standIn.tenant.connectionByName(spec.connection.name);
    await managementApi(standIn)("PATCH", `/connections/${connection?.id ?? ""}/clients`, [
      { client_id: seed.outputs.testClientId, status: false },
    ]);
    expect(refused(await signIn())).toEqual({ status: 400, error: "invalid_request", description: "the connection is not enabled" });
  });

  test("without its user grant the application gets no token for the API", async () => {
    await managementApi(standIn)("DELETE", `/client-grants/${seed.testUserGrantId ?? ""}`);
    const answer = refused(await signIn());
    expect(answer).toMatchObject({ status: 403, error: "access_denied" });
  });
});
