import type { ConfigProblem } from "./errors";
import { CONFIG_KEYS, CONFIG_NAMESPACE, SECRET_KEYS } from "./schema";

/**
 * The settings a stack file may hold besides `timesheets:` keys: those the providers the
 * program uses document (their SDKs' `config/vars.d.ts`). `@pulumi/random` has no provider
 * settings. The Auth0 provider is explicit (infra/program.ts): it takes its domain from
 * `timesheets:domain` and its credentials from AUTH0_* in the environment, so `auth0:`
 * keys are accepted as documented but do not change what the program deploys. Azure
 * resources use the default azure-native provider, which does read its `azure-native:` keys.
 */
export const PROVIDER_KEYS = {
  auth0: [
    "apiToken",
    "audience",
    "cliLogin",
    "clientAssertionPrivateKey",
    "clientAssertionSigningAlg",
    "clientId",
    "clientSecret",
    "customDomainHeader",
    "debug",
    "domain",
    "dynamicCredentials",
  ],
  "azure-native": [
    "auxiliaryTenantIds",
    "clientCertificatePassword",
    "clientCertificatePath",
    "clientId",
    "clientSecret",
    "disableInstanceDiscovery",
    "disablePulumiPartnerId",
    "environment",
    "location",
    "metadataHost",
    "msiEndpoint",
    "oidcRequestToken",
    "oidcRequestUrl",
    "oidcToken",
    "oidcTokenFilePath",
    "partnerId",
    "subscriptionId",
    "tenantId",
    "useDefaultAzureCredential",
    "useMsi",
    "useOidc",
  ],
} as const satisfies Record<string, readonly string[]>;

/** Provider settings that are credentials: set only with `pulumi config set --secret` (better: in the environment). */
export const PROVIDER_SECRET_KEYS: readonly string[] = [
  "auth0:apiToken",
  "auth0:clientSecret",
  "auth0:clientAssertionPrivateKey",
  "azure-native:clientSecret",
  "azure-native:clientCertificatePassword",
  "azure-native:oidcToken",
  "azure-native:oidcRequestToken",
];

/** Every full key whose value must be stored encrypted: ours (Pulumi.yaml's `secret: true`) and the providers' credentials. */
export const ALL_SECRET_KEYS: readonly string[] = [...SECRET_KEYS.map((key) => `${CONFIG_NAMESPACE}:${key}`), ...PROVIDER_SECRET_KEYS];

export function setSecretCommand(fullKey: string): string {
  return `pulumi config set --secret ${fullKey}`;
}

/** The refusal of a plain-text value where a secret belongs, with the command that stores it encrypted. */
export function plainTextSecretMessage(fullKey: string): string {
  return `is plain text but is a secret; remove it from the stack file and run \`${setSecretCommand(fullKey)}\` (it prompts for the value and stores it encrypted)`;
}

const PROVIDERS = Object.keys(PROVIDER_KEYS) as (keyof typeof PROVIDER_KEYS)[];

/**
 * What is wrong with the keys of a stack's config outside `timesheets:`: an unknown
 * namespace (a typo such as `timesheet:`), a setting a provider does not document, or a
 * provider credential in plain text. `isSecret` says whether a full key's value was stored encrypted.
 */
export function foreignKeyProblems(fullKeys: readonly string[], isSecret: (fullKey: string) => boolean): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  for (const fullKey of fullKeys) {
    const colon = fullKey.indexOf(":");
    const namespace = colon < 0 ? "" : fullKey.slice(0, colon);
    const key = colon < 0 ? fullKey : fullKey.slice(colon + 1);
    if (namespace === CONFIG_NAMESPACE) continue;
    const documented = (PROVIDER_KEYS as Record<string, readonly string[]>)[namespace];
    if (documented === undefined) {
      const ours = key in CONFIG_KEYS ? ` (did you mean ${CONFIG_NAMESPACE}:${key}?)` : "";
      problems.push({
        key: fullKey,
        message: `is not a setting of this project${ours}; a stack file holds ${CONFIG_NAMESPACE}: keys and the documented settings of the ${PROVIDERS.join(" and ")} providers (see Pulumi.yaml)`,
      });
    } else if (!documented.includes(key)) {
      problems.push({
        key: fullKey,
        message: `is not a documented setting of the ${namespace} provider; expected one of ${documented.join(", ")}`,
      });
    } else if (PROVIDER_SECRET_KEYS.includes(fullKey) && !isSecret(fullKey)) {
      problems.push({ key: fullKey, message: plainTextSecretMessage(fullKey) });
    }
  }
  return problems;
}
