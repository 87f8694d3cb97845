import { isAlias, isMap, isPair, isScalar, isSeq, Scalar, type Document, type Node } from "yaml";

/**
 * A stack file's values as the Pulumi CLI reads them, so that what is checked here is what the
 * program is handed. The CLI (3.248, sdk/go/common/resource/config/object.go and value.go) decodes
 * the file with Go's gopkg.in/yaml.v3 into untyped values and turns each config value into text:
 * a string as written, any other scalar as Go's JSON of the typed value (`2026` → "2026",
 * `1.0` → "1", `0x10` → "16", `0123` → "83", `true` → "true"), a date as Go prints a time
 * ("2001-12-14 00:00:00 +0000 UTC"), an empty value as "", and a list or mapping as JSON text
 * (`<<` merge keys applied). A mapping whose one key is `secure` with a string is a ciphertext.
 * Checked against the real CLI with `pulumi config --show-secrets --json`.
 *
 * The `yaml` package parses (schema "failsafe": every scalar its text); the typing of plain
 * scalars below is yaml.v3's (resolve.go), transcribed. Where the CLI's reading would be
 * surprising or is not transcribed (timestamps other than a date, `!!binary`), or where the CLI
 * refuses the file (.inf and .nan cannot be written as JSON), the value is refused by key.
 */

/** One decoded value: Go's int64/uint64 (bigint), float64 (number), bool, null, string, list, map. */
export type GoValue = bigint | number | boolean | null | string | GoValue[] | { [key: string]: GoValue } | Ciphertext;

/** A `secure:` value: the ciphertext as written. */
export class Ciphertext {
  constructor(readonly text: string) {}
}

/** A value the CLI would refuse or read in a way this project will not guess at. `path` is under the key. */
export class StackValueError extends Error {
  constructor(
    readonly path: string,
    readonly reason: string,
  ) {
    super(reason);
    this.name = "StackValueError";
  }
}

/** A stack file is a few dozen nodes; an alias bomb is millions. yaml.v3 refuses excessive aliasing too. */
const MAX_NODES = 100_000;

const INT64_MIN = -(2n ** 63n);
const UINT64_MAX = 2n ** 64n - 1n;

/** yaml.v3's `yamlStyleFloat`. */
const YAML_STYLE_FLOAT = /^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/;
/** Go's strconv.ParseInt(s, 0, 64) syntax: a sign, then hex, octal (0o or a leading 0), binary or decimal digits. */
const GO_INTEGER = /^([+-]?)(?:0[xX]([0-9a-fA-F]+)|0[oO]([0-7]+)|0[bB]([01]+)|0([0-7]+)|([0-9]+))$/;
/** yaml.v3 looks for a timestamp where a plain scalar starts with four digits and a dash. */
const TIMESTAMP_START = /^[0-9]{4}-/;
const DATE_ONLY = /^([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})$/;

const RESOLVE_MAP: Readonly<Record<string, GoValue | "merge">> = {
  true: true,
  True: true,
  TRUE: true,
  false: false,
  False: false,
  FALSE: false,
  "": null,
  "~": null,
  null: null,
  Null: null,
  NULL: null,
  ".nan": Number.NaN,
  ".NaN": Number.NaN,
  ".NAN": Number.NaN,
  ".inf": Number.POSITIVE_INFINITY,
  ".Inf": Number.POSITIVE_INFINITY,
  ".INF": Number.POSITIVE_INFINITY,
  "+.inf": Number.POSITIVE_INFINITY,
  "+.Inf": Number.POSITIVE_INFINITY,
  "+.INF": Number.POSITIVE_INFINITY,
  "-.inf": Number.NEGATIVE_INFINITY,
  "-.Inf": Number.NEGATIVE_INFINITY,
  "-.INF": Number.NEGATIVE_INFINITY,
  "<<": "merge",
};

