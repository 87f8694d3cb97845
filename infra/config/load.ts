import * as pulumi from "@pulumi/pulumi";
import { buildTenantSpec } from "./build";
import { TenantConfigError } from "./errors";
import { rawConfigFrom } from "./raw";
import type { TenantSpec } from "./spec";

/**
 * The one place the program reads its config. The engine hands over every value
 * decrypted; keys that Pulumi.yaml declares `secret: true` must be set as secrets
 * there, and are wrapped here so the spec cannot print them.
 */
export function loadTenantSpec(): TenantSpec {
  const stack = pulumi.getStack();
  try {
    return buildTenantSpec(rawConfigFrom(pulumi.runtime.allConfig(), "wrap-secrets"), stack);
  } catch (error) {
    // A RunError ends the program with its message alone: no stack trace for a typo in config.
    if (error instanceof TenantConfigError) throw new pulumi.RunError(error.message);
    throw error;
  }
}
