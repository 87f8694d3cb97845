import type { TenantSpec } from "../../../infra/config/spec";
import { ABSENT, PRESENT, difference, sorted, type Finding } from "../findings";
import type { LiveClient, LiveGrant } from "../../auth0/model";
import { defineCheck } from "./check";
import { declaredSettingFindings } from "./client-settings";
import { grantedScopes } from "./import-job";
import { keepOneClientFix, restore } from "../../fixes";

/**
 * The integration-test application, found by its name; only stacks with a test user declare
 * one. With several of that name, the one holding the user grant on the API is the managed one
 * (its tokens are the ones that reach the API), ties to the lowest client id.
 */
export function integrationTestApp(
  spec: TenantSpec,
  clients: readonly LiveClient[],
  grants: readonly LiveGrant[] = [],
): LiveClient | undefined {
  return integrationTestApps(spec, clients, grants)[0];
}

/** Every client of the application's name, the managed one first. */
function integrationTestApps(spec: TenantSpec, clients: readonly LiveClient[], grants: readonly LiveGrant[]): LiveClient[] {
  const application = spec.testUser?.application;
  if (application === undefined) return [];
  const candidates = clients.filter((client) => client.name === application.name).sort((a, b) => a.clientId.localeCompare(b.clientId));
  const granted = candidates.find((client) => grants.some((grant) => isUserGrantOnApi(spec, grant, client)));
  return granted === undefined ? candidates : [granted, ...candidates.filter((client) => client !== granted)];
}

const isUserGrantOnApi = (spec: TenantSpec, grant: LiveGrant, app: LiveClient): boolean =>
  grant.clientId === app.clientId && grant.audience === spec.api.identifier && grant.subjectType === "user";

/** Its one user grant on the Timesheets API, which the program declares. */
export function isIntegrationTestGrant(spec: TenantSpec, grant: LiveGrant, app: LiveClient | undefined): boolean {
  return app !== undefined && isUserGrantOnApi(spec, grant, app);
}

const appResource = (spec: TenantSpec): string => `client "${spec.testUser?.application.name ?? ""}"`;

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
      fix: restore(spec),
    },
  ];
}

/** The application itself, held to its spec as the import job is: every setting the program declares, and its user grant being there. */
export function integrationTestAppFindings(spec: TenantSpec, clients: readonly LiveClient[], grants: readonly LiveGrant[]): Finding[] {
  const application = spec.testUser?.application;
  if (application === undefined) return [];
  const resource = appResource(spec);
  const [app, ...duplicates] = integrationTestApps(spec, clients, grants);
  if (app === undefined) {
    return [{ severity: "medium", kind: "integration-test-app.missing", resource, expected: PRESENT, actual: ABSENT, fix: restore(spec) }];
  }
  const findings: Finding[] = [];
  if (duplicates.length > 0) {
    findings.push({
      severity: "medium",
      kind: "integration-test-app.duplicated",
      resource,
      expected: "1 client",
      actual: sorted([app, ...duplicates].map((c) => c.clientId)),
      fix: keepOneClientFix(
        spec,
        "testClientId",
        app.clientId,
        duplicates.map((c) => c.clientId),
      ),
    });
  }
  if (app.appType !== application.appType) {
    findings.push({
      severity: "medium",
      kind: "integration-test-app.app-type",
      resource: `${resource}: application type`,
      expected: application.appType,
      actual: app.appType ?? null,
      fix: restore(spec),
    });
  }
  const expectedGrantTypes = sorted(application.grantTypes);
  const actualGrantTypes = sorted(app.grantTypes ?? []);
  const added = difference(actualGrantTypes, expectedGrantTypes);
  if (added.length > 0 || difference(expectedGrantTypes, actualGrantTypes).length > 0) {
    findings.push({
      // Another grant type opens a flow no one reviewed for a client that holds a user's password.
      severity: added.length > 0 ? "high" : "medium",
      kind: "integration-test-app.grant-types",
      resource: `${resource}: grant types`,
      expected: expectedGrantTypes,
      actual: actualGrantTypes,
      fix: restore(spec),
    });
  }
  findings.push(...declaredSettingFindings("integration-test-app", resource, application, app, restore(spec)));
  if (app.authMethod !== application.authMethod) {
    findings.push({
      severity: "medium",
      kind: "integration-test-app.auth-method",
      resource: `${resource}: authentication method`,
      expected: application.authMethod,
      actual: app.authMethod ?? null,
      fix: restore(spec),
    });
  }
  if (!grants.some((grant) => isUserGrantOnApi(spec, grant, app))) {
    findings.push({
      severity: "medium",
      kind: "grant.integration-test-app-missing",
      resource: `grant ${application.name} (user access) → ${spec.api.identifier}`,
      expected: sorted(application.grant.scopes),
      actual: ABSENT,
      fix: `${restore(spec)}; the test user cannot sign in for the API until then`,
    });
  }
  return findings;
}

export const integrationTestAppCheck = defineCheck("integration-test application", ["clients", "grants"], ({ spec }, live) =>
  integrationTestAppFindings(spec, live.clients, live.grants),
);
