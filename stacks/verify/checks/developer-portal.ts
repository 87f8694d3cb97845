import type { TenantSpec } from "../../../infra/config/spec";
import type { VerifyInputs } from "../inputs";
import { row, type CheckRow } from "../report";
import {
  authorizationCodeToken,
  clientCredentialsToken,
  passwordRealmToken,
  refusal,
  type TokenAnswer,
  type TokenEndpoint,
} from "../token-requests";

/**
 * The developer portal's application, read-only and without a browser: its secret (the one API
 * Management's authorization server holds) authenticates it and it may exchange codes (a made-up
 * code is refused as a code, `invalid_grant`, not the client as unknown or not allowed), and it
 * may do nothing else: no token of its own (client credentials), no password sign-in. Who signs
 * in through it in a browser, and what their token may do, is proven by `npm run test:browser`
 * against the local Auth0, not here: that needs a person at a sign-in page.
 */
export async function developerPortalChecks(spec: TenantSpec, inputs: VerifyInputs, endpoint: TokenEndpoint): Promise<CheckRow[]> {
  const portal = spec.gateway?.developerPortal;
  const client = inputs.portalClient;
  if (portal === undefined || client === undefined) return [];
  const audience = spec.api.identifier;
  const shown = (answer: TokenAnswer): string => (answer.ok ? "a token was issued" : refusal(answer));
  const refusedAs = (answer: TokenAnswer, errors: readonly string[]): boolean => !answer.ok && errors.includes(answer.error);

  const exchange = await authorizationCodeToken(endpoint, client, "verify-not-a-code", portal.application.callbacks[0] ?? "");
  const machine = await clientCredentialsToken(
    endpoint,
    client.clientId,
    { method: "client_secret_post", secret: client.clientSecret },
    audience,
  );
  const rows = [
    row(
      "developer-portal.code-exchange",
      refusedAs(exchange, ["invalid_grant"]),
      "the application authenticates and may exchange codes: a made-up code refused as invalid_grant",
      shown(exchange),
    ),
    row(
      "developer-portal.no-client-credentials",
      !machine.ok,
      "no token for the application itself (client_credentials refused)",
      shown(machine),
    ),
  ];
  const signIn = inputs.testUser;
  if (signIn !== undefined) {
    const password = await passwordRealmToken(
      endpoint,
      { ...client, username: signIn.email, password: signIn.password, realm: spec.connection.name },
      audience,
      portal.authorizationServer.defaultScope,
    );
    rows.push(
      row("developer-portal.no-password", !password.ok, "no password sign-in through it (password-realm refused)", shown(password)),
    );
  }
  return rows;
}
