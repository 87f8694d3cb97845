import { describe, expect, it } from "vitest";
import { auditorCredentials, envSuffix } from "../../stacks/auth0/credentials";

const DEV = "exampleco-dev.eu.auth0.com";

describe("auditor credentials from the environment", () => {
  it("uses a stack's own client credentials first", () => {
    const result = auditorCredentials(
      "dev",
      DEV,
      { AUTH0_CLIENT_ID_DEV: "id-dev", AUTH0_CLIENT_SECRET_DEV: "s-dev", AUTH0_CLIENT_ID: "id", AUTH0_CLIENT_SECRET: "s" },
      true,
    );
    expect(result).toEqual({
      ok: true,
      credentials: { kind: "client", clientId: "id-dev", clientSecret: "s-dev", source: "AUTH0_CLIENT_ID_DEV/AUTH0_CLIENT_SECRET_DEV" },
    });
  });

  it("prefers a ready token over client credentials", () => {
    const result = auditorCredentials("dev", DEV, { AUTH0_API_TOKEN: "tok", AUTH0_CLIENT_ID: "id", AUTH0_CLIENT_SECRET: "s" }, false);
    expect(result).toMatchObject({ ok: true, credentials: { kind: "token", token: "tok" } });
  });

  it("uses the shared credentials for the stack AUTH0_DOMAIN names", () => {
    expect(auditorCredentials("dev", DEV, { AUTH0_DOMAIN: DEV, AUTH0_CLIENT_ID: "id", AUTH0_CLIENT_SECRET: "s" }, true)).toMatchObject({
      ok: true,
    });
  });

  it("refuses a stack whose tenant is not AUTH0_DOMAIN, naming both", () => {
    const result = auditorCredentials(
      "prod",
      "exampleco.eu.auth0.com",
      { AUTH0_DOMAIN: DEV, AUTH0_CLIENT_ID: "id", AUTH0_CLIENT_SECRET: "s" },
      false,
    );
    expect(result.ok).toBe(false);
    if (!result.ok)
      expect(result.error).toMatch(
        /AUTH0_DOMAIN is exampleco-dev.eu.auth0.com but the prod stack's tenant is exampleco.eu.auth0.com.*AUTH0_CLIENT_ID_PROD/,
      );
  });

  it("refuses a stack whose own AUTH0_DOMAIN_<STACK> differs, even with its own credentials", () => {
    const result = auditorCredentials("dev", DEV, { AUTH0_DOMAIN_DEV: "other.eu.auth0.com", AUTH0_API_TOKEN_DEV: "t" }, false);
    expect(result).toMatchObject({ ok: false });
  });

  it("with several stacks, refuses shared credentials that do not say their tenant", () => {
    const result = auditorCredentials("dev", DEV, { AUTH0_CLIENT_ID: "id", AUTH0_CLIENT_SECRET: "s" }, true);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error).toContain("need AUTH0_DOMAIN");
    // One stack named on the command line says it for them.
    expect(auditorCredentials("dev", DEV, { AUTH0_CLIENT_ID: "id", AUTH0_CLIENT_SECRET: "s" }, false).ok).toBe(true);
  });

  it("names the half of a pair that is missing", () => {
    const result = auditorCredentials("dev", DEV, { AUTH0_CLIENT_ID_DEV: "id" }, false);
    expect(result).toEqual({
      ok: false,
      error: "AUTH0_CLIENT_ID_DEV is set but AUTH0_CLIENT_SECRET_DEV is not; set both (or AUTH0_API_TOKEN_DEV)",
    });
  });

  it("says what to set when there is nothing", () => {
    const result = auditorCredentials("staging", "exampleco-staging.eu.auth0.com", { AUTH0_CLIENT_ID: "  " }, false);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error).toContain("AUTH0_CLIENT_ID_STAGING and AUTH0_CLIENT_SECRET_STAGING");
  });

  it("turns stack names into environment suffixes", () => {
    expect(envSuffix("eu-prod.2")).toBe("EU_PROD_2");
  });
});
