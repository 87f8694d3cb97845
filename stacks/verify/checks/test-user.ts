import { decodeJwt, type JWTVerifyGetKey } from "jose";
import type { TenantSpec } from "../../../infra/config/spec";
import type { VerifyInputs } from "../inputs";
import { row, type CheckRow } from "../report";
import { passwordRealmToken, refusal, type TokenEndpoint } from "../token-requests";
import type { TokenChecks } from "./import-job";
import { tokenRows } from "./token-claims";

/**
 * The test user signs in through the integration-test application (password-realm, realm =
 * the connection), asking for every permission the API has: what comes back is what the API
 * grants test users, which must be exactly the stack's testUserPermissions.
 */
export async function testUserChecks(
  spec: TenantSpec,
  inputs: VerifyInputs,
  endpoint: TokenEndpoint,
  jwks: JWTVerifyGetKey,
): Promise<TokenChecks> {
  const testUser = spec.testUser;
  const signIn = inputs.testUser;
  if (testUser === undefined || signIn === undefined) return { rows: [], token: undefined };
  const audience = spec.api.identifier;
  const everything = spec.api.permissions.map((p) => p.name).join(" ");
  const answer = await passwordRealmToken(
    endpoint,
    {
      clientId: signIn.clientId,
      clientSecret: signIn.clientSecret,
      username: signIn.email,
      password: signIn.password,
      realm: spec.connection.name,
    },
    audience,
    everything,
  );
  const expected = `${testUser.email} signs in through ${spec.connection.name}`;
  if (!answer.ok) return { rows: [row("test-user.sign-in", false, expected, refusal(answer))], token: undefined };
  const { sub } = decodeJwt(answer.accessToken);
  const isUser = typeof sub === "string" && !sub.endsWith("@clients");
  const rows: CheckRow[] = [
    row("test-user.sign-in", true, expected, "signed in"),
    row("test-user.sub", isUser, "a user's id", typeof sub === "string" ? sub : "absent"),
    ...(await tokenRows(spec, answer.accessToken, { subject: "test-user", clientId: signIn.clientId, scopes: testUser.permissions }, jwks)),
  ];
  return { rows, token: answer.accessToken };
}
