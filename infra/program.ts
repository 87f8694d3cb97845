import * as auth0 from "@pulumi/auth0";
import * as pulumi from "@pulumi/pulumi";
import { ImportJob } from "./auth0/import-job";
import { DeveloperPortalApp, IntegrationTestApp } from "./auth0/integration-test-app";
import { TestUserRole } from "./auth0/test-user-role";
import { TimesheetsApi } from "./auth0/timesheets-api";
import { UserStore } from "./auth0/user-store";
import { Gateway } from "./azure/gateway";
import { gatewayUrl } from "./azure/gateway-args";
import type { TenantSpec } from "./config/spec";

/** What consumers of a stack need: the values a client or gateway is configured with. */
export interface TenantOutputs {
  readonly audience: pulumi.Output<string>;
  readonly issuer: string;
  readonly tokenEndpoint: string;
  readonly importJobClientId: pulumi.Output<string>;
  /** A secret output; undefined for private_key_jwt. */
  readonly importJobClientSecret: pulumi.Output<string | undefined>;
  readonly connectionName: pulumi.Output<string>;
  readonly testUserEmail: string | undefined;
  readonly testUserPassword: pulumi.Output<string> | undefined;
  /** The application that signs the test user in; undefined where the stack has no test user. */
  readonly testClientId: pulumi.Output<string> | undefined;
  /** A secret output; undefined where the stack has no test user. */
  readonly testClientSecret: pulumi.Output<string> | undefined;
  /** The developer portal's application; undefined where the stack has no developer portal. */
  readonly portalClientId: pulumi.Output<string> | undefined;
  /** A secret output: what API Management's authorization server holds, for an operator's own exchange (local mode). */
  readonly portalClientSecret: pulumi.Output<string> | undefined;
  /** The Timesheets API's URL on the API Management gateway; undefined where the stack has no gateway. */
  readonly gatewayUrl: pulumi.Output<string> | undefined;
}

/** Declares everything a stack's spec describes. Called once, by the entry point (and by tests under mocks). */
export function declareTimesheetsTenant(spec: TenantSpec): TenantOutputs {
  // The tenant is the spec's, not whatever AUTH0_DOMAIN says: a dev spec can never be applied
  // to the prod tenant. Credentials come from AUTH0_CLIENT_ID / AUTH0_CLIENT_SECRET (or
  // AUTH0_API_TOKEN) in the environment, never from config files.
  const auth0Provider = new auth0.Provider("auth0", { domain: spec.tenant.domain });
  const providers = [auth0Provider];

  const { adopt } = spec;
  const api = new TimesheetsApi("timesheets-api", { api: spec.api, protect: spec.protect, adoptId: adopt.resourceServerId }, { providers });
  const importJob = new ImportJob(
    "import-job",
    { importJob: spec.importJob, audience: api.identifier, adopt: { clientId: adopt.importJobClientId, grantId: adopt.importJobGrantId } },
    { providers },
  );
  // Only where the stack has a test user: the application exists to sign that user in.
  const testApp =
    spec.testUser === undefined
      ? undefined
      : new IntegrationTestApp("integration-test", { application: spec.testUser.application, audience: api.identifier }, { providers });
  // Only with the developer portal: the application people sign in through to reach the API.
  const portalSpec = spec.gateway?.developerPortal;
  const portalApp =
    portalSpec === undefined
      ? undefined
      : new DeveloperPortalApp("developer-portal", { application: portalSpec.application, audience: api.identifier }, { providers });
  const userStore = new UserStore(
    "user-store",
    {
      connection: spec.connection,
      testUser: spec.testUser,
      enabledClients: [importJob.clientId, ...[testApp, portalApp].flatMap((app) => (app === undefined ? [] : [app.clientId]))],
      protect: spec.protect,
      adoptId: adopt.connectionId,
    },
    { providers },
  );

  // With RBAC, the test user's permissions come from a role; without it, from the user grant alone.
  if (spec.testUser?.role !== undefined && userStore.testUser !== undefined) {
    new TestUserRole(
      "test-user-role",
      { role: spec.testUser.role, audience: api.identifier, apiPermissions: api.permissions, user: userStore.testUser },
      { providers },
    );
  }

  // Azure resources take the default azure-native provider: credentials and subscription come
  // from ARM_* variables (or OIDC) in the environment, never from config files. The local
  // gateway (apim mode local) is `npm run local`'s own server: nothing to declare in Azure.
  const azureGateway = spec.gateway !== undefined && spec.gateway.service.mode !== "local";
  const portalClient = portalApp === undefined ? undefined : { clientId: portalApp.clientId, clientSecret: portalApp.clientSecret };
  const gateway = azureGateway
    ? new Gateway("gateway", { spec, signingSecret: api.resourceServer.signingSecret, portalClient })
    : undefined;

  return {
    audience: api.identifier,
    issuer: spec.tenant.issuer,
    tokenEndpoint: spec.tenant.tokenEndpoint,
    importJobClientId: importJob.clientId,
    importJobClientSecret: importJob.clientSecret,
    connectionName: userStore.connectionName,
    testUserEmail: spec.testUser?.email,
    testUserPassword: userStore.testUserPassword,
    testClientId: testApp?.clientId,
    testClientSecret: testApp?.clientSecret,
    portalClientId: portalApp?.clientId,
    portalClientSecret: portalApp?.clientSecret,
    gatewayUrl: gateway?.url ?? (spec.gateway === undefined ? undefined : pulumi.output(gatewayUrl(spec.gateway))),
  };
}
