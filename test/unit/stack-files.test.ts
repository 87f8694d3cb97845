import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { beforeEach, describe, expect, test } from "vitest";
import { main as adopt } from "../../stacks/adopt";
import { main as audit } from "../../stacks/audit/main";
import { EXIT_ERROR } from "../../stacks/exit-codes";
import { main as render } from "../../stacks/render";
import { main as runner } from "../../stacks/runner";
import { REPO_ROOT } from "../../stacks/stack-config";

/*
 * A stack file a user got wrong, through every command that reads stack files: exit 1, one
 * message that names the file (and the line and column, or the key), no stack trace, nothing
 * written and no request sent.
 */

const dev = readFileSync(path.join(REPO_ROOT, "Pulumi.dev.yaml"), "utf8");

interface BadFile {
  readonly name: string;
  readonly text: string;
  readonly says: RegExp;
  /** The rule is for a new API: `npm run adopt` takes over an existing one, which keeps the identifier Auth0 holds. */
  readonly newApiOnly?: true;
}

const FILES: BadFile[] = [
  {
    name: "broken YAML",
    text: dev.replace("timesheets:tokenProfile: auth0", "timesheets:tokenProfile: [auth0"),
    says: /^error: Pulumi\.qa\.yaml:\d+:\d+: not valid YAML: .*]$/,
  },
  {
    name: "a key twice",
    text: `${dev}  timesheets:tokenLifetime: 60\n`,
    says: /^error: Pulumi\.qa\.yaml:\d+:\d+: not valid YAML: Map keys must be unique$/,
  },
  {
    name: "a list at the top",
    text: "- config\n",
    says: /^error: Pulumi\.qa\.yaml: expected a mapping with config: at the top, found a list$/,
  },
  { name: "config that is no mapping", text: "config: dev\n", says: /^error: Pulumi\.qa\.yaml: config: expected a mapping/ },
  {
    name: "a misspelt top-level key",
    text: dev.replace("config:", "configs:"),
    says: /^error: Pulumi\.qa\.yaml: configs: is not a stack-file setting/,
  },
  {
    name: "a plain-text password",
    text: `${dev}  timesheets:testUserPassword: plain-Hunter2-password\n`,
    says: /^error: Stack "qa" has invalid config in Pulumi\.qa\.yaml .*\n {2}timesheets:testUserPassword: is plain text but is a secret; .*pulumi config set --secret timesheets:testUserPassword/s,
  },
  {
    name: "a plain-text Auth0 client secret",
    text: `${dev}  auth0:clientSecret: plain-Hunter2-password\n`,
    says: /\n {2}auth0:clientSecret: is plain text but is a secret; .*pulumi config set --secret auth0:clientSecret/s,
  },
  {
    name: "a tab in the identifier",
    text: dev.replace(/timesheets:apiIdentifier: .*/, 'timesheets:apiIdentifier: "https://timesheets.exampleco.com/my\\tapi"'),
    says: /\n {2}timesheets:apiIdentifier: contains whitespace or an invisible or control character \(U\+0009\)/,
    newApiOnly: true,
  },
  {
    name: "a lifetime of .inf",
    text: dev.replace(/timesheets:tokenLifetime: .*/, "timesheets:tokenLifetime: .inf"),
    says: /^error: Pulumi\.qa\.yaml: timesheets:tokenLifetime: is \.inf, which Pulumi cannot read \(it refuses the whole file\)$/,
  },
];

function rootWith(text: string): string {
  const root = mkdtempSync(path.join(tmpdir(), "stack-files-"));
  writeFileSync(path.join(root, "Pulumi.yaml"), readFileSync(path.join(REPO_ROOT, "Pulumi.yaml")));
  writeFileSync(path.join(root, "Pulumi.qa.yaml"), text);
  return root;
}

const env = { AUTH0_CLIENT_ID: "id", AUTH0_CLIENT_SECRET: "secret" };

describe.each(FILES)("a stack file with $name", ({ text, says }) => {
  const sent: string[] = [];
  beforeEach(() => {
    sent.length = 0;
  });
  const fetch = ((input: unknown) => {
    sent.push(String(input));
    return Promise.reject(new Error("no network in this test"));
  }) as typeof globalThis.fetch;

  const check = (code: number, stderr: string): void => {
    expect(code).toBe(EXIT_ERROR);
    expect(stderr).toMatch(says);
    expect(stderr).not.toMatch(/\n\s+at /);
    expect(stderr).not.toContain("plain-Hunter2-password");
    expect(sent).toEqual([]);
  };

  test("npm run render refuses it and writes nothing", async () => {
    const root = rootWith(text);
    const outRoot = mkdtempSync(path.join(tmpdir(), "stack-files-out-"));
    const err: string[] = [];
    check(await render(["--stack", "qa"], { stdout: () => undefined, stderr: (t) => err.push(t), outRoot, root }), err.join("\n"));
    expect(readdirSync(outRoot)).toEqual([]);
  });

  test.each(["up", "preview"])(
    "npm run %s refuses it with render's words, before any Pulumi call, and leaves the file as it was",
    async (command) => {
      const root = rootWith(text);
      const calls: string[] = [];
      const exec = (args: readonly string[]) => {
        calls.push(args.join(" "));
        return Promise.resolve(0);
      };
      const err: string[] = [];
      const renderErr: string[] = [];
      const outRoot = mkdtempSync(path.join(tmpdir(), "stack-files-out-"));
      await render(["--stack", "qa"], { stdout: () => undefined, stderr: (t) => renderErr.push(t), outRoot, root });
      const code = await runner([command, "--stack", "qa"], {
        env,
        stderr: (t) => err.push(t),
        exec,
        capture: () => Promise.reject(new Error("no Pulumi")),
        cliInstalled: () => true,
        root,
      });
      check(code, err.join("\n"));
      expect(err.join("\n")).toBe(renderErr.join("\n"));
      expect(calls).toEqual([]);
      expect(readFileSync(path.join(root, "Pulumi.qa.yaml"), "utf8")).toBe(text);
    },
  );

  test("npm run audit reports it as the stack's error and sends nothing", async () => {
    const out: string[] = [];
    const code = await audit(["--stack", "qa"], env, {
      stdout: { write: (t) => out.push(t) },
      stderr: { write: () => undefined },
      fetch,
      root: rootWith(text),
    });
    expect(code).toBe(EXIT_ERROR);
    const report = out.join("");
    const reason = says.source.replace(/^\^error: /, "").replace(/^\\n \{2\}/, "");
    expect(report).toMatch(new RegExp(reason.replace(/\$$/, ""), "s"));
    expect(report).not.toContain("plain-Hunter2-password");
    expect(sent).toEqual([]);
  });
});

describe.each(FILES.filter((file) => file.newApiOnly !== true))("npm run adopt, a stack file with $name", ({ text, says }) => {
  test("is refused, and nothing is sent", async () => {
    const sent: string[] = [];
    const fetch = ((input: unknown) => {
      sent.push(String(input));
      return Promise.reject(new Error("no network in this test"));
    }) as typeof globalThis.fetch;
    const err: string[] = [];
    const code = await adopt(["--stack", "qa"], env, { stdout: () => undefined, stderr: (t) => err.push(t), fetch, root: rootWith(text) });
    expect(code).toBe(EXIT_ERROR);
    expect(err.join("\n")).toMatch(says);
    expect(err.join("\n")).not.toMatch(/\n\s+at /);
    expect(sent).toEqual([]);
  });
});
