import { lstatSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { parseDocument, YAMLError } from "yaml";
import { specFromConfig } from "../infra/config/build";
import { TenantConfigError } from "../infra/config/errors";
import { sharedTenantProblems } from "./stack-tenants";
import { SecretValue } from "../infra/config/secret";
import type { TenantSpec } from "../infra/config/spec";
import { Ciphertext, ciphertexts, decodeNode, goText, StackValueError, type GoValue } from "./stack-file-values";
import { secretsProblems } from "./stack-secrets";
import { StackBytesError, stackFileText } from "./stack-file-bytes";

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

/** The environment of `npm run local`'s stack: its tenant is this machine, so no workflow, nightly job or `--all` reaches it. */
export const LOCAL_ENVIRONMENT = "local";

/**
 * Every stack whose tenant is a real one: the committed stacks but those in environment local.
 * What the delivery workflows deploy, preview and audit, and what `--all` means.
 */
export function listDeliveredStacks(root = REPO_ROOT): string[] {
  return listStacks(root).filter((stack) => readStackConfig(stack, root)["timesheets:environment"] !== LOCAL_ENVIRONMENT);
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
      message: `error: no stack "${name}": there is no Pulumi.${name}.yaml beside Pulumi.yaml; ${stacks} (to add one, see "Adding an environment" in docs/runbooks.md)`,
    };
  }
  return { ok: true, stack: name };
}

/** Top-level keys Pulumi reads in a stack settings file; this project uses `config` and the secrets settings. */
const STACK_FILE_KEYS = ["config", "secretsprovider", "encryptedkey", "encryptionsalt"];

/** A config value as the engine hands it over: text (structured values as JSON text), and whether it was encrypted. */
interface EngineEntry {
  readonly text: string;
  readonly object: boolean;
  readonly secret: boolean;
}

/** Reads a stack file's bytes as Pulumi does (stack-file-bytes.ts); a path that is no readable file, or bytes Pulumi refuses, become one line naming it. */
function readStackFileText(file: string): string {
  const name = path.basename(file);
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    let link = false;
    try {
      link = lstatSync(file).isSymbolicLink();
    } catch {
      // gone between the listing and the read: said below as missing
    }
    const why =
      code === "EISDIR"
        ? "is a directory, not a stack file"
        : code === "ENOENT" && link
          ? "is a symbolic link to a file that does not exist"
          : code === "ENOENT"
            ? "does not exist"
            : code === "EACCES" || code === "EPERM"
              ? "cannot be read (permission denied)"
              : `cannot be read (${code ?? "unknown error"})`;
    throw new StackFileError(`${name}: ${why}; expected a YAML file with config: at the top`);
  }
  try {
    return stackFileText(bytes);
  } catch (error) {
    if (!(error instanceof StackBytesError)) throw error;
    const key = error.key === undefined ? "" : `${error.key}: `;
    throw new StackFileError(
      `${name}:${error.line}:${error.column}: ${key}${error.reason}; Pulumi refuses the file: save it as UTF-8 (or UTF-16 with a byte order mark)`,
    );
  }
}

/** Parses a stack file as the Pulumi CLI reads it (see stack-file-values.ts); any mistake becomes lines naming the file. */
function parseStackFile(file: string, text: string): Map<string, EngineEntry> {
  const name = path.basename(file);
  // The byte order mark is gone already (readStackFileText).
  const document = parseDocument(text, { uniqueKeys: true, schema: "failsafe" });
  const error = document.errors[0];
  if (error !== undefined) throw new StackFileError(`${name}:${yamlPosition(error)}: not valid YAML: ${yamlReason(error)}`);
  const entries = new Map<string, EngineEntry>();
  if (document.contents === null) return entries;
  let top: GoValue;
  try {
    top = decodeNode(document, document.contents, "");
  } catch (problem) {
    if (problem instanceof StackValueError) {
      const where = problem.path.replace(/^config\./, "");
      throw new StackFileError(`${name}: ${where ? `${where}: ` : ""}${problem.reason}`);
    }
    throw problem;
  }
  if (typeof top !== "object" || top === null || Array.isArray(top) || top instanceof Ciphertext)
    throw new StackFileError(`${name}: expected a mapping with config: at the top, found ${typeOfNode(top)}`);
  for (const key of Object.keys(top)) {
    if (!STACK_FILE_KEYS.includes(key))
      throw new StackFileError(`${name}: ${key}: is not a stack-file setting used here; expected ${STACK_FILE_KEYS.join(", ")}`);
  }
  const config = top.config ?? null;
  if (config !== null && (typeof config !== "object" || Array.isArray(config) || config instanceof Ciphertext))
    throw new StackFileError(`${name}: config: expected a mapping of namespace:key to value, found ${typeOfNode(config)}`);
  const secure = new Map<string, readonly string[]>();
  try {
    for (const [key, value] of Object.entries(config ?? {})) {
      const encrypted = ciphertexts(value);
      if (encrypted.length > 0) secure.set(key, encrypted);
      const object = typeof value === "object" && value !== null && !(value instanceof Ciphertext);
      entries.set(key, { text: value instanceof Ciphertext ? value.text : goText(value, key), object, secret: encrypted.length > 0 });
    }
  } catch (problem) {
    if (problem instanceof StackValueError) throw new StackFileError(`${name}: ${problem.path}: ${problem.reason}`);
    throw problem;
  }
  const problems = secretsProblems(top, secure, STACK_FILE.exec(name)?.[1] ?? name);
  if (problems.length > 0) throw new StackFileError(problems.map((line) => `${name}: ${line}`).join("\n"));
  return entries;
}

