import { CONFIG_NAMESPACE, SECRET_KEYS } from "./schema";
import { SecretValue } from "./secret";
import { foreignKeyProblems } from "./stack-keys";
import { carriesCredentials, CREDENTIALS_MESSAGE } from "./urls";
import type { ConfigProblem } from "./errors";
import type { RawConfig } from "./build";

/**
 * Turns a flat `namespace:key → value` map (what the Pulumi engine hands a program, and
 * what a stack file's `config:` holds) into the raw config a spec is built from: this
 * project's keys without their namespace, secrets wrapped. `isSecret` says whether a
 * full key's value was stored encrypted; a secret key whose value was not stays plain
 * text, which the schema refuses. Keys of other namespaces are checked here (see
 * stack-keys.ts): they are not the spec's business, but a typo there must not pass.
 */
export function readConfigValues(
  values: Readonly<Record<string, unknown>>,
  isSecret: (fullKey: string) => boolean,
): { raw: RawConfig; problems: ConfigProblem[] } {
  const prefix = `${CONFIG_NAMESPACE}:`;
  const raw: Record<string, unknown> = {};
  for (const [fullKey, value] of Object.entries(values)) {
    if (!fullKey.startsWith(prefix)) continue;
    const key = fullKey.slice(prefix.length);
    const isSecretKey = (SECRET_KEYS as readonly string[]).includes(key);
    raw[key] = isSecretKey && typeof value === "string" && isSecret(fullKey) ? SecretValue.of(value) : value;
  }
  // A provider's setting is handed to the provider as is: a URL with credentials in it is refused there too, unquoted.
  const credentials = Object.entries(values)
    .filter(([fullKey, value]) => !fullKey.startsWith(prefix) && typeof value === "string" && carriesCredentials(value))
    .map(([fullKey]) => ({ key: fullKey, message: CREDENTIALS_MESSAGE }));
  return { raw, problems: [...credentials, ...foreignKeyProblems(Object.keys(values), isSecret)] };
}

/**
 * The `timesheets:` keys alone, for tests that build a spec from a stack file and change keys:
 * `wrap-secrets` takes every secret key's value as stored encrypted, `plain` keeps values as read.
 */
export function rawConfigFrom(values: Readonly<Record<string, unknown>>, reveal: "plain" | "wrap-secrets"): RawConfig {
  return readConfigValues(values, () => reveal === "wrap-secrets").raw;
}
