import type { UserApplicationSpec } from "../../../infra/auth0/integration-test-app";
import type { TenantSpec } from "../../../infra/config/spec";
import { ABSENT, PRESENT, difference, sorted, type Finding } from "../findings";
import type { LiveClient, LiveGrant } from "../../auth0/model";
import { defineCheck } from "./check";
import { declaredSettingFindings } from "./client-settings";
import { grantedScopes } from "./import-job";
import { keepOneClientFix, restore, type ClientIdOutput } from "../../fixes";

// The applications people sign in through, each with a user grant on the API: the
// integration-test application (stacks with a test user) and the developer portal's (stacks with
// `apim.developerPortal`). Each is held to its spec as the import job is: every declared setting,
// its grant types, its authentication method, its user grant being there and holding exactly the
// declared permissions.

/** One application's finding kinds, written out so that each can be found where it is made. */
interface Kinds {
  readonly prefix: string;
  readonly missing: string;
  readonly duplicated: string;
  readonly appType: string;
  readonly grantTypes: string;
  readonly authMethod: string;
  readonly grantMissing: string;
  readonly grantScopes: string;
}

const INTEGRATION_TEST_KINDS: Kinds = {
  prefix: "integration-test-app",
  missing: "integration-test-app.missing",
  duplicated: "integration-test-app.duplicated",
  appType: "integration-test-app.app-type",
  grantTypes: "integration-test-app.grant-types",
  authMethod: "integration-test-app.auth-method",
  grantMissing: "grant.integration-test-app-missing",
  grantScopes: "grant.integration-test-app-scopes",
};

const PORTAL_KINDS: Kinds = {
  prefix: "portal-app",
  missing: "portal-app.missing",
  duplicated: "portal-app.duplicated",
  appType: "portal-app.app-type",
  grantTypes: "portal-app.grant-types",
  authMethod: "portal-app.auth-method",
  grantMissing: "grant.portal-app-missing",
  grantScopes: "grant.portal-app-scopes",
};

export interface UserApplication {
  readonly application: UserApplicationSpec;
  readonly kinds: Kinds;
  /** The stack output that names the client the program made. */
  readonly output: ClientIdOutput;
}

/** The stack's applications with a user grant, as its spec declares them. */
export function userApplications(spec: TenantSpec): UserApplication[] {
  const found: UserApplication[] = [];
  if (spec.testUser !== undefined)
    found.push({ application: spec.testUser.application, kinds: INTEGRATION_TEST_KINDS, output: "testClientId" });
  const portal = spec.gateway?.developerPortal;
  if (portal !== undefined) found.push({ application: portal.application, kinds: PORTAL_KINDS, output: "portalClientId" });
  return found;
}

const isUserGrantOnApi = (spec: TenantSpec, grant: LiveGrant, app: LiveClient): boolean =>
  grant.clientId === app.clientId && grant.audience === spec.api.identifier && grant.subjectType === "user";

/**
 * Every client of the application's name, the managed one first. With several of that name, the
 * one holding the user grant on the API is the managed one (its tokens are the ones that reach
 * the API), ties to the lowest client id.
 */
function candidates(spec: TenantSpec, app: UserApplication, clients: readonly LiveClient[], grants: readonly LiveGrant[]): LiveClient[] {
  const named = clients.filter((client) => client.name === app.application.name).sort((a, b) => a.clientId.localeCompare(b.clientId));
  const granted = named.find((client) => grants.some((grant) => isUserGrantOnApi(spec, grant, client)));
  return granted === undefined ? named : [granted, ...named.filter((client) => client !== granted)];
}

/** The live client the program manages for `app`, if any. */
export function managedClient(
  spec: TenantSpec,
  app: UserApplication,
  clients: readonly LiveClient[],
  grants: readonly LiveGrant[] = [],
): LiveClient | undefined {
  return candidates(spec, app, clients, grants)[0];
}

