import { CONFIG_NAMESPACE, SECRET_KEYS } from "./schema";
import { SecretValue } from "./secret";
import type { RawConfig } from "./build";

/**
 * Turns a flat `namespace:key → value` map (what the Pulumi engine hands a program, and
 * what a stack file's `config:` holds) into the raw config a spec is built from: this
 * project's keys without their namespace, secrets wrapped. Other namespaces (provider
 * settings such as `azure-native:location`) are not the spec's business.
 */
export function rawConfigFrom(values: Readonly<Record<string, unknown>>, reveal: "plain" | "wrap-secrets"): RawConfig {
  const prefix = `${CONFIG_NAMESPACE}:`;
  const raw: Record<string, unknown> = {};
  for (const [fullKey, value] of Object.entries(values)) {
    if (!fullKey.startsWith(prefix)) continue;
    const key = fullKey.slice(prefix.length);
    const isSecretKey = (SECRET_KEYS as readonly string[]).includes(key);
    raw[key] = reveal === "wrap-secrets" && isSecretKey && typeof value === "string" ? SecretValue.of(value) : value;
  }
  return raw;
}
