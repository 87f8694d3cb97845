import type { z } from "zod";
import { TenantConfigError, type ConfigProblem } from "./errors";
import { checkDeveloperPortal, developerPortal } from "./developer-portal";
import { DEFAULT_OPERATIONS, type ApimConfig } from "./gateway-schema";
import { checkImportJobKeys, importJobAuthentication } from "./import-job-keys";
import { prodPasswordOptionsProblems } from "./password-options";
import { isLoopbackAddress, loopbackRefusal } from "./loopback";
import { ENVIRONMENTS, PASSWORD_POLICIES, rawConfigSchema, type ParsedConfig } from "./schema";
import { carriesCredentials, CREDENTIALS_MESSAGE, newApiIdentifierProblem } from "./urls";
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
  const problems = [...refused, ...unquoted([...crossCheck(config, stack, options), ...otherProblems])];
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

function duplicates(values: readonly string[]): string[] {
  return [...new Set(values.filter((value, index) => values.indexOf(value) !== index))];
}

function crossCheck(config: ParsedConfig, stack: string, options: SpecOptions): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const prod = config.environment === "prod";

  if ((ENVIRONMENTS as readonly string[]).includes(stack) && config.environment !== stack) {
    problems.push(
      problem(
        "environment",
        `is "${config.environment}" but the stack is "${stack}"; a stack named after an environment must be that environment`,
      ),
    );
  }

  // Every command builds its spec here: a tenant on this machine outside `local` is refused once, for all of them.
  if (config.environment !== "local" && isLoopbackAddress(config.domain)) {
    problems.push(problem("domain", loopbackRefusal(config.domain, config.environment)));
  }
  // The converse: `local` is lax (nothing protected), so it must never point at a real tenant.
  if (config.environment === "local" && !isLoopbackAddress(config.domain)) {
    problems.push(
      problem(
        "domain",
        `${JSON.stringify(config.domain)} is not this machine; environment local deploys only into the local Auth0 of \`npm run local\` (e.g. 127.0.0.1:7443)`,
      ),
    );
  }

  if (prod) {
    if (config.signingAlg === "HS256")
      problems.push(
        problem("signingAlg", '"HS256" is refused in prod: it shares the signing secret with every verifier; expected RS256 or PS256'),
      );
    if (config.allowHs256) problems.push(problem("allowHs256", "is true in prod; HS256 is refused in prod whatever the opt-in"));
  } else if (config.signingAlg === "HS256" && !config.allowHs256) {
    problems.push(
      problem("signingAlg", '"HS256" needs the explicit opt-in allowHs256: true (and is refused in prod); expected RS256 or PS256'),
    );
  }

  if (config.adopt?.resourceServerId === undefined && !options.adopting) {
    const why = newApiIdentifierProblem(config.apiIdentifier);
    if (why !== undefined) problems.push(problem("apiIdentifier", why));
  }

  const permissionNames = config.permissions.map((p) => p.name);
  for (const name of duplicates(permissionNames)) {
    problems.push(problem("permissions", `lists "${name}" more than once; each permission must be unique`));
  }
  // Scopes differing only in case read as one to people and as two to Auth0 and the gateway.
  const byLowerCase = new Map<string, string[]>();
  for (const name of new Set(permissionNames)) byLowerCase.set(name.toLowerCase(), [...(byLowerCase.get(name.toLowerCase()) ?? []), name]);
  for (const names of byLowerCase.values()) {
    if (names.length > 1)
      problems.push(
        problem("permissions", `lists ${names.map((n) => `"${n}"`).join(" and ")}, which differ only in case; keep one (in lower case)`),
      );
  }
  for (const name of duplicates(config.importJobScopes)) {
    problems.push(problem("importJobScopes", `lists "${name}" more than once`));
  }
  for (const scope of config.importJobScopes) {
    if (!permissionNames.includes(scope)) {
      problems.push(
        problem("importJobScopes", `"${scope}" is not one of the API's permissions; expected one of ${permissionNames.join(", ")}`),
      );
    }
  }

  problems.push(...checkImportJobKeys(config));

  if (prod && config.testUserEmail !== undefined) {
    problems.push(problem("testUserEmail", "is set in prod; a test user with a known password is refused in prod: remove the key"));
  }
  if (config.testUserPassword !== undefined && config.testUserEmail === undefined) {
    problems.push(
      problem("testUserPassword", "is set but testUserEmail is not; set testUserEmail to create the test user, or remove the password"),
    );
  }
  problems.push(...checkTestUserPermissions(config, permissionNames));
  if (config.passwordPolicy !== undefined && config.passwordOptions !== undefined) {
    problems.push(
      problem("passwordOptions", "is set together with passwordPolicy; Auth0 refuses a connection with both: keep one of the two"),
    );
  }
  if (prod && config.passwordPolicy !== undefined && PASSWORD_POLICIES.indexOf(config.passwordPolicy) < PASSWORD_POLICIES.indexOf("good")) {
    problems.push(problem("passwordPolicy", `"${config.passwordPolicy}" is too weak for prod; expected good or excellent`));
  }
  if (prod && config.passwordOptions !== undefined) {
    for (const message of prodPasswordOptionsProblems(config.passwordOptions)) problems.push(problem("passwordOptions", message));
  }

  if (config.apim !== undefined) problems.push(...checkApim(config.apim, permissionNames, config.environment));
  if (config.adopt?.importJobGrantId !== undefined && config.adopt.importJobClientId === undefined) {
    problems.push(
      problem("adopt.importJobGrantId", "needs adopt.importJobClientId: a grant can only be adopted with the client it belongs to"),
    );
  }
  return problems;
}

