import type { TenantSpec } from "../../../infra/config/spec";
import { sorted, type Finding } from "../findings";
import type { LiveClient, LiveGrant } from "../../auth0/model";
import { grantedScopes } from "./import-job";

/** The integration-test application, found by its name; only stacks with a test user declare one. */
export function integrationTestApp(spec: TenantSpec, clients: readonly LiveClient[]): LiveClient | undefined {
  const application = spec.testUser?.application;
  if (application === undefined) return undefined;
  return clients.find((client) => client.name === application.name);
}

/** Its one user grant on the Timesheets API, which the program declares. */
export function isIntegrationTestGrant(spec: TenantSpec, grant: LiveGrant, app: LiveClient | undefined): boolean {
  return app !== undefined && grant.clientId === app.clientId && grant.audience === spec.api.identifier && grant.subjectType === "user";
}

/** A user grant wider (or narrower) than `testUserPermissions` changes what a test user may do. */
export function integrationTestGrantFindings(spec: TenantSpec, grant: LiveGrant): Finding[] {
  const expected = sorted(spec.testUser?.permissions ?? []);
  const actual = grantedScopes(grant);
  if (expected.join(" ") === actual.join(" ")) return [];
  return [
    {
      severity: actual.some((scope) => !expected.includes(scope)) ? "high" : "medium",
      kind: "grant.integration-test-app-scopes",
      resource: `grant ${spec.testUser?.application.name ?? ""} (user access) → ${spec.api.identifier}`,
      expected,
      actual,
      fix: `run \`npm run up -- --stack ${spec.stack}\` to restore exactly testUserPermissions`,
    },
  ];
}
