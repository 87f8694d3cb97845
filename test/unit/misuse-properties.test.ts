import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { specFromConfig } from "../../infra/config/build";
import { TenantConfigError } from "../../infra/config/errors";
import { newApiIdentifierProblem } from "../../infra/config/urls";
import { readStackConfig, REPO_ROOT, StackFileError } from "../../stacks/stack-config";
import { isSymmetricCiphertext, secretsProblems } from "../../stacks/stack-secrets";

/*
 * The promise for the new rules, over generated input: always a refusal that names the file and
 * the key, never a crash, never a secret or a credential repeated back; and what is valid passes.
 */

const dev = readStackConfig("dev");
const SALT = "v1:FG1Bi9NtijQ=:v1:AVPq7SuDhweWoX9v:Dvewmu7S5nXIGsyAs/Qogm/Slhexwg==";

function refusal(values: Record<string, unknown>): string {
  try {
    specFromConfig(values, "dev", () => false);
  } catch (error) {
    expect(error).toBeInstanceOf(TenantConfigError);
    return (error as Error).message;
  }
  throw new Error("the config was accepted");
}

/** Credentials as a careless hand writes them: anything but the URL's own delimiters. */
const credential = fc.stringMatching(/^[A-Za-z0-9._~!$&'()*+,;=%-]{6,20}$/).map((tail) => `Pw-${tail}`);
const user = fc.stringMatching(/^[a-z][a-z0-9]{0,8}$/);

describe("a URL with credentials", () => {
  const places: [string, (url: string) => Record<string, unknown>, string][] = [
    ["timesheets:apiIdentifier", (url) => ({ ...dev, "timesheets:apiIdentifier": url }), "timesheets:apiIdentifier"],
    [
      "timesheets:apim.backendUrl",
      (url) => ({ ...dev, "timesheets:apim": { ...(dev["timesheets:apim"] as object), backendUrl: url } }),
      "timesheets:apim.backendUrl",
    ],
    [
      "timesheets:apim as the engine's JSON",
      (url) => ({ ...dev, "timesheets:apim": JSON.stringify({ ...(dev["timesheets:apim"] as object), backendUrl: url }) }),
      "timesheets:apim.backendUrl",
    ],
    ["timesheets:apiName", (url) => ({ ...dev, "timesheets:apiName": `see ${url}` }), "timesheets:apiName"],
    ["azure-native:oidcRequestUrl", (url) => ({ ...dev, "azure-native:oidcRequestUrl": url }), "azure-native:oidcRequestUrl"],
  ];

  test.each(places)("in %s is refused by key, and the credential is never repeated", (_where, place, key) => {
    fc.assert(
      fc.property(fc.constantFrom("https", "http", "ftp"), user, credential, fc.webPath(), (scheme, name, password, rest) => {
        const message = refusal(place(`${scheme}://${name}:${password}@timesheets.exampleco.com${rest}`));
        expect(message).toContain(`  ${key}: holds a URL with credentials`);
        expect(message).not.toContain(password);
        expect(message).not.toContain(`${name}:${password}`);
      }),
      { seed: 2101, numRuns: 120 },
    );
  });
});

describe("the API identifier", () => {
  const valid = fc.webUrl({ validSchemes: ["https", "http"], withQueryParameters: true, withFragments: false });

  test("any absolute http(s) URL as RFC 3986 writes it, without credentials or fragment, is accepted as written", () => {
    fc.assert(
      fc.property(valid, (url) => {
        expect(newApiIdentifierProblem(url)).toBeUndefined();
      }),
      { seed: 2102, numRuns: 400 },
    );
  });

  test("the same URL with any control, format or whitespace character anywhere is refused, naming the character", () => {
    const invisible = fc.oneof(
      fc.constantFrom("\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad", "\u202e", "\u00a0", "\u3000", "\u2028", " ", "\t", "\n"),
      fc.integer({ min: 0, max: 0x1f }).map((code) => String.fromCharCode(code)),
      fc.integer({ min: 0x7f, max: 0x9f }).map((code) => String.fromCharCode(code)),
    );
    fc.assert(
      fc.property(valid, invisible, fc.nat(), (url, char, at) => {
        const index = at % (url.length + 1);
        const problem = newApiIdentifierProblem(`${url.slice(0, index)}${char}${url.slice(index)}`);
        const code = `U+${(char.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, "0")}`;
        expect(problem).toContain(`invisible or control character (${code})`);
      }),
      { seed: 2103, numRuns: 400 },
    );
  });

  test("a backslash, a non-ASCII letter or a stray % anywhere after the scheme is refused", () => {
    fc.assert(
      fc.property(valid, fc.constantFrom("\\", "é", "%z", "%g1", "\u00e4", "{", "|", "^", "`", '"', "<"), fc.nat(), (url, bad, at) => {
        const start = url.indexOf("://") + 3;
        const index = start + (at % (url.length - start + 1));
        expect(newApiIdentifierProblem(`${url.slice(0, index)}${bad}${url.slice(index)}`)).toMatch(/RFC 3986/);
      }),
      { seed: 2104, numRuns: 300 },
    );
  });
});

describe("the API's name (Auth0's resource server name, APIM's display name)", () => {
  const visible = fc.stringMatching(/^[^<>\p{Cc}\p{Cf}\s][^<>\p{Cc}\p{Cf}]{0,198}[^<>\p{Cc}\p{Cf}\s]$/u);

  test("1 to 200 visible characters without < or > are accepted; with either, or longer, refused by key", () => {
    fc.assert(
      fc.property(visible, fc.constantFrom("<", ">"), fc.nat(), (name, bracket, at) => {
        expect(() => specFromConfig({ ...dev, "timesheets:apiName": name }, "dev", () => false)).not.toThrow();
        const index = at % (name.length + 1);
        expect(refusal({ ...dev, "timesheets:apiName": `${name.slice(0, index)}${bracket}${name.slice(index)}` })).toMatch(
          /\n {2}timesheets:apiName: (contains < or >|is \d+ characters)/,
        );
        expect(refusal({ ...dev, "timesheets:apiName": name.padEnd(201, "x") })).toContain("timesheets:apiName: is ");
      }),
      { seed: 2105, numRuns: 200 },
    );
  });
});

describe("secure values", () => {
  const ciphertext = fc
    .tuple(fc.uint8Array({ minLength: 12, maxLength: 12 }), fc.uint8Array({ minLength: 16, maxLength: 64 }))
    .map(([nonce, sealed]) => `v1:${Buffer.from(nonce).toString("base64")}:${Buffer.from(sealed).toString("base64")}`);

  test("a ciphertext of the passphrase provider's shape passes; any plain text fails by key and is never repeated", () => {
    fc.assert(
      fc.property(ciphertext, fc.string({ minLength: 1, maxLength: 40 }), (valid, plain) => {
        expect(secretsProblems({ encryptionsalt: SALT }, new Map([["timesheets:testUserPassword", [valid]]]), "dev")).toEqual([]);
        fc.pre(!isSymmetricCiphertext(plain));
        const problems = secretsProblems({ encryptionsalt: SALT }, new Map([["timesheets:testUserPassword", [plain]]]), "dev");
        expect(problems).toHaveLength(1);
        expect(problems[0]).toMatch(/^timesheets:testUserPassword: is a secure value that is not a ciphertext/);
        if (plain.length >= 4) expect(problems[0]).not.toContain(plain);
      }),
      { seed: 2106, numRuns: 400 },
    );
  });
});

describe("any value a hand writes into a stack file", () => {
  const root = mkdtempSync(path.join(tmpdir(), "misuse-properties-"));
  writeFileSync(path.join(root, "Pulumi.yaml"), readFileSync(path.join(REPO_ROOT, "Pulumi.yaml")));
  const scalarText = fc.oneof(
    fc.string({ maxLength: 24 }),
    fc.stringMatching(/^[-+]?(0[xob])?[0-9a-f_.eE+-]{0,12}$/),
    fc.constantFrom(
      ".inf",
      "-.Inf",
      ".nan",
      "~",
      "2001-12-14",
      "2001-12-14T21:59:43Z",
      "!!int x",
      "!!binary aGk=",
      "*nope",
      "&a [*a]",
      "<<: {}",
    ),
  );

  test("reads as text or is refused in lines naming the file: nothing else is thrown", () => {
    fc.assert(
      fc.property(scalarText, fc.boolean(), (text, nested) => {
        const line = nested ? `  timesheets:apim:\n    backendUrl: ${text}` : `  timesheets:apiName: ${text}`;
        writeFileSync(path.join(root, "Pulumi.qa.yaml"), `config:\n  timesheets:environment: dev\n${line}\n`);
        try {
          const config = readStackConfig("qa", root);
          const value = config[nested ? "timesheets:apim" : "timesheets:apiName"];
          if (!nested) expect(typeof value === "string").toBe(true);
        } catch (error) {
          expect(error).toBeInstanceOf(StackFileError);
          expect((error as Error).message).toMatch(/^Pulumi\.qa\.yaml(:\d+:\d+)?: /);
        }
      }),
      { seed: 2107, numRuns: 300 },
    );
  });
});
