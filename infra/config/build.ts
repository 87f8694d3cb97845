import type { z } from "zod";
import { crossCheck } from "./checks";
import { TenantConfigError, type ConfigProblem } from "./errors";
import { developerPortal } from "./developer-portal";
import { DEFAULT_OPERATIONS, type ApimConfig } from "./gateway-schema";
import { importJobAuthentication } from "./import-job-keys";
import { generatedPasswordLength } from "./password-options";
import { rawConfigSchema, type ParsedConfig } from "./schema";
import { carriesCredentials, CREDENTIALS_MESSAGE, managementApiAudience } from "./urls";
import { readConfigValues } from "./raw";
import { DEFAULT_TEST_USER_PERMISSIONS } from "./permissions";
import {
  IMPORT_JOB_NAME,
  INTEGRATION_TEST_APP_NAME,
  PASSWORD_REALM_GRANT,
  TEST_USER_NAME,
  TEST_USER_ROLE_NAME,
  type ApimServiceSpec,
  type TestUserSpec,
  type GatewaySpec,
  type TenantEndpoints,
  type TenantSpec,
  type TokenDialect,
} from "./spec";

const DEFAULT_PASSWORD_POLICY = "good";

/** Stack config as read, keyed without the `timesheets:` namespace. */
export type RawConfig = Readonly<Record<string, unknown>>;

export interface SpecOptions {
  /** What was found wrong outside the `timesheets:` keys (see raw.ts). */
  readonly otherProblems?: readonly ConfigProblem[];
  /**
   * The stack is taking over a tenant set up by hand (`npm run adopt`): its API exists, and
   * keeps the identifier Auth0 holds, URL or not, before `timesheets:adopt` names it.
   */
  readonly adopting?: boolean;
}

/**
 * Builds a stack's tenant spec from its raw config. Pure: the same config gives the
 * same spec, and every problem is reported at once, before anything is declared.
 */
export function buildTenantSpec(raw: RawConfig, stack: string, options: SpecOptions = {}): TenantSpec {
  const withCredentials = keysWithCredentials(raw);
  // A key whose value holds a credential is refused for that alone: no other message about it may quote the value.
  const unquoted = (problems: readonly ConfigProblem[]) =>
    problems.filter((p) => !withCredentials.some((key) => p.key === key || p.key.startsWith(`${key}.`)));
  const refused = withCredentials.map((key) => problem(key, CREDENTIALS_MESSAGE));
  const otherProblems = options.otherProblems ?? [];
  const parsed = rawConfigSchema.safeParse(raw);
  if (!parsed.success)
    throw new TenantConfigError(stack, [...refused, ...unquoted([...parsed.error.issues.flatMap(toProblems), ...otherProblems])]);
  const config = parsed.data;
  const problems = [...refused, ...unquoted([...crossCheck(config, stack, options.adopting === true), ...otherProblems])];
  if (problems.length > 0) throw new TenantConfigError(stack, problems);
  return toSpec(config, stack);
}