function yamlPosition(error: YAMLError): string {
  const at = error.linePos?.[0];
  return at === undefined ? "?" : `${at.line}:${at.col}`;
}

function yamlReason(error: YAMLError): string {
  // The library's message repeats the position and quotes the source on further lines; keep the reason.
  return (error.message.split("\n")[0] ?? "").replace(/ at line \d+, column \d+:?$/, "").trim();
}

function typeOfNode(value: GoValue): string {
  if (Array.isArray(value)) return "a list";
  if (value === null) return "nothing";
  if (value instanceof Ciphertext) return "a secure value";
  return typeof value === "object" ? "a mapping" : JSON.stringify(goText(value, ""));
}

/** A stack file's config as the engine reads it; the name is resolved first: nothing outside this repository's stack files is read. */
function readEngineEntries(stack: string, root: string): Map<string, EngineEntry> {
  const resolved = resolveStack(stack, root);
  if (!resolved.ok) throw new StackFileError(resolved.message.replace(/^error: /, ""));
  const file = stackFilePath(resolved.stack, root);
  return parseStackFile(file, readStackFileText(file));
}

/**
 * A stack file's `config:` map, read without the Pulumi CLI or state, each value as the engine
 * hands it over: text, lists and mappings as the value their JSON holds. Encrypted (`secure:`)
 * values stay encrypted: they read as secrets whose value is unknown.
 */
export function readStackConfig(stack: string, root = REPO_ROOT): Record<string, unknown> {
  const config: Record<string, unknown> = {};
  for (const [key, entry] of readEngineEntries(stack, root)) {
    config[key] = entry.secret ? SecretValue.encrypted() : entry.object ? (JSON.parse(entry.text) as unknown) : entry.text;
  }
  return config;
}

/** A committed stack's tenant spec, from its stack file alone. `adopting`: see SpecOptions. */
export function loadStackSpec(stack: string, root = REPO_ROOT, options: { adopting?: boolean } = {}): TenantSpec {
  const spec = cachedSpecOfFile(stack, root, options);
  const problems = sharedTenantProblems(spec, otherSpecs(stack, root));
  if (problems.length > 0) throw new TenantConfigError(stack, problems);
  return spec;
}

function specOfFile(stack: string, root: string, options: { adopting?: boolean } = {}): TenantSpec {
  const config = readStackConfig(stack, root);
  return specFromConfig(config, stack, (key) => config[key] instanceof SecretValue, options);
}

type SpecOutcome = { readonly spec: TenantSpec } | { readonly error: unknown };

/** Specs already built, by stack file, with the bytes they were built from. */
const builtSpecs = new Map<string, { readonly bytes: Buffer; readonly outcome: SpecOutcome }>();

function bytesOf(file: string): Buffer | undefined {
  try {
    return readFileSync(file);
  } catch {
    return undefined;
  }
}

/**
 * specOfFile, built once per stack file content (its bytes). Every spec is checked against every
 * other stack's (loadStackSpec), so a command over n stacks asks for n² specs: built afresh each
 * time, 50 stacks took a second of CPU before the audit's first request. A file whose bytes
 * changed is built again; a name that is no stack name is never looked up, so it is refused as
 * before.
 */
function cachedSpecOfFile(stack: string, root: string, options: { adopting?: boolean } = {}): TenantSpec {
  const file = stackFilePath(stack, root);
  const bytes = STACK_NAME.test(stack) ? bytesOf(file) : undefined;
  if (bytes === undefined) return specOfFile(stack, root, options);
  const key = `${file}\0${options.adopting === true}`;
  const cached = builtSpecs.get(key);
  let outcome = cached?.bytes.equals(bytes) ? cached.outcome : undefined;
  if (outcome === undefined) {
    try {
      outcome = { spec: specOfFile(stack, root, options) };
    } catch (error) {
      outcome = { error };
    }
    // Kept only if the file did not change while it was read.
    if (bytesOf(file)?.equals(bytes)) builtSpecs.set(key, { bytes, outcome });
  }
  if ("error" in outcome) throw outcome.error;
  return outcome.spec;
}

/** The specs of this repository's other stacks; one that is refused is refused on its own, not here. */
function otherSpecs(stack: string, root: string): TenantSpec[] {
  const specs: TenantSpec[] = [];
  for (const other of listStacks(root)) {
    if (other === stack) continue;
    try {
      specs.push(cachedSpecOfFile(other, root));
    } catch (error) {
      if (!(error instanceof StackFileError || error instanceof TenantConfigError)) throw error;
    }
  }
  return specs;
}

/** The full keys whose values are encrypted in a stack file: what the engine would hand over as secrets. */
export function encryptedKeys(stack: string, root = REPO_ROOT): string[] {
  return Object.entries(readStackConfig(stack, root))
    .filter(([, value]) => value instanceof SecretValue)
    .map(([key]) => key);
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
  for (const [key, entry] of readEngineEntries(stack, root)) {
    if (entry.secret) {
      const plain = secrets === "placeholders" ? ENCRYPTED_PLACEHOLDER : secrets[key];
      if (plain === undefined) throw new Error(`${key} is encrypted in the ${stack} stack file; pass its value to run the program offline`);
      engine[key] = plain;
    } else {
      engine[key] = entry.text;
    }
  }
  return engine;
}
