import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { buildTenantSpec, type RawConfig } from "../../infra/config/build";
import { TenantConfigError } from "../../infra/config/errors";
import { CHARACTER_TYPES } from "../../infra/config/password-options";
import { main, type RunnerIo } from "../../stacks/runner";

// What Auth0 would refuse half-way through a deployment (after the API and the clients exist)
// is refused by the spec, in every environment, before anything is declared.

const BASE = { domain: "exampleco-qa.eu.auth0.com", apiIdentifier: "https://timesheets.exampleco.com/api" };
const NON_PROD = ["local", "dev", "staging"] as const;

function problemsOf(raw: RawConfig, stack = "qa"): { key: string; message: string }[] {
  try {
    buildTenantSpec(raw, stack);
    return [];
  } catch (error) {
    if (!(error instanceof TenantConfigError)) throw error;
    return error.problems.map((p) => ({ key: p.key, message: p.message }));
  }
}

const local = (raw: Record<string, unknown>) => (raw.environment === "local" ? { ...raw, domain: "127.0.0.1:7443" } : raw);

describe("passwordOptions", () => {
  test("three_of_four with fewer than four character types is refused in every environment", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...NON_PROD, "prod"),
        fc.subarray([...CHARACTER_TYPES], { maxLength: 3 }),
        (environment, characterTypes) => {
          const raw = local({
            ...BASE,
            environment,
            passwordOptions: { minLength: 14, characterTypes, characterTypeRule: "three_of_four", dictionary: true },
          });
          const problems = problemsOf(raw).filter((p) => p.key === "passwordOptions");
          expect(problems.map((p) => p.message)).toContainEqual(expect.stringMatching(/three_of_four needs all four characterTypes/));
        },
      ),
      { seed: 26, numRuns: 60 },
    );
  });

  test("the generated test user password is at least as long as any minLength asks", () => {
    fc.assert(
      fc.property(fc.constantFrom(...NON_PROD), fc.integer({ min: 1, max: 72 }), (environment, minLength) => {
        const spec = buildTenantSpec(
          local({ ...BASE, environment, testUserEmail: "timesheets-test@qa.exampleco.com", passwordOptions: { minLength } }),
          "qa",
        );
        expect(spec.testUser?.generatedPasswordLength).toBeGreaterThanOrEqual(Math.max(minLength, 32));
        expect(spec.testUser?.generatedPasswordLength).toBeLessThanOrEqual(72);
      }),
      { seed: 26, numRuns: 60 },
    );
  });
});

describe("the API identifier", () => {
  test.each([
    "https://exampleco-qa.eu.auth0.com/api/v2/",
    "https://EXAMPLECO-QA.eu.auth0.com/api/v2/",
    "https://exampleco-qa.eu.auth0.com:443/api/v2/",
  ])("%s, the tenant's own Management API, is refused", (apiIdentifier) => {
    expect(problemsOf({ ...BASE, environment: "dev", apiIdentifier })).toContainEqual({
      key: "apiIdentifier",
      message: expect.stringMatching(/the tenant's own Management API/),
    });
  });

  test("another tenant's Management API path is only a URL like any other", () => {
    expect(problemsOf({ ...BASE, environment: "dev", apiIdentifier: "https://timesheets.exampleco.com/api/v2/" })).toEqual([]);
  });
});

describe("permissions are RFC 6749 scope tokens", () => {
  const NQCHAR = /^[\x21\x23-\x5B\x5D-\x7E]+$/;
  const permissionsProblems = (name: string) =>
    problemsOf({ ...BASE, environment: "dev", permissions: [{ name, description: "A permission" }], importJobScopes: [name] });

  test("“export:timesheets” with curly quotes is refused, naming the key", () => {
    expect(permissionsProblems("“export:timesheets”").map((p) => p.key)).toContain("permissions.0.name");
  });

  test("a name is accepted exactly when every character is a scope-token character", () => {
    fc.assert(
      fc.property(
        fc.string({
          minLength: 1,
          maxLength: 20,
          unit: fc.oneof(
            fc.constantFrom(...'"\\ “”é\t'),
            fc.integer({ min: 0x20, max: 0x7e }).map((code) => String.fromCharCode(code)),
          ),
        }),
        (name) => {
          const refused = permissionsProblems(name).some((p) => p.key === "permissions.0.name");
          expect(refused, JSON.stringify(name)).toBe(!NQCHAR.test(name));
        },
      ),
      { seed: 6749, numRuns: 200 },
    );
  });
});

describe("a stack without its policy config", () => {
  test("is refused by preview and up before Pulumi runs, naming the file", async () => {
    const root = mkdtempSync(path.join(tmpdir(), "no-policy-config-"));
    writeFileSync(path.join(root, "Pulumi.yaml"), "name: timesheets\nruntime: nodejs\n");
    writeFileSync(path.join(root, "Pulumi.qa9.yaml"), "config: {}\n");
    for (const command of ["preview", "up"]) {
      const calls: string[][] = [];
      const errors: string[] = [];
      const io: RunnerIo = {
        env: { AUTH0_CLIENT_ID: "id", AUTH0_CLIENT_SECRET: "secret" },
        stderr: (line) => errors.push(line),
        exec: async (args) => (calls.push([...args]), 0),
        capture: async (args) => (calls.push([...args]), { code: 0, stdout: "{}" }),
        cliInstalled: () => true,
        checkStack: async () => ({ ok: true, spec: { adopt: {} } as never }),
        root,
      };
      expect(await main([command, "--stack", "qa9"], io)).toBe(1);
      expect(calls).toEqual([]);
      expect(errors).toEqual([expect.stringMatching(/^error: policy\/config\/qa9\.json does not exist/)]);
    }
  });
});
