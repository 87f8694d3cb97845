import { decodeJwt, type JWTVerifyGetKey } from "jose";
import type { TenantSpec } from "../../../infra/config/spec";
import type { VerifyInputs } from "../inputs";
import { row, type CheckRow } from "../report";
import { clientCredentialsToken, refusal, type TokenAnswer, type TokenEndpoint } from "../token-requests";
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
    // One request per permission: Auth0 refuses a request naming any scope the grant lacks, so a
    // request for all of them at once would be refused even by a grant that holds some of them.
    const answers = await Promise.all(
      notGranted.map(async (permission) => ({
        permission,
        answer: await clientCredentialsToken(endpoint, clientId, auth, audience, permission),
      })),
    );
    rows.push(leastPrivilegeRow(answers));
  }
  return { rows, token: answer.accessToken };
}

/** What a request for one permission outside the grant came back with. */
export interface ExtraPermissionAnswer {
  readonly permission: string;
  readonly answer: TokenAnswer;
}

/**
 * Least privilege holds when no request for a permission outside the grant yields it: Auth0's
 * refusal (403 `access_denied`, "Client has not been granted scopes: ...") is the expected
 * answer, and a token issued without the permission also yields none. Any other refusal (bad
 * credentials, an outage) shows nothing about the grant, so it fails the check rather than pass it.
 */
export function leastPrivilegeRow(answers: readonly ExtraPermissionAnswer[]): CheckRow {
  const expected = `no token carrying ${answers.map((a) => a.permission).join(" ")}`;
  const problems = answers.flatMap(({ permission, answer }) => {
    if (!answer.ok) return answer.status === 403 && answer.error === "access_denied" ? [] : [`${permission}: ${refusal(answer)}`];
    const { scope } = decodeJwt(answer.accessToken);
    const carried = typeof scope === "string" && scope.split(" ").includes(permission);
    return carried ? [`${permission}: issued with it`] : [];
  });
  if (problems.length > 0) return row("import-job.least-privilege", false, expected, problems.join("; "));
  const refused = answers.every(({ answer }) => !answer.ok);
  return row("import-job.least-privilege", true, expected, refused ? "each refused: 403 access_denied" : "none issued");
}
