import { copyFileSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { parse, stringify } from "yaml";
import { buildTenantSpec } from "../../infra/config/build";
import { type Auth0StandIn } from "../../local/auth0";
import { startAuth0StandIn } from "../support/stand-in";
import { loadStackSpec, REPO_ROOT, stackFilePath } from "../../stacks/stack-config";
import { auditorEnv, jsonReport, runAudit, seedTenant } from "./audit-seed";

// Auth0 keeps a user's address in lower case and users-by-email matches it exactly: a test user
// address written in capitals must be the lower-case one everywhere, or every preview shows a
// change and the audit reports the user missing.

const WRITTEN = "Timesheets-Test@DEV.ExampleCo.com";

/** The repository's stack files, dev's test user address written in capitals. */
function capitalisedDevRoot(): string {
  const root = mkdtempSync(path.join(tmpdir(), "email-case-"));
  for (const file of readdirSync(REPO_ROOT).filter((name) => /^Pulumi(\..+)?\.yaml$/.test(name))) {
    copyFileSync(path.join(REPO_ROOT, file), path.join(root, file));
  }
  const dev = parse(readFileSync(stackFilePath("dev"), "utf8")) as { config: Record<string, unknown> };
  dev.config["timesheets:testUserEmail"] = WRITTEN;
  writeFileSync(stackFilePath("dev", root), stringify(dev));
  return root;
}

describe("the test user's address has one spelling, Auth0's", () => {
  test("the spec holds any accepted address in lower case, whatever its case as written", () => {
    fc.assert(
      fc.property(fc.emailAddress(), fc.nat(), (email, mask) => {
        const written = [...email].map((c, i) => ((mask >> (i % 30)) & 1 ? c.toUpperCase() : c)).join("");
        let spec;
        try {
          spec = buildTenantSpec(
            {
              environment: "dev",
              domain: "exampleco-qa.eu.auth0.com",
              apiIdentifier: "https://t.exampleco.com/api",
              testUserEmail: written,
            },
            "qa",
          );
        } catch {
          return; // an address zod refuses is refused in any case
        }
        expect(spec.testUser?.email).toBe(written.toLowerCase());
      }),
      { seed: 5, numRuns: 100 },
    );
  });

  describe("the audit, on a tenant where the program left the user", () => {
    const root = capitalisedDevRoot();
    let standIn: Auth0StandIn;
    beforeAll(async () => {
      standIn = await startAuth0StandIn({ domain: loadStackSpec("dev", root).tenant.domain });
    });
    afterAll(async () => standIn?.close());

    test("looks the user up by the lower-case address, and finds it", async () => {
      const spec = loadStackSpec("dev", root);
      expect(spec.testUser?.email).toBe(WRITTEN.toLowerCase());
      await seedTenant(standIn, spec);
      const asked: string[] = [];
      const recording: typeof fetch = (input, init) => {
        const url = new URL(input instanceof Request ? input.url : String(input));
        if (url.pathname === "/api/v2/users-by-email") asked.push(url.searchParams.get("email") ?? "");
        return standIn.fetch(input, init);
      };
      const run = await runAudit(["--stack", "dev", "--format", "json"], await auditorEnv(standIn), recording, undefined, root);
      expect(asked).toEqual([WRITTEN.toLowerCase()]);
      const findings = jsonReport(run).stacks[0]?.findings ?? [];
      expect(findings.filter((f) => f.kind.startsWith("test-user"))).toEqual([]);
    });
  });
});
