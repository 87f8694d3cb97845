import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, test } from "vitest";
import { main as audit } from "../../stacks/audit/main";
import { EXIT_ERROR, EXIT_OK } from "../../stacks/exit-codes";
import { main as render } from "../../stacks/render";
import { loadStackSpec, REPO_ROOT } from "../../stacks/stack-config";

/*
 * Stack files a platform engineer writes by mistake (test/fixtures/misuse), each beside this
 * repository's own stack files as Pulumi.qa.yaml: refused before anything is rendered or sent,
 * in one message that names the file and the key and says what is accepted, never repeating a
 * secret or a credential, never a stack trace. And the files Pulumi reads fine are read the same.
 */

const FIXTURES = path.join(__dirname, "..", "fixtures", "misuse");
/** What each fixture writes in plain sight that must never be printed back. */
const NEVER_SHOWN = "Hunter2-plain-password";

const REFUSED: Readonly<Record<string, RegExp>> = {
  "secure-plain-text.yaml":
    /^error: Pulumi\.qa\.yaml: timesheets:testUserPassword: is a secure value that is not a ciphertext of this stack's secrets provider \(expected v1:<base64 nonce>:<base64 ciphertext>\); remove it, then run `export PULUMI_BACKEND_URL=.*, then `pulumi config set --secret timesheets:testUserPassword --stack qa`$/,
  "secure-without-salt.yaml":
    /^error: Pulumi\.qa\.yaml: secure values \(timesheets:testUserPassword\) but no encryptionsalt: .*restore it from version control/,
  "identifier-zero-width-space.yaml":
    /\n {2}timesheets:apiIdentifier: contains whitespace or an invisible or control character \(U\+200B\); expected an absolute URL/,
  "identifier-backslash.yaml":
    /\n {2}timesheets:apiIdentifier: ".*" is not accepted; expected an absolute URL as RFC 3986 writes one \(no backslash/,
  "identifier-credentials.yaml":
    /\n {2}timesheets:apiIdentifier: holds a URL with credentials \(user:password@ before the host\); they are not repeated here/,
  "backend-url-credentials.yaml": /\n {2}timesheets:apim\.backendUrl: holds a URL with credentials/,
  "api-name-angle-brackets.yaml":
    /\n {2}timesheets:apiName: contains < or >, which Auth0 \(an API's name\) refuses; expected a display name without it$/,
  "api-name-over-300.yaml": /\n {2}timesheets:apiName: is 310 characters; Auth0 \(an API's name\) takes at most 200$/,
  "permission-description-too-long.yaml":
    /\n {2}timesheets:permissions\.0\.description: is 501 characters; Auth0 \(a permission's description\) takes at most 500$/,
  "operation-display-name-newline.yaml": /\n {2}timesheets:apim\.operations\.0\.displayName: contains a control or invisible character/,
  "alias-bomb.yaml":
    /^error: Pulumi\.qa\.yaml: timesheets:x\d: expands to more than 100000 values \(YAML aliases within aliases\); Pulumi refuses it too$/,
  "value-inf.yaml": /^error: Pulumi\.qa\.yaml: timesheets:tokenLifetime: is \.inf, which Pulumi cannot read \(it refuses the whole file\)$/,
  "staging-on-prod-tenant.yaml":
    /\n {2}timesheets:domain: "exampleco\.eu\.auth0\.com" is the prod tenant \(stack "prod", Pulumi\.prod\.yaml\); a staging stack is never applied to the prod tenant/,
  "connection-collides-with-dev.yaml":
    /\n {2}timesheets:connectionName: "timesheets-users" is also stack "dev"'s \(Pulumi\.dev\.yaml\) in the same tenant exampleco-dev\.eu\.auth0\.com; Auth0 keeps one connection per name \(it answers 409\)/,
};

/** Read by Pulumi as this project reads them: accepted. */
const ACCEPTED = ["merge-key.yaml"];

/** A root with the repository's stack files and `place(root)` as the qa stack's file. */
function rootWith(place: (file: string) => void): string {
  const root = mkdtempSync(path.join(tmpdir(), "misuse-"));
  for (const file of readdirSync(REPO_ROOT).filter((name) => /^Pulumi(\.[\w-]+)?\.yaml$/.test(name)))
    copyFileSync(path.join(REPO_ROOT, file), path.join(root, file));
  place(path.join(root, "Pulumi.qa.yaml"));
  return root;
}

async function renderQa(root: string): Promise<{ code: number; stderr: string; stdout: string; written: string[] }> {
  const outRoot = mkdtempSync(path.join(tmpdir(), "misuse-out-"));
  const err: string[] = [];
  const out: string[] = [];
  const code = await render(["--stack", "qa"], { stdout: (t) => out.push(t), stderr: (t) => err.push(t), outRoot, root });
  return { code, stderr: err.join("\n"), stdout: out.join("\n"), written: readdirSync(outRoot) };
}

test("every misuse file has its expected refusal, and every expected refusal its file", () => {
  expect(readdirSync(FIXTURES).sort()).toEqual([...Object.keys(REFUSED), ...ACCEPTED].sort());
});

describe.each(Object.entries(REFUSED))("%s", (fixture, says) => {
  const root = rootWith((file) => copyFileSync(path.join(FIXTURES, fixture), file));

  test("npm run render refuses it: exit 1, its message, nothing written, nothing repeated", async () => {
    const run = await renderQa(root);
    expect(run.code).toBe(EXIT_ERROR);
    expect(run.stderr).toMatch(says);
    expect(run.stderr).toContain("Pulumi.qa.yaml");
    expect(run.stderr).not.toMatch(/\n\s+at /);
    expect(run.stderr + run.stdout).not.toContain(NEVER_SHOWN);
    expect(run.written).toEqual([]);
  });

  test("npm run audit reports the same refusal and sends nothing", async () => {
    const sent: string[] = [];
    const out: string[] = [];
    const code = await audit(
      ["--stack", "qa"],
      { AUTH0_CLIENT_ID: "id", AUTH0_CLIENT_SECRET: "secret" },
      {
        stdout: { write: (t) => out.push(t) },
        stderr: { write: () => undefined },
        fetch: ((input: unknown) => {
          sent.push(String(input));
          return Promise.reject(new Error("no network in this test"));
        }) as typeof globalThis.fetch,
        root,
      },
    );
    expect(code).toBe(EXIT_ERROR);
    const reason = says.source
      .replace(/^\^error: /, "")
      .replace(/^\\n \{2\}/, "")
      .replace(/\$$/, "");
    expect(out.join("")).toMatch(new RegExp(reason, "s"));
    expect(out.join("")).not.toContain(NEVER_SHOWN);
    expect(sent).toEqual([]);
  });
});

describe.each([
  [
    "a directory",
    (file: string) => mkdirSync(file),
    /^error: Pulumi\.qa\.yaml: is a directory, not a stack file; expected a YAML file with config: at the top$/,
  ],
  [
    "a dangling symbolic link",
    (file: string) => symlinkSync(path.join(path.dirname(file), "gone.yaml"), file),
    /^error: Pulumi\.qa\.yaml: is a symbolic link to a file that does not exist; expected a YAML file with config: at the top$/,
  ],
])("a stack file that is %s", (_name, place, says) => {
  test("is refused in one line naming it, with no stack trace", async () => {
    const run = await renderQa(rootWith(place));
    expect(run.code).toBe(EXIT_ERROR);
    expect(run.stderr).toMatch(says);
  });
});

describe.each(ACCEPTED)("%s, which Pulumi reads fine", (fixture) => {
  test("is accepted and read as Pulumi reads it: merge keys applied, numbers as their text", async () => {
    const root = rootWith((file) => copyFileSync(path.join(FIXTURES, fixture), file));
    const run = await renderQa(root);
    expect(run.code, run.stderr).toBe(EXIT_OK);
    const spec = loadStackSpec("qa", root);
    expect(spec.api.name).toBe("2026");
    expect(spec.api.tokenLifetime).toBe(7200);
    expect(spec.gateway?.service).toMatchObject({
      mode: "existing",
      resourceGroupName: "rg-platform-qa",
      serviceName: "apim-exampleco-qa",
    });
  });
});

test("the repository's own stack files pass every check here", () => {
  for (const stack of ["dev", "staging", "prod"]) expect(loadStackSpec(stack).stack).toBe(stack);
  expect(readFileSync(path.join(FIXTURES, "secure-plain-text.yaml"), "utf8")).toContain(NEVER_SHOWN);
});
