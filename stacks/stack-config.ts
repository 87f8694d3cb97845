import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { isMap, parseDocument, YAMLError } from "yaml";
import { specFromConfig } from "../infra/config/build";
import { SecretValue } from "../infra/config/secret";
import type { TenantSpec } from "../infra/config/spec";
import { fileReason } from "./problems";

/** Stands in for an encrypted stack-file value that cannot be decrypted here. */
export const ENCRYPTED_PLACEHOLDER = "(encrypted in the stack file)";

/** The repository root: where Pulumi.yaml and the stack files live. */
export const REPO_ROOT = path.resolve(__dirname, "..");

/** What a stack may be called here: the name is part of a file name, so nothing that could leave the folder. */
const STACK_NAME = /^[A-Za-z0-9_-]+$/;
const STACK_FILE = /^Pulumi\.([A-Za-z0-9_-]+)\.yaml$/;

/**
 * A stack file or stack name the user got wrong. Commands print its message alone (one or a
 * few lines, the file named) and exit 1: it is a refusal, not a crash.
 */
export class StackFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "StackFileError";
  }
}

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
 * The one check of a `--stack` name, for every command: a stack of this repository is a
 * `Pulumi.<name>.yaml` beside `Pulumi.yaml`, its name letters, digits, `-` and `_`. Anything
 * else is refused before any file is read or any request sent, in the same words everywhere.
 */
export function resolveStack(name: string, root = REPO_ROOT): { ok: true; stack: string } | { ok: false; message: string } {
  const known = listStacks(root);
  const stacks = `the stacks of this repository are ${known.join(", ") || "none"}`;
  if (!STACK_NAME.test(name)) {
    return {
      ok: false,
      message: `error: --stack ${JSON.stringify(name)} is not a stack name; expected letters, digits, - and _ only (a Pulumi.<stack>.yaml beside Pulumi.yaml); ${stacks}`,
    };
  }
  if (!known.includes(name)) {
    return {
      ok: false,
      message: `error: no stack "${name}": there is no Pulumi.${name}.yaml beside Pulumi.yaml; ${stacks} (to add one, see "Adding an environment" in the README)`,
    };
  }
  return { ok: true, stack: name };
}

/** Top-level keys Pulumi reads in a stack settings file; this project uses `config` and the secrets settings. */
const STACK_FILE_KEYS = ["config", "secretsprovider", "encryptedkey", "encryptionsalt"];

/** Parses a stack file; a YAML error becomes one line naming the file, line and column. */
function parseStackFile(file: string, text: string): Record<string, unknown> {
  const name = path.basename(file);
  const document = parseDocument(text, { uniqueKeys: true });
  const error = document.errors[0];
  if (error !== undefined) throw new StackFileError(`${name}:${yamlPosition(error)}: not valid YAML: ${yamlReason(error)}`);
  if (document.contents === null) return {};
  if (!isMap(document.contents))
    throw new StackFileError(`${name}: expected a mapping with config: at the top, found ${typeOfNode(document.toJS())}`);
  const top = document.toJS({ maxAliasCount: 100 }) as Record<string, unknown>;
  for (const key of Object.keys(top)) {
    if (!STACK_FILE_KEYS.includes(key))
      throw new StackFileError(`${name}: ${key}: is not a stack-file setting used here; expected ${STACK_FILE_KEYS.join(", ")}`);
  }
  const config = top.config;
  if (config !== undefined && config !== null && (typeof config !== "object" || Array.isArray(config)))
    throw new StackFileError(`${name}: config: expected a mapping of namespace:key to value, found ${typeOfNode(config)}`);
  return (config ?? {}) as Record<string, unknown>;
}

function yamlPosition(error: YAMLError): string {
  const at = error.linePos?.[0];
  return at === undefined ? "?" : `${at.line}:${at.col}`;
}

function yamlReason(error: YAMLError): string {
  // The library's message repeats the position and quotes the source on further lines; keep the reason.
  return (error.message.split("\n")[0] ?? "").replace(/ at line \d+, column \d+:?$/, "").trim();
}

function typeOfNode(value: unknown): string {
  if (Array.isArray(value)) return "a list";
  if (value === null) return "nothing";
  return typeof value === "object" ? "a mapping" : JSON.stringify(value);
}

/**
 * A stack file's `config:` map, read without the Pulumi CLI or state. Encrypted
 * (`secure:`) values stay encrypted: they read as secrets whose value is unknown.
 * The name is resolved first: nothing outside this repository's stack files is read.
 */
export function readStackConfig(stack: string, root = REPO_ROOT): Record<string, unknown> {
  const resolved = resolveStack(stack, root);
  if (!resolved.ok) throw new StackFileError(resolved.message.replace(/^error: /, ""));
  const file = stackFilePath(resolved.stack, root);
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    // Listed but unreadable (permissions, a folder of that name): the user's file to put right.
    throw new StackFileError(`${path.basename(file)}: cannot be read: ${fileReason(error)}`);
  }
  const document = parseStackFile(file, text);
  const config: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(document)) {
    config[key] = isEncrypted(value) ? SecretValue.encrypted() : value;
  }
  return config;
}

function isEncrypted(value: unknown): boolean {
  return typeof value === "object" && value !== null && "secure" in value && Object.keys(value).length === 1;
}

/** A committed stack's tenant spec, from its stack file alone. `adopting`: see SpecOptions. */
export function loadStackSpec(stack: string, root = REPO_ROOT, options: { adopting?: boolean } = {}): TenantSpec {
  const config = readStackConfig(stack, root);
  return specFromConfig(config, stack, (key) => config[key] instanceof SecretValue, options);
}

/** The full keys whose values are encrypted in a stack file: what the engine would hand over as secrets. */
export function encryptedKeys(stack: string, root = REPO_ROOT): string[] {
  return Object.entries(readStackConfig(stack, root))
    .filter(([, value]) => value instanceof SecretValue)
    .map(([key]) => key);
}

/** A stack-file value as the engine hands it over: text, structured values as JSON, YAML's .inf and .nan as words. */
function engineValue(value: unknown): string {
  if (typeof value === "string") return value;
  if (typeof value === "number" && !Number.isFinite(value)) return String(value);
  return JSON.stringify(value);
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
      engine[key] = engineValue(value);
    }
  }
  return engine;
}
