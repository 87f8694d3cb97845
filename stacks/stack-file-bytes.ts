/**
 * A stack file's bytes turned into text as the Pulumi CLI does it, so that a file Pulumi refuses
 * is refused here and a file Pulumi reads is read the same. The CLI (sdk/go/common/workspace,
 * loaders.go) drops one leading UTF-8 byte order mark (readFileStripUTF8BOM), then hands the
 * bytes to gopkg.in/yaml.v3, whose reader (readerc.go) transcribed here:
 *
 * - yaml_parser_determine_encoding: FF FE is UTF-16LE, FE FF is UTF-16BE, EF BB BF is UTF-8
 *   (each mark dropped); anything else is UTF-8;
 * - UTF-8 is decoded strictly (RFC 3629): an invalid leading or trailing octet, an incomplete or
 *   overlong sequence, a surrogate or a value above U+10FFFF ends the read;
 * - UTF-16 pairs its surrogates; a lone one, or an odd last byte, ends the read;
 * - every character must be printable: #x9, #xA, #xD, #x20-#x7E, #x85, #xA0-#xD7FF,
 *   #xE000-#xFFFD, #x10000-#x10FFFF; any other (NUL included, anywhere, comments too) ends it;
 * - NEL, LS and PS are refused too: yaml.v3 breaks the line there, the parser here would not.
 *
 * A refusal names the line, the column and at most the key on that line, never the text around
 * it: the bytes may be a secret in plain text.
 */

export class StackBytesError extends Error {
  constructor(
    readonly line: number,
    readonly column: number,
    /** The key written at the start of the offending line, when there is one. */
    readonly key: string | undefined,
    readonly reason: string,
  ) {
    super(reason);
    this.name = "StackBytesError";
  }
}

type Encoding = "utf-8" | "utf-16le" | "utf-16be";

function printable(value: number): boolean {
  return (
    value === 0x09 ||
    value === 0x0a ||
    value === 0x0d ||
    (value >= 0x20 && value <= 0x7e) ||
    value === 0x85 ||
    (value >= 0xa0 && value <= 0xd7ff) ||
    (value >= 0xe000 && value <= 0xfffd) ||
    (value >= 0x10000 && value <= 0x10ffff)
  );
}

/** The next character of UTF-8 at `at`: its value and width, or why there is none. */
function utf8At(bytes: Uint8Array, at: number): { value: number; width: number } | string {
  const octet = bytes[at] as number;
  const width = (octet & 0x80) === 0 ? 1 : (octet & 0xe0) === 0xc0 ? 2 : (octet & 0xf0) === 0xe0 ? 3 : (octet & 0xf8) === 0xf0 ? 4 : 0;
  if (width === 0) return "invalid leading UTF-8 octet";
  if (at + width > bytes.length) return "incomplete UTF-8 octet sequence";
  let value = width === 1 ? octet & 0x7f : width === 2 ? octet & 0x1f : width === 3 ? octet & 0x0f : octet & 0x07;
  for (let k = 1; k < width; k++) {
    const trailing = bytes[at + k] as number;
    if ((trailing & 0xc0) !== 0x80) return "invalid trailing UTF-8 octet";
    value = (value << 6) + (trailing & 0x3f);
  }
  const shortest = width === 1 || (width === 2 && value >= 0x80) || (width === 3 && value >= 0x800) || (width === 4 && value >= 0x10000);
  if (!shortest) return "invalid length of a UTF-8 sequence";
  if ((value >= 0xd800 && value <= 0xdfff) || value > 0x10ffff) return "invalid Unicode character";
  return { value, width };
}

/** The next character of UTF-16 at `at`. */
function utf16At(bytes: Uint8Array, at: number, littleEndian: boolean): { value: number; width: number } | string {
  const unit = (offset: number) =>
    littleEndian
      ? (bytes[offset] as number) + ((bytes[offset + 1] as number) << 8)
      : ((bytes[offset] as number) << 8) + (bytes[offset + 1] as number);
  if (at + 2 > bytes.length) return "incomplete UTF-16 character";
  const value = unit(at);
  if ((value & 0xfc00) === 0xdc00) return "unexpected low surrogate area";
  if ((value & 0xfc00) !== 0xd800) return { value, width: 2 };
  if (at + 4 > bytes.length) return "incomplete UTF-16 surrogate pair";
  const low = unit(at + 2);
  if ((low & 0xfc00) !== 0xdc00) return "expected low surrogate area";
  return { value: 0x10000 + ((value & 0x3ff) << 10) + (low & 0x3ff), width: 4 };
}

function startsWith(bytes: Uint8Array, at: number, prefix: readonly number[]): boolean {
  return prefix.every((byte, index) => bytes[at + index] === byte);
}

const UTF8_BOM = [0xef, 0xbb, 0xbf];

/**
 * Printable, but a line break to yaml.v3 (YAML 1.1's NEL, LS, PS) and text to the YAML 1.2
 * parser here: the two would read different values, so the file is refused rather than guessed.
 */
const YAML11_BREAKS = new Set([0x85, 0x2028, 0x2029]);

/**
 * The key at the start of a line read so far, named only where it cannot be part of a value: a
 * top-level setting (`config`) or a namespaced config key (`timesheets:domain`). A line inside a
 * multi-line value may look like `word: ...`; that word is never repeated.
 */
function keyOf(line: string): string | undefined {
  const match = /^(\s*)([A-Za-z0-9_.-]+(?::[A-Za-z0-9_.-]+)?):(?:\s|$)/.exec(line);
  if (match === null) return undefined;
  const [, indent, key] = match as unknown as [string, string, string];
  return indent === "" || key.includes(":") ? key : undefined;
}

/** The text of a stack file's bytes, as Pulumi reads it; a StackBytesError where Pulumi refuses the file. */
export function stackFileText(bytes: Uint8Array): string {
  // The CLI drops one UTF-8 mark itself, then yaml.v3 looks for a mark of its own.
  let at = startsWith(bytes, 0, UTF8_BOM) ? 3 : 0;
  let encoding: Encoding = "utf-8";
  if (startsWith(bytes, at, [0xff, 0xfe])) [encoding, at] = ["utf-16le", at + 2];
  else if (startsWith(bytes, at, [0xfe, 0xff])) [encoding, at] = ["utf-16be", at + 2];
  else if (startsWith(bytes, at, UTF8_BOM)) at += 3;

  const characters: string[] = [];
  let line = 1;
  let lineStart = 0;
  while (at < bytes.length) {
    const next = encoding === "utf-8" ? utf8At(bytes, at) : utf16At(bytes, at, encoding === "utf-16le");
    const problem =
      typeof next === "string"
        ? next
        : !printable(next.value)
          ? "control characters are not allowed"
          : YAML11_BREAKS.has(next.value)
            ? "is a line break to Pulumi's YAML reader (yaml.v3 reads NEL, LS and PS as one) but text to YAML 1.2; write a plain line break or remove it"
            : undefined;
    if (problem !== undefined) {
      const sofar = characters.slice(lineStart).join("");
      const value = typeof next === "string" ? undefined : next.value;
      const what = value === undefined ? problem : `${problem} (U+${value.toString(16).toUpperCase().padStart(4, "0")})`;
      throw new StackBytesError(line, characters.length - lineStart + 1, keyOf(sofar), what);
    }
    const { value, width } = next as { value: number; width: number };
    characters.push(String.fromCodePoint(value));
    if (value === 0x0a) {
      line++;
      lineStart = characters.length;
    }
    at += width;
  }
  return characters.join("");
}
