import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, test } from "vitest";
import { MANAGEMENT_SCOPES } from "../../local/auth0";
import { AUDITOR_SCOPES, DEPLOYER_SCOPES, PREVIEWER_SCOPES } from "../../local/roles";
import { REPO_ROOT } from "../../stacks/stack-config";

// The local tenant's three applications are the README's "Credentials" section made real: the
// scopes listed there for each role and the constants local mode grants are one list.

/** The README and the docs/ pages, where the Credentials section may live. */
function documentation(): string {
  const docs = path.join(REPO_ROOT, "docs");
  let pages: string[] = [];
  try {
    pages = readdirSync(docs).filter((file) => file.endsWith(".md"));
  } catch {
    // No docs/ folder yet: the README holds it all.
  }
  return [
    readFileSync(path.join(REPO_ROOT, "README.md"), "utf8"),
    ...pages.map((page) => readFileSync(path.join(docs, page), "utf8")),
  ].join("\n");
}

/** The scopes in the code block that follows "**<Role>**" in the Credentials section. */
function documentedScopes(role: string): string[] {
  const match = new RegExp(`\\*\\*${role}\\*\\*[^\\n]*\\n+\`\`\`\\n([\\s\\S]*?)\`\`\``).exec(documentation());
  if (match?.[1] === undefined) throw new Error(`no scope list after **${role}** in the README or docs/`);
  return match[1].split(/\s+/).filter((scope) => scope !== "");
}

describe("the role applications of the local tenant", () => {
  test.each([
    ["Deployer", DEPLOYER_SCOPES],
    ["Previewer", PREVIEWER_SCOPES],
    ["Auditor", AUDITOR_SCOPES],
  ] as const)("%s: exactly the scopes the README lists", (role, scopes) => {
    expect([...scopes].sort()).toEqual(documentedScopes(role).sort());
    expect(new Set(scopes).size).toBe(scopes.length);
  });

  test("the read-only roles only read, and never a secret; everything the local Auth0 enforces that they hold, the deployer holds", () => {
    for (const scope of [...PREVIEWER_SCOPES, ...AUDITOR_SCOPES]) expect(scope).toMatch(/^read:(?!client_keys|client_credentials)/);
    const enforced = (scopes: readonly string[]) => scopes.filter((scope) => (MANAGEMENT_SCOPES as readonly string[]).includes(scope));
    for (const scope of enforced([...PREVIEWER_SCOPES, ...AUDITOR_SCOPES])) expect(DEPLOYER_SCOPES).toContain(scope);
    expect(enforced(DEPLOYER_SCOPES).length).toBeGreaterThan(20);
  });
});
