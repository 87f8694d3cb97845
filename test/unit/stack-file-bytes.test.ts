import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { main as render } from "../../stacks/render";
import { StackBytesError, stackFileText } from "../../stacks/stack-file-bytes";
import { loadStackSpec, REPO_ROOT, stackFilePath } from "../../stacks/stack-config";

// Stack-file bytes are read as the Pulumi CLI reads them (yaml.v3's reader): strict UTF-8,
// UTF-16 with a byte order mark, and no control character anywhere.

/** yaml.v3's printable set, less the line breaks of YAML 1.1 (NEL, LS, PS), which are refused as well. */
const printable = (c: number) =>
  (c !== 0x85 && c !== 0x2028 && c !== 0x2029 && c === 9) ||
  c === 10 ||
  c === 13 ||
  (c >= 0x20 && c <= 0x7e) ||
  c === 0x85 ||
  (c >= 0xa0 && c <= 0xd7ff) ||
  (c >= 0xe000 && c <= 0xfffd) ||
  c >= 0x10000;
const printableText = fc
  .string({ unit: "binary", maxLength: 40 })
  .filter((text) => [...text].every((c) => printable(c.codePointAt(0) ?? 0)));
const controlCharacter = fc.oneof(
  fc.integer({ min: 0, max: 8 }),
  fc.constantFrom(0x0b, 0x0c, 0x7f, 0xfffe, 0xffff),
  fc.integer({ min: 0x0e, max: 0x1f }),
  fc.integer({ min: 0x80, max: 0x9f }),
  fc.constantFrom(0x2028, 0x2029),
);

const utf16 = (text: string, littleEndian: boolean): Buffer => {
  const le = Buffer.from(`\uFEFF${text}`, "utf16le");
  return littleEndian ? le : Buffer.from(le.map((_, i) => le[i ^ 1] as number));
};

describe("stack-file bytes, as yaml.v3 reads them", () => {
  test("printable text reads back the same as UTF-8, UTF-8 with a mark, and UTF-16 LE and BE with a mark", () => {
    fc.assert(
      fc.property(printableText, (text) => {
        expect(stackFileText(Buffer.from(text, "utf8"))).toBe(text);
        expect(stackFileText(Buffer.from(`\uFEFF${text}`, "utf8"))).toBe(text);
        expect(stackFileText(utf16(text, true))).toBe(text);
        expect(stackFileText(utf16(text, false))).toBe(text);
      }),
      { seed: 3629, numRuns: 200 },
    );
  });

  test("any byte sequence is read exactly when it is strict UTF-8 of printable characters", () => {
    const strict = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 24 }), (bytes) => {
        fc.pre(!(bytes[0] === 0xef || bytes[0] === 0xff || bytes[0] === 0xfe)); // a byte order mark chooses otherwise
        let expected: string | undefined;
        try {
          expected = strict.decode(bytes);
          if (![...expected].every((c) => printable(c.codePointAt(0) ?? 0))) expected = undefined;
        } catch {
          expected = undefined;
        }
        let actual: string | undefined;
        try {
          actual = stackFileText(bytes);
        } catch (error) {
          if (!(error instanceof StackBytesError)) throw error;
        }
        expect(actual).toBe(expected);
      }),
      { seed: 3629, numRuns: 500 },
    );
  });

  test("a control character or YAML 1.1 line break anywhere, in any encoding, is refused at its line and column, quoting nothing but the key", () => {
    fc.assert(
      fc.property(
        printableText.filter((t) => !t.includes("\n") && !t.includes(":")),
        controlCharacter,
        fc.nat(2),
        (around, control, form) => {
          const text = `config:\n  timesheets:apiName: ${around}${String.fromCodePoint(control)}${around}\n`;
          const bytes = form === 0 ? Buffer.from(text, "utf8") : utf16(text, form === 1);
          let refusal: StackBytesError | undefined;
          try {
            stackFileText(bytes);
          } catch (error) {
            if (error instanceof StackBytesError) refusal = error;
          }
          expect(refusal).toMatchObject({ line: 2, column: 23 + [...around].length, key: "timesheets:apiName" });
        },
      ),
      { seed: 3629, numRuns: 200 },
    );
  });
});

/** A folder with the repository's Pulumi.yaml and a dev stack file of these bytes. */
function devRootWith(bytes: Buffer): string {
  const root = mkdtempSync(path.join(tmpdir(), "stack-bytes-"));
  copyFileSync(path.join(REPO_ROOT, "Pulumi.yaml"), path.join(root, "Pulumi.yaml"));
  writeFileSync(stackFilePath("dev", root), bytes);
  return root;
}

async function renderMessage(root: string): Promise<{ code: number; stderr: string }> {
  const stderr: string[] = [];
  const code = await render(["--stack", "dev"], { stdout: () => undefined, stderr: (text) => stderr.push(text), root, outRoot: root });
  return { code, stderr: stderr.join("\n") };
}

test("a line inside a multi-line value names no key: what looks like one may be part of a secret", () => {
  const bytes = Buffer.concat([Buffer.from("config:\n  timesheets:apiName: |\n    hunter: two", "utf8"), Buffer.from([0xe9, 0x0a])]);
  expect(() => stackFileText(bytes)).toThrow(expect.objectContaining({ line: 3, key: undefined }));
});

describe("every command reads a stack file's bytes as Pulumi does", () => {
  const devText = readFileSync(stackFilePath("dev"), "utf8");

  test("a Windows-1252 é in a value is refused naming the key, not the value", async () => {
    const bytes = Buffer.from(
      devText.replace("timesheets:environment: dev", "timesheets:environment: dev\n  timesheets:apiName: Caf\u00e9 API"),
      "latin1",
    );
    const { code, stderr } = await renderMessage(devRootWith(bytes));
    expect(code).toBe(1);
    expect(stderr).toMatch(
      /^error: Pulumi\.dev\.yaml:\d+:\d+: timesheets:apiName: invalid (leading|trailing) UTF-8 octet; Pulumi refuses the file/,
    );
    expect(stderr).not.toContain("Caf");
  });

  test("a NUL in a comment is refused", async () => {
    const { code, stderr } = await renderMessage(devRootWith(Buffer.from(`# notes\u0000\n${devText}`, "utf8")));
    expect(code).toBe(1);
    expect(stderr).toMatch(/Pulumi\.dev\.yaml:1:8: control characters are not allowed \(U\+0000\)/);
  });

  test("the dev stack file in UTF-16 with a mark is the same stack", () => {
    expect(loadStackSpec("dev", devRootWith(utf16(devText, true)))).toEqual(loadStackSpec("dev"));
    expect(loadStackSpec("dev", devRootWith(utf16(devText, false)))).toEqual(loadStackSpec("dev"));
  });

  test("a plain secret in a UTF-16 file is refused by key, never repeated", async () => {
    const text = `${devText.trimEnd()}\n  timesheets:testUserPassword: Plain-Secret-4711\n`;
    const { code, stderr } = await renderMessage(devRootWith(utf16(text, true)));
    expect(code).toBe(1);
    expect(stderr).toContain("timesheets:testUserPassword");
    expect(stderr).not.toContain("4711");
    expect(stderr).not.toContain("\u0000");
  });
});
