import * as pulumi from "@pulumi/pulumi";
import { specFromConfig } from "./build";
import { TenantConfigError } from "./errors";
import { ALL_SECRET_KEYS } from "./stack-keys";
import type { TenantSpec } from "./spec";

/**
 * Whether the engine handed a key over as a secret (a `secure:` value in the stack file).
 * The SDK answers through `isConfigSecret`, which it does not type as public; where it is
 * missing, a key that must be secret is taken to be one, as before this check existed.
 */
function engineSecrecy(): (fullKey: string) => boolean {
  const isConfigSecret = (pulumi.runtime as unknown as { isConfigSecret?: (key: string) => boolean }).isConfigSecret;
  if (typeof isConfigSecret !== "function") return (fullKey) => ALL_SECRET_KEYS.includes(fullKey);
  return (fullKey) => isConfigSecret(fullKey);
}

/**
 * The one place the program reads its config. The engine hands over every value
 * decrypted, with the list of those that were stored encrypted: a key that must be
 * secret (Pulumi.yaml's `secret: true`, a provider credential) is refused in plain text,
 * and wrapped here otherwise so the spec cannot print it.
 */
export function loadTenantSpec(): TenantSpec {
  const stack = pulumi.getStack();
  try {
    return specFromConfig(pulumi.runtime.allConfig(), stack, engineSecrecy());
  } catch (error) {
    // A RunError ends the program with its message alone: no stack trace for a typo in config.
    if (error instanceof TenantConfigError) throw new pulumi.RunError(error.message);
    throw error;
  }
}
