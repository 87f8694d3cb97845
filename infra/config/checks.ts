import type { ConfigProblem } from "./errors";
import { checkDeveloperPortal } from "./developer-portal";
import { DEFAULT_OPERATIONS, type ApimConfig } from "./gateway-schema";
import { checkImportJobKeys } from "./import-job-keys";
import { passwordOptionsProblems, prodPasswordOptionsProblems } from "./password-options";
import { isThisMachine, loopbackRefusal } from "./loopback";
import { ENVIRONMENTS, PASSWORD_POLICIES, type ParsedConfig } from "./schema";
import { isManagementApiAudience, newApiIdentifierProblem } from "./urls";

/*
 * The checks across keys of a parsed config: what Auth0 or Azure would refuse half-way through
 * a deployment, and what this project refuses, each said by key before anything is declared.
 */

const problem = (key: string, message: string): ConfigProblem => ({ key, message });

function duplicates(values: readonly string[]): string[] {
  return [...new Set(values.filter((value, index) => values.indexOf(value) !== index))];
}

/** Every problem across keys; `adopting`: see SpecOptions in build.ts. */
export function crossCheck(config: ParsedConfig, stack: string, adopting: boolean): ConfigProblem[] {
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
  if (config.environment !== "local" && isThisMachine(config.domain)) {
    problems.push(problem("domain", loopbackRefusal(config.domain, config.environment)));
  }
  // The converse: `local` is lax (nothing protected), so it must never point at a real tenant.
  if (config.environment === "local" && !isThisMachine(config.domain)) {
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

  // Auth0 answers 409 mid-deploy: the tenant's own Management API holds this identifier.
  if (isManagementApiAudience(config.apiIdentifier, config.domain)) {
    problems.push(
      problem(
        "apiIdentifier",
        `${JSON.stringify(config.apiIdentifier)} is the tenant's own Management API (https://<domain>/api/v2/), which Auth0 already holds; expected the Timesheets API's own identifier, e.g. https://timesheets.exampleco.com/api`,
      ),
    );
  }
  if (config.adopt?.resourceServerId === undefined && !adopting) {
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
  if (config.passwordOptions !== undefined) {
    for (const message of passwordOptionsProblems(config.passwordOptions)) problems.push(problem("passwordOptions", message));
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