function goInteger(text: string): bigint | undefined {
  const match = GO_INTEGER.exec(text);
  if (match === null) return undefined;
  const [, sign, hex, octal, binary, legacyOctal, decimal] = match;
  const magnitude =
    hex !== undefined
      ? BigInt(`0x${hex}`)
      : octal !== undefined
        ? BigInt(`0o${octal}`)
        : binary !== undefined
          ? BigInt(`0b${binary}`)
          : legacyOctal !== undefined
            ? BigInt(`0o${legacyOctal}`)
            : BigInt(decimal ?? "0");
  const value = sign === "-" ? -magnitude : magnitude;
  if (value >= INT64_MIN && value <= UINT64_MAX) return value;
  return undefined;
}

function dateOnly(text: string): string | undefined {
  const match = DATE_ONLY.exec(text);
  if (match === null) return undefined;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(Date.UTC(year, month - 1, day));
  if (date.getUTCFullYear() !== year || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) return undefined;
  const pad = (n: number) => String(n).padStart(2, "0");
  // Go's time.Time.String() of a date-only timestamp, which is the text the CLI hands over.
  return `${match[1]}-${pad(month)}-${pad(day)} 00:00:00 +0000 UTC`;
}

/** yaml.v3's resolve() for a plain (unquoted, untagged) scalar. */
function resolvePlain(text: string, path: string): GoValue | "merge" {
  if (text in RESOLVE_MAP) return RESOLVE_MAP[text] as GoValue | "merge";
  const first = text[0] ?? "";
  if (first === ".") {
    return /^\.[0-9]+([eE][-+]?[0-9]+)?$/.test(text) ? Number(text) : text;
  }
  if (!/^[-+0-9]$/.test(first)) return text;
  if (TIMESTAMP_START.test(text)) {
    const date = dateOnly(text);
    if (date !== undefined) return date;
    if (/^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}[Tt ]/.test(text))
      throw new StackValueError(path, "is a timestamp, which Pulumi hands over in Go's own format; write it in quotes");
  }
  const plain = text.replaceAll("_", "");
  const integer = goInteger(plain);
  if (integer !== undefined) return integer;
  if (YAML_STYLE_FLOAT.test(plain)) return Number(plain);
  return text;
}

function resolveScalar(node: Scalar, path: string): GoValue | "merge" {
  const text = String(node.value);
  const tag = node.tag;
  if (tag === "tag:yaml.org,2002:str") return text;
  if (tag === "tag:yaml.org,2002:binary") throw new StackValueError(path, "is !!binary; write the text itself");
  const quoted = node.type !== Scalar.PLAIN;
  if (tag === undefined || !tag.startsWith("tag:yaml.org,2002:")) return quoted ? text : resolvePlain(text, path);
  // An explicit core tag: yaml.v3 resolves the text whatever its quoting and refuses a mismatch.
  const resolved = resolvePlain(text, path);
  const kind = tag.slice("tag:yaml.org,2002:".length);
  const actual =
    resolved === null
      ? "null"
      : typeof resolved === "bigint"
        ? "int"
        : typeof resolved === "number"
          ? "float"
          : typeof resolved === "boolean"
            ? "bool"
            : "str";
  if (kind === actual) return resolved;
  if (kind === "float" && typeof resolved === "bigint") return Number(resolved);
  throw new StackValueError(path, `is tagged !!${kind} but ${JSON.stringify(text)} is not one; Pulumi refuses the file`);
}

