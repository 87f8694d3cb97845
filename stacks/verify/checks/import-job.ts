import { decodeJwt, type JWTVerifyGetKey } from "jose";
import type { TenantSpec } from "../../../infra/config/spec";
import type { VerifyInputs } from "../inputs";
import { row, type CheckRow } from "../report";
import { clientCredentialsToken, refusal, type TokenEndpoint } from "../token-requests";
import { tokenRows } from "./token-claims";

export interface TokenChecks {
  readonly rows: CheckRow[];
  /** The token, for the gateway checks; undefined when none was issued. */
  readonly token: string | undefined;
}

/**
 * The import job's client-credentials token, checked claim by claim; then least privilege
 * live: a request for the API's other permissions must not yield any of them.
 */
export async function importJobChecks(
  spec: TenantSpec,
  inputs: VerifyInputs,
  endpoint: TokenEndpoint,
  jwks: JWTVerifyGetKey,
): Promise<TokenChecks> {
  const { clientId, auth } = inputs.importJob;
  const audience = spec.api.identifier;
  const answer = await clientCredentialsToken(endpoint, clientId, auth, audience);
  if (!answer.ok) return { rows: [row("import-job.token", false, `a token for ${audience}`, refusal(answer))], token: undefined };
  const rows = [
    row("import-job.token", true, `a token for ${audience}`, "issued"),
    ...(await tokenRows(spec, answer.accessToken, { subject: "import-job", clientId, scopes: spec.importJob.grant.scopes }, jwks)),
  ];

  const notGranted = spec.api.permissions.map((p) => p.name).filter((name) => !spec.importJob.grant.scopes.includes(name));
  if (notGranted.length > 0) {
    const expected = `no token carrying ${notGranted.join(" ")}`;
    const asked = await clientCredentialsToken(endpoint, clientId, auth, audience, notGranted.join(" "));
    if (!asked.ok) rows.push(row("import-job.least-privilege", true, expected, refusal(asked)));
    else {
      const { scope } = decodeJwt(asked.accessToken);
      const carried = (typeof scope === "string" ? scope.split(" ") : []).filter((name) => notGranted.includes(name));
      rows.push(
        row(
          "import-job.least-privilege",
          carried.length === 0,
          expected,
          carried.length === 0 ? "issued without them" : `issued with ${carried.join(" ")}`,
        ),
      );
    }
  }
  return { rows, token: answer.accessToken };
}
