import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import fc from "fast-check";
import { afterEach, describe, expect, test } from "vitest";
import { stringify } from "yaml";
import { loadStackSpec } from "../../stacks/stack-config";

// Each stack's spec is checked against every other stack's, so commands over many stacks build
// each spec once per file text, not once per question (stacks/stack-config.ts). What they answer
// must be what a fresh read of the files answers, whatever the files became since the last read.

let root: string | undefined;
afterEach(() => {
  if (root !== undefined) rmSync(root, { recursive: true, force: true });
  root = undefined;
});

type Tenant = "a" | "b" | "prod";

function stackFile(folder: string, stack: string, tenant: Tenant, environment: "dev" | "prod", broken: boolean): void {
  const config = {
    "timesheets:environment": environment,
    "timesheets:domain": `${tenant}.bench.auth0.com`,
    "timesheets:apiIdentifier": `https://timesheets.${stack}.example/api`,
    "timesheets:connectionName": `users-${stack}`,
    ...(broken ? { "timesheets:tokenLifetime": "soon" } : {}),
  };
  writeFileSync(path.join(folder, `Pulumi.${stack}.yaml`), stringify({ config }));
}

function outcome(stack: string, folder: string): string {
  try {
    return `spec ${JSON.stringify(loadStackSpec(stack, folder))}`;
  } catch (error) {
    return `refused ${error instanceof Error ? error.message : String(error)}`;
  }
}

describe("a stack's spec, read again after its files changed", () => {
  test("answers as a first read of the files as they are now", () => {
    const stacks = ["one", "two", "three"] as const;
    const file = fc.record({ tenant: fc.constantFrom<Tenant>("a", "b", "prod"), prod: fc.boolean(), broken: fc.boolean() });
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.constantFrom(...stacks), file), { minLength: 1, maxLength: 6 }), (edits) => {
        const folder = (root = mkdtempSync(path.join(tmpdir(), "specs-")));
        try {
          for (const stack of stacks) stackFile(folder, stack, "a", "dev", false);
          for (const stack of stacks) outcome(stack, folder);
          for (const [stack, edit] of edits) {
            stackFile(folder, stack, edit.tenant, edit.prod ? "prod" : "dev", edit.broken);
            // The same folder's files, copied: nothing of them has been read before.
            const fresh = mkdtempSync(path.join(tmpdir(), "specs-fresh-"));
            try {
              for (const other of stacks)
                writeFileSync(path.join(fresh, `Pulumi.${other}.yaml`), readFileSync(path.join(folder, `Pulumi.${other}.yaml`)));
              for (const other of stacks)
                expect(outcome(other, folder).replaceAll(folder, "<root>")).toBe(outcome(other, fresh).replaceAll(fresh, "<root>"));
            } finally {
              rmSync(fresh, { recursive: true, force: true });
            }
          }
        } finally {
          rmSync(folder, { recursive: true, force: true });
          root = undefined;
        }
      }),
      { seed: 2828, numRuns: 25 },
    );
  });

  test("a stack that comes to share another's tenant and names is refused, and accepted again once it no longer does", () => {
    const folder = (root = mkdtempSync(path.join(tmpdir(), "specs-")));
    stackFile(folder, "one", "a", "dev", false);
    stackFile(folder, "two", "b", "dev", false);
    expect(outcome("one", folder)).toMatch(/^spec /);
    stackFile(folder, "two", "prod", "prod", false);
    stackFile(folder, "one", "prod", "dev", false);
    expect(outcome("one", folder)).toMatch(/^refused .*is the prod tenant/s);
    stackFile(folder, "one", "a", "dev", false);
    expect(outcome("one", folder)).toMatch(/^spec /);
  });
});
