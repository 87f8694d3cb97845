import type { TenantSpec } from "../../../infra/config/spec";
import { ABSENT, type Finding } from "../findings";
import type { LiveClient, LiveGrant } from "../../auth0/model";
import { deleteCommand } from "../../fixes";
import { defineCheck } from "./check";
import { grantedScopes, identifyImportJob, importJobGrant } from "./import-job";
import { isManagedUserGrant, managedClient, userApplications, userGrantFindings, type UserApplication } from "./user-applications";

function clientLabel(grant: LiveGrant, clients: readonly LiveClient[]): string {
  if (grant.clientId === undefined) return `default for ${grant.defaultFor ?? "a group of clients"}`;
  const name = clients.find((client) => client.clientId === grant.clientId)?.name;
  return name === undefined ? grant.clientId : `"${name}" (${grant.clientId})`;
}

// Not in the stack's state, so no update removes it: deleted through the Management API.
const revoke = (spec: TenantSpec, grant: LiveGrant): string =>
  `revoke it: ${deleteCommand(spec, `client-grants/${grant.id}`, "delete:client_grants")}; if it is wanted, declare it in code so that it is reviewed and managed`;

/**
 * Grants Pulumi's refresh never sees because the program never made them: any other client's
 * grant on the Timesheets API, and any grant of the import job on another API. The
 * user grants of the applications people sign in through (the integration-test application's,
 * the developer portal's) are the program's.
 */
export function unmanagedGrantFindings(spec: TenantSpec, clients: readonly LiveClient[], grants: readonly LiveGrant[]): Finding[] {
  const { job } = identifyImportJob(spec, clients, grants);
  const managedJobGrant = job === undefined ? undefined : importJobGrant(spec, job, grants);
  // Each application's one user grant on the API (the lowest id where there are several).
  const managedUserGrants = new Map<LiveGrant, UserApplication>();
  for (const app of userApplications(spec)) {
    const client = managedClient(spec, app, clients, grants);
    const grant = grants.filter((candidate) => isManagedUserGrant(spec, candidate, client)).sort((a, b) => a.id.localeCompare(b.id))[0];
    if (grant !== undefined) managedUserGrants.set(grant, app);
  }
  const findings: Finding[] = [];
  // Every grant is looked at, each once: those the program manages are compared by scope, every other one on the API or of the job is unmanaged.
  for (const grant of grants) {
    const onApi = grant.audience === spec.api.identifier;
    const isJob = job !== undefined && grant.clientId === job.clientId;
    if (grant === managedJobGrant) continue;
    const userApp = managedUserGrants.get(grant);
    if (userApp !== undefined) {
      findings.push(...userGrantFindings(spec, userApp, grant));
    } else if (onApi && isJob) {
      findings.push({
        severity: "high",
        kind: "grant.import-job-unmanaged",
        resource: `grant ${spec.importJob.name} (${grant.subjectType ?? "client"} access, ${grant.id}) → ${spec.api.identifier}`,
        expected: ABSENT,
        actual: grantedScopes(grant),
        fix: `${revoke(spec, grant)}; the import job holds one grant on the API, for client access`,
      });
    } else if (onApi) {
      findings.push({
        severity: "high",
        kind: "grant.unmanaged-client",
        resource: `grant ${clientLabel(grant, clients)} → ${spec.api.identifier}`,
        expected: ABSENT,
        actual: grantedScopes(grant),
        fix: revoke(spec, grant),
      });
    } else if (!onApi && isJob) {
      const managementApi = grant.audience === spec.tenant.managementApiAudience;
      findings.push({
        severity: "high",
        kind: managementApi ? "grant.import-job-management-api" : "grant.import-job-other-api",
        resource: `grant ${spec.importJob.name} → ${grant.audience}${managementApi ? " (Management API)" : ""}`,
        expected: ABSENT,
        actual: grantedScopes(grant),
        fix: `${revoke(spec, grant)}; the import job needs the Timesheets API only`,
      });
    }
  }
  return findings;
}

export const unmanagedGrantsCheck = defineCheck("unmanaged grants", ["clients", "grants"], ({ spec }, live) =>
  unmanagedGrantFindings(spec, live.clients, live.grants),
);