/** The keys (nested ones as a.b) whose value holds a URL with credentials in it. */
function keysWithCredentials(raw: RawConfig): string[] {
  const found: string[] = [];
  const visit = (value: unknown, key: string): void => {
    if (typeof value === "string") {
      if (!carriesCredentials(value)) return;
      // Structured values arrive from the engine as JSON text: name the nested key when there is one.
      if (/^\s*[[{]/.test(value)) {
        try {
          return visit(JSON.parse(value) as unknown, key);
        } catch {
          // not JSON: the key itself
        }
      }
      found.push(key);
    } else if (Array.isArray(value)) value.forEach((item, index) => visit(item, `${key}.${index}`));
    else if (typeof value === "object" && value !== null) for (const [inner, item] of Object.entries(value)) visit(item, `${key}.${inner}`);
  };
  for (const [key, value] of Object.entries(raw)) visit(value, key);
  return found;
}

/** A stack's spec from its flat `namespace:key → value` config; `isSecret` says which values were stored encrypted. */
export function specFromConfig(
  values: Readonly<Record<string, unknown>>,
  stack: string,
  isSecret: (fullKey: string) => boolean,
  options: Omit<SpecOptions, "otherProblems"> = {},
): TenantSpec {
  const { raw, problems } = readConfigValues(values, isSecret);
  return buildTenantSpec(raw, stack, { ...options, otherProblems: problems });
}

function toProblems(issue: z.core.$ZodIssue): ConfigProblem[] {
  if (issue.code === "unrecognized_keys") {
    const where = issue.path.length > 0 ? `${issue.path.join(".")}.` : "";
    // A key of odd characters is quoted, so the line still reads as "key: reason".
    return issue.keys.map((key) => ({
      key: `${where}${/^[\w-]+$/.test(key) ? key : JSON.stringify(key)}`,
      message: "is not a known key (a typo?); see Pulumi.yaml for the keys",
    }));
  }
  return [{ key: issue.path.map(String).join(".") || "(config)", message: issue.message }];
}

const problem = (key: string, message: string): ConfigProblem => ({ key, message });

function testUser(config: ParsedConfig): TestUserSpec | undefined {
  if (config.testUserEmail === undefined) return undefined;
  const permissions = config.testUserPermissions ?? [...DEFAULT_TEST_USER_PERMISSIONS];
  return {
    email: config.testUserEmail,
    name: TEST_USER_NAME,
    password: config.testUserPassword,
    generatedPasswordLength: generatedPasswordLength(config.passwordOptions),
    permissions,
    role: config.rbac
      ? {
          name: TEST_USER_ROLE_NAME,
          description: "The Timesheets API's permissions of the test user, where the API enforces RBAC. Never in prod.",
          permissions,
        }
      : undefined,
    application: {
      name: INTEGRATION_TEST_APP_NAME,
      description: "Signs the test user in without a browser, so that a deployment can be verified end to end. Never in prod.",
      appType: "regular_web",
      grantTypes: [PASSWORD_REALM_GRANT],
      authMethod: "client_secret_post",
      // First party: Auth0 lets only first-party applications use the password grant without consent.
      isFirstParty: true,
      oidcConformant: true,
      callbacks: [],
      allowedOrigins: [],
      webOrigins: [],
      allowedLogoutUrls: [],
      jwtAlg: "RS256",
      grant: { audience: config.apiIdentifier, scopes: permissions, subjectType: "user" },
    },
  };
}

function tokenDialect(profile: ParsedConfig["tokenProfile"], rbac: boolean): TokenDialect {
  const base = profile === "auth0" ? "access_token" : "rfc9068_profile";
  return rbac ? `${base}_authz` : base;
}

// crossCheck has refused a config that lacks what its mode needs, so the `?? ""` below are never taken.
function apimService(apim: ApimConfig): ApimServiceSpec {
  if (apim.mode === "local") return { mode: "local", address: apim.address ?? "" };
  if (apim.mode === "existing") {
    return { mode: "existing", resourceGroupName: apim.resourceGroupName ?? "", serviceName: apim.serviceName ?? "" };
  }
  const sku = apim.sku ?? "Consumption";
  return {
    mode: "create",
    resourceGroupName: apim.resourceGroupName ?? "",
    createResourceGroup: apim.createResourceGroup ?? false,
    serviceName: apim.serviceName ?? "",
    sku,
    capacity: apim.capacity ?? (sku === "Consumption" ? 0 : 1),
    // crossCheck has refused a create config without these.
    publisherEmail: apim.publisherEmail ?? "",
    publisherName: apim.publisherName ?? "",
    location: apim.location ?? "",
  };
}

function gateway(apim: ApimConfig, apiName: string, tenant: TenantEndpoints, audience: string): GatewaySpec {
  return {
    service: apimService(apim),
    api: {
      name: "timesheets-api",
      displayName: apiName,
      path: apim.apiPath,
      // The local gateway forwards to its own stub backend, which has no address of its own to declare.
      backendUrl: apim.backendUrl ?? "",
      subscriptionRequired: apim.subscriptionRequired,
    },
    operations: (apim.operations ?? DEFAULT_OPERATIONS).map((operation) => ({ ...operation })),
    clockSkewSeconds: apim.clockSkewSeconds,
    developerPortal: developerPortal(apim, tenant, audience),
  };
}

function toSpec(config: ParsedConfig, stack: string): TenantSpec {
  const base = `https://${config.domain}`;
  const tenant: TenantEndpoints = {
    domain: config.domain,
    issuer: `${base}/`,
    tokenEndpoint: `${base}/oauth/token`,
    jwksUri: `${base}/.well-known/jwks.json`,
    openIdConfigurationUrl: `${base}/.well-known/openid-configuration`,
    managementApiAudience: managementApiAudience(config.domain),
  };
  // People sign in for the API through an application's user grant (the test user's, the
  // developer portal's): there a user's token carries at most what that grant lists.
  const userApplications = config.testUserEmail !== undefined || config.apim?.developerPortal !== undefined;
  return {
    stack,
    environment: config.environment,
    protect: config.environment === "prod",
    tenant,
    api: {
      name: config.apiName,
      identifier: config.apiIdentifier,
      signingAlg: config.signingAlg,
      tokenProfile: config.tokenProfile,
      tokenDialect: tokenDialect(config.tokenProfile, config.rbac),
      enforcePolicies: config.rbac,
      tokenLifetime: config.tokenLifetime,
      allowOfflineAccess: false,
      clientPolicy: "require_client_grant",
      userPolicy: userApplications ? "require_client_grant" : undefined,
      permissions: config.permissions,
    },
    importJob: {
      name: IMPORT_JOB_NAME,
      description: "Cron job that uploads timesheets from the external timekeeping system in batches.",
      appType: "non_interactive",
      grantTypes: ["client_credentials"],
      isFirstParty: true,
      oidcConformant: true,
      callbacks: [],
      allowedOrigins: [],
      webOrigins: [],
      allowedLogoutUrls: [],
      jwtAlg: "RS256",
      authentication: importJobAuthentication(config),
      grant: { audience: config.apiIdentifier, scopes: config.importJobScopes, subjectType: "client" },
    },
    connection: {
      name: config.connectionName,
      strategy: "auth0",
      // Neither model declared: the legacy "good", as before password_options existed.
      passwordPolicy: config.passwordOptions === undefined ? (config.passwordPolicy ?? DEFAULT_PASSWORD_POLICY) : undefined,
      passwordOptions: config.passwordOptions,
      bruteForceProtection: true,
      disableSignup: !config.allowSignups,
    },
    testUser: testUser(config),
    gateway: config.apim === undefined ? undefined : gateway(config.apim, config.apiName, tenant, config.apiIdentifier),
    adopt: { ...config.adopt },
  };
}