function checkTestUserPermissions(config: ParsedConfig, permissionNames: readonly string[]): ConfigProblem[] {
  const requested = config.testUserPermissions;
  if (requested === undefined) return [];
  if (config.testUserEmail === undefined) {
    return [
      problem("testUserPermissions", "is set but testUserEmail is not; set testUserEmail to create the test user, or remove the key"),
    ];
  }
  const problems = duplicates(requested).map((name) => problem("testUserPermissions", `lists "${name}" more than once`));
  for (const name of requested) {
    if (!permissionNames.includes(name)) {
      problems.push(
        problem("testUserPermissions", `"${name}" is not one of the API's permissions; expected one of ${permissionNames.join(", ")}`),
      );
    }
  }
  return problems;
}

function testUser(config: ParsedConfig): TestUserSpec | undefined {
  if (config.testUserEmail === undefined) return undefined;
  const permissions = config.testUserPermissions ?? [...DEFAULT_TEST_USER_PERMISSIONS];
  return {
    email: config.testUserEmail,
    name: TEST_USER_NAME,
    password: config.testUserPassword,
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

/** What each gateway mode needs and refuses; `local` is the local gateway of `npm run local`, no Azure resource at all. */
function checkApimMode(apim: ApimConfig, environment: string): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  if (apim.mode === "local") {
    if (environment !== "local")
      problems.push(
        problem(
          "apim.mode",
          `is "local" (the local gateway on this machine), accepted only in environment local; this stack is ${environment}`,
        ),
      );
    if (apim.address === undefined)
      problems.push(problem("apim.address", 'is required when apim.mode is "local"; expected 127.0.0.1:PORT'));
    for (const key of ["resourceGroupName", "serviceName", "backendUrl", ...CREATE_ONLY] as const) {
      if (apim[key] !== undefined)
        problems.push(
          problem(
            `apim.${key}`,
            'applies only to Azure; with apim.mode "local" the local gateway serves the API in front of its own stub backend',
          ),
        );
    }
    return problems;
  }
  if (environment === "local")
    problems.push(problem("apim.mode", `is "${apim.mode}" (Azure); environment local takes only the local gateway: mode local`));
  if (apim.address !== undefined) problems.push(problem("apim.address", 'applies only when apim.mode is "local"'));
  const required = {
    resourceGroupName: "an Azure resource group name",
    serviceName: "an API Management service name",
    backendUrl: "the backend's https:// URL",
  } as const;
  for (const [key, what] of Object.entries(required)) {
    if (apim[key as keyof typeof required] === undefined) problems.push(problem(`apim.${key}`, `is required; expected ${what}`));
  }
  if (apim.mode === "create") {
    for (const key of ["publisherEmail", "publisherName", "location"] as const) {
      if (apim[key] === undefined) problems.push(problem(`apim.${key}`, 'is required when apim.mode is "create"'));
    }
    const sku = apim.sku ?? "Consumption";
    if (sku === "Consumption" && apim.capacity !== undefined && apim.capacity !== 0) {
      problems.push(problem("apim.capacity", `is ${apim.capacity}; the Consumption tier takes capacity 0`));
    }
    if (sku !== "Consumption" && apim.capacity === 0) {
      problems.push(problem("apim.capacity", `is 0; the ${sku} tier needs at least 1 unit`));
    }
  } else {
    for (const key of CREATE_ONLY) {
      if (apim[key] !== undefined)
        problems.push(problem(`apim.${key}`, 'applies only when apim.mode is "create"; the existing service is not changed'));
    }
  }
  return problems;
}

const CREATE_ONLY = ["createResourceGroup", "sku", "capacity", "publisherEmail", "publisherName", "location"] as const;

function checkApim(apim: ApimConfig, permissionNames: readonly string[], environment: string): ConfigProblem[] {
  const problems: ConfigProblem[] = checkApimMode(apim, environment);
  const operations = apim.operations ?? DEFAULT_OPERATIONS;
  operations.forEach((operation, index) => {
    if (!permissionNames.includes(operation.permission)) {
      problems.push(
        problem(
          `apim.operations.${index}.permission`,
          `"${operation.permission}" is not one of the API's permissions; expected one of ${permissionNames.join(", ")}`,
        ),
      );
    }
  });
  for (const id of duplicates(operations.map((o) => o.id))) {
    problems.push(problem("apim.operations", `has the id "${id}" more than once`));
  }
  for (const route of duplicates(operations.map((o) => `${o.method} ${o.urlTemplate}`))) {
    problems.push(problem("apim.operations", `declares ${route} more than once`));
  }
  problems.push(...checkDeveloperPortal(apim.developerPortal, permissionNames));
  return problems;
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
    managementApiAudience: `${base}/api/v2/`,
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