/** Every application's managed client that exists. */
export function managedUserApplicationClients(
  spec: TenantSpec,
  clients: readonly LiveClient[],
  grants: readonly LiveGrant[],
): LiveClient[] {
  return userApplications(spec).flatMap((app) => {
    const client = managedClient(spec, app, clients, grants);
    return client === undefined ? [] : [client];
  });
}

/** Its one user grant on the Timesheets API, which the program declares. */
export function isManagedUserGrant(spec: TenantSpec, grant: LiveGrant, client: LiveClient | undefined): boolean {
  return client !== undefined && isUserGrantOnApi(spec, grant, client);
}

/** A user grant wider (or narrower) than declared changes what a person signed in through it may do. */
export function userGrantFindings(spec: TenantSpec, app: UserApplication, grant: LiveGrant): Finding[] {
  const expected = sorted(app.application.grant.scopes);
  const actual = grantedScopes(grant);
  if (expected.join(" ") === actual.join(" ")) return [];
  return [
    {
      severity: actual.some((scope) => !expected.includes(scope)) ? "high" : "medium",
      kind: app.kinds.grantScopes,
      resource: `grant ${app.application.name} (user access) → ${spec.api.identifier}`,
      expected,
      actual,
      fix: restore(spec),
    },
  ];
}

/** The application itself, held to its spec: every setting the program declares, and its user grant being there. */
export function userApplicationFindings(
  spec: TenantSpec,
  app: UserApplication,
  clients: readonly LiveClient[],
  grants: readonly LiveGrant[],
): Finding[] {
  const { application, kinds } = app;
  const resource = `client "${application.name}"`;
  const [live, ...duplicates] = candidates(spec, app, clients, grants);
  if (live === undefined) {
    return [{ severity: "medium", kind: kinds.missing, resource, expected: PRESENT, actual: ABSENT, fix: restore(spec) }];
  }
  const findings: Finding[] = [];
  if (duplicates.length > 0) {
    findings.push({
      severity: "medium",
      kind: kinds.duplicated,
      resource,
      expected: "1 client",
      actual: sorted([live, ...duplicates].map((c) => c.clientId)),
      fix: keepOneClientFix(
        spec,
        app.output,
        live.clientId,
        duplicates.map((c) => c.clientId),
      ),
    });
  }
  if (live.appType !== application.appType) {
    findings.push({
      severity: "medium",
      kind: kinds.appType,
      resource: `${resource}: application type`,
      expected: application.appType,
      actual: live.appType ?? null,
      fix: restore(spec),
    });
  }
  const expectedGrantTypes = sorted(application.grantTypes);
  const actualGrantTypes = sorted(live.grantTypes ?? []);
  const added = difference(actualGrantTypes, expectedGrantTypes);
  if (added.length > 0 || difference(expectedGrantTypes, actualGrantTypes).length > 0) {
    findings.push({
      // Another grant type opens a flow no one reviewed for a client people sign in through.
      severity: added.length > 0 ? "high" : "medium",
      kind: kinds.grantTypes,
      resource: `${resource}: grant types`,
      expected: expectedGrantTypes,
      actual: actualGrantTypes,
      fix: restore(spec),
    });
  }
  findings.push(...declaredSettingFindings(kinds.prefix, resource, application, live, restore(spec)));
  if (live.authMethod !== application.authMethod) {
    findings.push({
      severity: "medium",
      kind: kinds.authMethod,
      resource: `${resource}: authentication method`,
      expected: application.authMethod,
      actual: live.authMethod ?? null,
      fix: restore(spec),
    });
  }
  if (!grants.some((grant) => isUserGrantOnApi(spec, grant, live))) {
    findings.push({
      severity: "medium",
      kind: kinds.grantMissing,
      resource: `grant ${application.name} (user access) → ${spec.api.identifier}`,
      expected: sorted(application.grant.scopes),
      actual: ABSENT,
      fix: `${restore(spec)}; no one can sign in for the API through it until then`,
    });
  }
  return findings;
}

export const userApplicationsCheck = defineCheck("applications people sign in through", ["clients", "grants"], ({ spec }, live) =>
  userApplications(spec).flatMap((app) => userApplicationFindings(spec, app, live.clients, live.grants)),
);
