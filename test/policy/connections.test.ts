import { describe, expect, test } from "vitest";
import { databaseConnectionHardening } from "../../policy/rules";
import { messages, validateResource } from "./support/policy-args";
import { connection } from "./support/fixtures";

const env = (environment: string, extra: Record<string, unknown> = {}) => ({ "database-connection-hardening": { environment, ...extra } });
const inProd = (input: ReturnType<typeof connection>) => ({ ...input, stack: "prod" });

describe("database-connection-hardening", () => {
  test("accepts a hardened connection in every environment", async () => {
    expect(await validateResource(databaseConnectionHardening, inProd(connection()), env("prod"))).not.toHaveBeenCalled();
    expect(await validateResource(databaseConnectionHardening, connection({ passwordPolicy: "fair" }), env("dev"))).not.toHaveBeenCalled();
  });

  test("refuses a password policy below good in prod, and an unset one", async () => {
    expect(
      messages(await validateResource(databaseConnectionHardening, inProd(connection({ passwordPolicy: "fair" })), env("prod"))),
    ).toEqual(["options.passwordPolicy is fair; prod requires good or excellent"]);
    expect(
      messages(await validateResource(databaseConnectionHardening, inProd(connection({ passwordPolicy: undefined })), env("prod"))),
    ).toEqual(["options.passwordPolicy is not set; prod requires good or excellent"]);
  });

  test("passwordOptions in prod: held to their own floor, and never beside passwordPolicy", async () => {
    const strong = {
      complexity: { minLength: 14, characterTypes: ["lowercase", "uppercase", "number"], characterTypeRule: "all" },
      dictionary: { active: true },
    };
    expect(
      await validateResource(
        databaseConnectionHardening,
        inProd(connection({ passwordPolicy: undefined, passwordOptions: strong })),
        env("prod"),
      ),
    ).not.toHaveBeenCalled();
    const weak = { complexity: { minLength: 8, characterTypes: ["number"] }, dictionary: { active: false } };
    expect(
      messages(
        await validateResource(
          databaseConnectionHardening,
          inProd(connection({ passwordPolicy: undefined, passwordOptions: weak })),
          env("prod"),
        ),
      ),
    ).toEqual([
      "options.passwordOptions.complexity.minLength is 8; prod requires at least 12",
      "options.passwordOptions.complexity requires 1 kind(s) of character; prod requires at least 3",
      "options.passwordOptions.dictionary is not active; prod refuses common passwords",
    ]);
    expect(messages(await validateResource(databaseConnectionHardening, connection({ passwordOptions: strong }), env("dev")))).toEqual([
      "options sets both passwordPolicy and passwordOptions; Auth0 refuses the mix: keep one of the two",
    ]);
  });

  test("refuses brute-force protection off", async () => {
    const report = await validateResource(databaseConnectionHardening, connection({ bruteForceProtection: false }), env("dev"));
    expect(messages(report)).toEqual(["options.bruteForceProtection is not true; database connections keep brute-force protection on"]);
  });

  test("refuses sign-ups unless the stack allows them", async () => {
    const open = connection({ disableSignup: false });
    expect(messages(await validateResource(databaseConnectionHardening, open, env("dev")))).toEqual([
      "options.disableSignup is not true; sign-ups stay disabled unless this stack's policy config sets allowSignups",
    ]);
    expect(await validateResource(databaseConnectionHardening, open, env("dev", { allowSignups: true }))).not.toHaveBeenCalled();
  });

  test("leaves connections other than databases alone", async () => {
    const social = connection({ bruteForceProtection: false, disableSignup: false }, { strategy: "google-oauth2" });
    expect(await validateResource(databaseConnectionHardening, inProd(social), env("prod"))).not.toHaveBeenCalled();
  });

  test("three_of_four with fewer than four character types is refused in every environment, as Auth0 refuses it", async () => {
    const options = { complexity: { minLength: 8, characterTypes: ["lowercase", "number"], characterTypeRule: "three_of_four" } };
    for (const environment of ["local", "dev", "staging"]) {
      expect(
        messages(
          await validateResource(
            databaseConnectionHardening,
            connection({ passwordPolicy: undefined, passwordOptions: options }),
            env(environment),
          ),
        ),
      ).toEqual([expect.stringMatching(/three_of_four with 2 characterTypes; Auth0 refuses it/)]);
    }
  });
});
