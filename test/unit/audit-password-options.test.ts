import { describe, expect, test } from "vitest";
import { connectionArgs } from "../../infra/auth0/user-store";
import { buildTenantSpec } from "../../infra/config/build";
import { TenantConfigError } from "../../infra/config/errors";
import { PROD_PASSWORD_OPTIONS_FLOOR } from "../../infra/config/password-options";
import { PROD_OPTIONS_FLOOR } from "../../policy/rules/connections";
import { passwordFindings } from "../../stacks/audit/checks/connection";
import type { LiveConnection, LivePasswordOptions } from "../../stacks/auth0/model";

// The user store's password rules in either of Auth0's models: the spec declares one, the
// program sets that one, and the audit follows it (and says so when the tenant uses the other).

const base = { environment: "dev", domain: "exampleco-dev.eu.auth0.com", apiIdentifier: "https://timesheets.dev.exampleco.com/api" };
const prodBase = { ...base, environment: "prod", domain: "exampleco.eu.auth0.com", apiIdentifier: "https://timesheets.exampleco.com/api" };
const strong = { minLength: 14, characterTypes: ["uppercase", "lowercase", "number"], dictionary: true, history: 5 };

const problems = (raw: Record<string, unknown>, stack = "dev"): string[] => {
  try {
    buildTenantSpec(raw, stack);
    return [];
  } catch (error) {
    if (!(error instanceof TenantConfigError)) throw error;
    return error.problems.map((p) => `${p.key}: ${p.message}`);
  }
};

describe("the spec's password rules", () => {
  test("neither model declared: the legacy good, as before", () => {
    expect(buildTenantSpec(base, "dev").connection).toMatchObject({ passwordPolicy: "good", passwordOptions: undefined });
  });

  test("passwordOptions: parsed with defaults, and no legacy policy beside it", () => {
    const spec = buildTenantSpec({ ...base, passwordOptions: JSON.stringify(strong) }, "dev");
    expect(spec.connection.passwordPolicy).toBeUndefined();
    expect(spec.connection.passwordOptions).toEqual({
      minLength: 14,
      characterTypes: ["lowercase", "number", "uppercase"],
      characterTypeRule: "all",
      identicalCharacters: "allow",
      sequentialCharacters: "allow",
      historySize: 5,
      dictionary: true,
      profileData: false,
    });
  });

  test("both models at once are refused, as Auth0 refuses them", () => {
    expect(problems({ ...base, passwordPolicy: "good", passwordOptions: strong })).toEqual([
      "passwordOptions: is set together with passwordPolicy; Auth0 refuses a connection with both: keep one of the two",
    ]);
  });

  test("prod's floor for the current model", () => {
    expect(problems({ ...prodBase, passwordOptions: strong }, "prod")).toEqual([]);
    expect(problems({ ...prodBase, passwordOptions: { minLength: 8, characterTypes: ["number"] } }, "prod")).toEqual([
      "passwordOptions: minLength is 8; prod requires at least 12",
      "passwordOptions: characterTypes require 1 kind(s) of character; prod requires at least 3",
      "passwordOptions: dictionary is off; prod refuses common passwords",
    ]);
    expect(problems({ ...base, passwordOptions: { minLength: 0 } })).toEqual([
      "passwordOptions.minLength: 0 is not accepted; expected a whole number from 1 to 72",
    ]);
  });

  test("the policy pack's copy of prod's floor is the program's", () => {
    expect(PROD_OPTIONS_FLOOR).toEqual(PROD_PASSWORD_OPTIONS_FLOOR);
  });

  test("the program sets the declared model only", () => {
    const legacy = connectionArgs(buildTenantSpec(base, "dev").connection);
    expect(legacy.options).toMatchObject({ passwordPolicy: "good" });
    expect(legacy.options).not.toHaveProperty("passwordOptions");
    const current = connectionArgs(buildTenantSpec({ ...base, passwordOptions: strong }, "dev").connection);
    expect(current.options).not.toHaveProperty("passwordPolicy");
    expect(current.options).toMatchObject({
      passwordOptions: {
        complexity: { minLength: 14, characterTypes: ["lowercase", "number", "uppercase"], characterTypeRule: "all" },
        history: { active: true, size: 5 },
        dictionary: { active: true },
        profileData: { active: false },
      },
    });
  });
});

describe("the audit follows the declared model", () => {
  const liveOptions: LivePasswordOptions = {
    minLength: 14,
    characterTypes: ["lowercase", "number", "uppercase"],
    characterTypeRule: "all",
    identicalCharacters: "allow",
    sequentialCharacters: "allow",
    historySize: 5,
    dictionary: true,
    profileData: false,
  };
  const live = (changes: Partial<LiveConnection>): LiveConnection => ({
    id: "con_1",
    name: "timesheets-users",
    strategy: "auth0",
    passwordPolicy: undefined,
    passwordOptions: liveOptions,
    bruteForceProtection: true,
    disableSignup: true,
    ...changes,
  });
  const withOptions = buildTenantSpec({ ...base, passwordOptions: strong }, "dev");
  const legacy = buildTenantSpec({ ...base, passwordPolicy: "fair" }, "dev");
  const kinds = (findings: ReturnType<typeof passwordFindings>) => findings.map((f) => `${f.kind} ${f.severity}`);

  test("options as declared: nothing; a weaker rule is high, a stronger one low", () => {
    expect(passwordFindings(withOptions, live({}))).toEqual([]);
    expect(kinds(passwordFindings(withOptions, live({ passwordOptions: { ...liveOptions, minLength: 8, dictionary: false } })))).toEqual([
      "connection.password-min-length high",
      "connection.password-dictionary high",
    ]);
    expect(kinds(passwordFindings(withOptions, live({ passwordOptions: { ...liveOptions, historySize: 10 } })))).toEqual([
      "connection.password-history low",
    ]);
  });

  test("a connection in the other model is a finding that says so", () => {
    const [onLegacy] = passwordFindings(withOptions, live({ passwordOptions: undefined, passwordPolicy: "good" }));
    expect(onLegacy).toMatchObject({
      kind: "connection.password-model",
      severity: "high",
      expected: "password_options (current model)",
      actual: "passwordPolicy good (legacy model)",
    });
    const [onOptions] = passwordFindings(legacy, live({}));
    expect(onOptions).toMatchObject({
      kind: "connection.password-model",
      expected: "passwordPolicy fair (legacy model)",
      actual: "password_options (current model)",
    });
    expect(passwordFindings(legacy, live({ passwordOptions: undefined, passwordPolicy: "fair" }))).toEqual([]);
  });
});