/** Decodes a node of a parsed stack file the way yaml.v3 decodes into Go's `any`. */
export function decodeNode(document: Document, node: Node | null | undefined, path: string): GoValue {
  let budget = MAX_NODES;
  const active = new Set<unknown>();
  const visit = (current: unknown, at: string): GoValue => {
    // Named by its top-level key: the path into a bomb is meaningless to the reader.
    if (--budget < 0)
      throw new StackValueError(
        at.split(".").slice(0, 2).join("."),
        `expands to more than ${MAX_NODES} values (YAML aliases within aliases); Pulumi refuses it too`,
      );
    if (current === null || current === undefined) return null;
    if (isAlias(current)) {
      const target = current.resolve(document);
      // `&a [*a]` is valid YAML and an endless value; yaml.v3 refuses it too.
      if (target !== undefined && active.has(target)) throw new StackValueError(at, "is a YAML alias that contains itself");
      return visit(target, at);
    }
    if (isScalar(current)) {
      const value = resolveScalar(current, at);
      return value === "merge" ? "<<" : value;
    }
    if (isSeq(current) || isMap(current)) {
      active.add(current);
      try {
        return isSeq(current) ? current.items.map((item, index) => visit(item, `${at}.${index}`)) : decodeMap(current.items, at);
      } finally {
        active.delete(current);
      }
    }
    throw new StackValueError(at, "is not a YAML value Pulumi reads");
  };
  const decodeMap = (items: readonly unknown[], at: string): { [key: string]: GoValue } => {
    const explicit: [string, GoValue][] = [];
    const merged: { [key: string]: GoValue }[] = [];
    for (const pair of items) {
      if (!isPair(pair)) continue;
      const keyNode = pair.key as Node | null;
      const isMerge = isScalar(keyNode) && keyNode.type === Scalar.PLAIN && keyNode.tag === undefined && String(keyNode.value) === "<<";
      if (isMerge) {
        const source = visit(pair.value, `${at}.<<`);
        const sources = Array.isArray(source) ? source : [source];
        for (const item of sources) {
          if (typeof item !== "object" || item === null || Array.isArray(item) || item instanceof Ciphertext)
            throw new StackValueError(at, "has a << merge key whose value is not a mapping (or a list of mappings)");
          merged.push(item);
        }
        continue;
      }
      const key = visit(keyNode, at);
      if (typeof key === "object" && key !== null)
        throw new StackValueError(at, "has a key that is a list or mapping; Pulumi takes text keys only");
      const name = typeof key === "string" ? key : goText(key, at);
      explicit.push([name, visit(pair.value, at === "" ? name : `${at}.${name}`)]);
    }
    // yaml.v3: explicit keys win over merged ones, and an earlier merge source over a later one.
    const result: { [key: string]: GoValue } = {};
    for (const source of merged.reverse()) Object.assign(result, source);
    for (const [name, value] of explicit) result[name] = value;
    const keys = Object.keys(result);
    const secure = result.secure;
    if (keys.length === 1 && typeof secure === "string") return new Ciphertext(secure) as unknown as { [key: string]: GoValue };
    return result;
  };
  return visit(node, path);
}

/** Go's JSON text of a float64: the shortest form that reads back, as JavaScript also writes it, but -0 keeps its sign. */
function goFloat(value: number, path: string): string {
  if (!Number.isFinite(value))
    throw new StackValueError(
      path,
      `is ${Number.isNaN(value) ? ".nan" : value > 0 ? ".inf" : "-.inf"}, which Pulumi cannot read (it refuses the whole file)`,
    );
  return Object.is(value, -0) ? "-0" : String(value);
}

/** Go's encoding/json text: keys sorted, <, > and & escaped as \u003c, \u003e and \u0026. */
export function goJson(value: GoValue, path: string): string {
  if (value === null) return "null";
  if (typeof value === "bigint") return value.toString();
  if (typeof value === "number") return goFloat(value, path);
  if (typeof value === "boolean") return String(value);
  if (typeof value === "string")
    return JSON.stringify(value).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
  if (value instanceof Ciphertext) return `{"secure":${goJson(value.text, path)}}`;
  if (Array.isArray(value)) return `[${value.map((item, index) => goJson(item, `${path}.${index}`)).join(",")}]`;
  const keys = Object.keys(value).sort();
  return `{${keys.map((key) => `${goJson(key, path)}:${goJson(value[key] as GoValue, `${path}.${key}`)}`).join(",")}}`;
}

/** The text the CLI hands the program for a scalar: a string as is, an empty value as "", else its JSON. */
export function goText(value: GoValue, path: string): string {
  if (value === null) return "";
  if (typeof value === "string") return value;
  return goJson(value, path);
}

/** Every ciphertext inside a decoded value. */
export function ciphertexts(value: GoValue): string[] {
  if (value instanceof Ciphertext) return [value.text];
  if (Array.isArray(value)) return value.flatMap(ciphertexts);
  if (typeof value === "object" && value !== null) return Object.values(value).flatMap(ciphertexts);
  return [];
}
