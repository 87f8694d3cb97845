import type { TenantSpec } from "../../infra/config/spec";

// The commands a finding's fix prints. Each must fix that finding when run as written, so:
// - what the program manages is set back by an update that reads the tenant first:
//   `npm run up -- --stack <stack> --refresh` (`pulumi up --refresh`). Without the refresh,
//   Pulumi compares the code with its state, not with the tenant, and a change made behind its
//   back shows as "unchanged". It runs as the deployer and on the stack's state backend.
// - what the program does not manage (a grant or a user made by hand, a duplicate client) is
//   not in the state, so no update removes it: a Management API call deletes it, with a token
//   that holds that one delete scope.

/** The update that reverts drift on what the program manages. */
export const upWithRefresh = (stack: string): string => `npm run up -- --stack ${stack} --refresh`;

const AS_DEPLOYER =
  "as the deployer (AUTH0_CLIENT_ID and AUTH0_CLIENT_SECRET of the deployer application), on the stack's state backend (PULUMI_BACKEND_URL)";

/** `run <update> (<credentials, backend>)`, then why or what, if said. */
export function restore(spec: TenantSpec, then = ""): string {
  return `run \`${upWithRefresh(spec.stack)}\` ${AS_DEPLOYER}${then === "" ? "" : `${then.startsWith(";") ? "" : " "}${then}`}`;
}

/** A Management API delete of an object the program does not manage, with the scope its token needs. */
export function deleteCommand(spec: TenantSpec, path: string, scope: string): string {
  return `\`curl -fsS -X DELETE -H "Authorization: Bearer $AUTH0_MANAGEMENT_TOKEN" https://${spec.tenant.domain}/api/v2/${path}\` (AUTH0_MANAGEMENT_TOKEN: a Management API token for ${spec.tenant.domain} with ${scope})`;
}
