import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { parse } from "yaml";
import { buildTenantSpec } from "../infra/config/build";
import { rawConfigFrom } from "../infra/config/raw";
import { SecretValue } from "../infra/config/secret";
import type { TenantSpec } from "../infra/config/spec";

/** Stands in for an encrypted stack-file value that cannot be decrypted here. */
export const ENCRYPTED_PLACEHOLDER = "(encrypted in the stack file)";

/** The repository root: where Pulumi.yaml and the stack files live. */
export const REPO_ROOT = path.resolve(__dirname, "..");

const STACK_FILE = /^Pulumi\.([A-Za-z0-9_.-]+)\.yaml$/;

export function stackFilePath(stack: string, root = REPO_ROOT): string {
  return path.join(root, `Pulumi.${stack}.yaml`);
}

/** Every stack with a committed stack file, sorted. */
export function listStacks(root = REPO_ROOT): string[] {
  return readdirSync(root)
    .map((file) => STACK_FILE.exec(file)?.[1])
    .filter((stack): stack is string => stack !== undefined)
    .sort();
}

/**
 * A stack file's `config:` map, read without the Pulumi CLI or state. Encrypted
 * (`secure:`) values stay encrypted: they read as secrets whose value is unknown.
 */
export function readStackConfig(stack: string, root = REPO_ROOT): Record<string, unknown> {
  const file = stackFilePath(stack, root);
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch {
    throw new Error(`no stack file for "${stack}": ${file} does not exist (stacks here: ${listStacks(root).join(", ") || "none"})`);
  }
  const document = (parse(text) ?? {}) as { config?: Record<string, unknown> };
  const config: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(document.config ?? {})) {
    config[key] = isEncrypted(value) ? SecretValue.encrypted() : value;
  }
  return config;
}

function isEncrypted(value: unknown): boolean {
  return typeof value === "object" && value !== null && "secure" in value && Object.keys(value).length === 1;
}

/** A committed stack's tenant spec, from its stack file alone. */
export function loadStackSpec(stack: string, root = REPO_ROOT): TenantSpec {
  return buildTenantSpec(rawConfigFrom(readStackConfig(stack, root), "plain"), stack);
}

/**
 * A stack file's config as the Pulumi engine hands it to a program: every value a
 * string, structured values as JSON. Used to run the real program under mocks.
 * Encrypted values cannot be decrypted here: pass them in `secrets`, or ask for
 * `"placeholders"` where only their presence matters (an offline render masks them).
 */
export function engineConfigFor(
  stack: string,
  secrets: Readonly<Record<string, string>> | "placeholders" = {},
  root = REPO_ROOT,
): Record<string, string> {
  const engine: Record<string, string> = {};
  for (const [key, value] of Object.entries(readStackConfig(stack, root))) {
    if (value instanceof SecretValue) {
      const plain = secrets === "placeholders" ? ENCRYPTED_PLACEHOLDER : secrets[key];
      if (plain === undefined) throw new Error(`${key} is encrypted in the ${stack} stack file; pass its value to run the program offline`);
      engine[key] = plain;
    } else {
      engine[key] = typeof value === "string" ? value : JSON.stringify(value);
    }
  }
  return engine;
}
