import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { clientArgs } from "../../infra/auth0/integration-test-app";
import { loadStackSpec } from "../../stacks/stack-config";
import { INTEGRATION_TEST_APP_NAME, PASSWORD_REALM_GRANT } from "../../infra/config/spec";
import { INTEGRATION_TEST_APP } from "../../policy/lib/resources";
import { passwordGrants } from "../../policy/rules";
import { messages, validateResource } from "./support/policy-args";
import { T } from "./support/fixtures";

const env = (environment: string) => ({ "password-grants": { environment } });
const testApp = (stack: string, props: Record<string, unknown> = {}, name = "integration-test-client") => ({
  type: T.client,
  name,
  stack,
  props: { name: "Timesheets Integration Test", appType: "regular_web", grantTypes: [PASSWORD_REALM_GRANT], ...props },
});
const otherClient = (stack: string, grantTypes: string[]) => ({
  type: T.client,
  name: "reporting-client",
  stack,
  props: { name: "Reporting", appType: "regular_web", grantTypes },
});

describe("password-grants", () => {
  test("the pack names the integration-test application as the program does", () => {
    expect(INTEGRATION_TEST_APP.clientName).toBe(INTEGRATION_TEST_APP_NAME);
    expect(INTEGRATION_TEST_APP.grantType).toBe(PASSWORD_REALM_GRANT);
    const application = loadStackSpec("dev").testUser?.application;
    expect(application && clientArgs(application).grantTypes).toEqual([INTEGRATION_TEST_APP.grantType]);
  });

  test("accepts the integration-test application in dev and staging", async () => {
    for (const stack of ["dev", "staging"]) {
      expect(await validateResource(passwordGrants, testApp(stack), env(stack))).not.toHaveBeenCalled();
    }
  });

  test("refuses the integration-test application in prod, found by its Auth0 name or its logical name", async () => {
    const message =
      "the integration-test application is refused in prod: it signs a test user in with a known password; remove testUserEmail";
    expect(messages(await validateResource(passwordGrants, testApp("prod"), env("prod")))).toEqual([message]);
    expect(messages(await validateResource(passwordGrants, testApp("prod", {}, "renamed"), env("prod")))).toEqual([message]);
    expect(messages(await validateResource(passwordGrants, testApp("prod", { name: "Renamed" }), env("prod")))).toEqual([message]);
  });

  test("holds the integration-test application to the realm-bound grant alone", async () => {
    const report = await validateResource(
      passwordGrants,
      testApp("dev", { grantTypes: [PASSWORD_REALM_GRANT, "client_credentials"] }),
      env("dev"),
    );
    expect(messages(report)).toEqual([
      `the integration-test application's grantTypes is [${PASSWORD_REALM_GRANT}, client_credentials]; expected exactly [${PASSWORD_REALM_GRANT}]`,
    ]);
  });

  test("refuses any password grant on any other client, in every environment", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom("dev", "staging", "prod"),
        fc.subarray(["authorization_code", "refresh_token", "client_credentials", "implicit"]),
        fc.subarray(["password", PASSWORD_REALM_GRANT], { minLength: 1 }),
        async (stack, others, passwords) => {
          const report = await validateResource(passwordGrants, otherClient(stack, [...others, ...passwords]), env(stack));
          expect(report).toHaveBeenCalledTimes(1);
          expect(messages(report)[0]).toContain(`grantTypes lists [${passwords.join(", ")}]`);
        },
      ),
      { seed: 14, numRuns: 60 },
    );
  });

  test("leaves clients without a password grant alone", async () => {
    expect(
      await validateResource(passwordGrants, otherClient("prod", ["authorization_code", "refresh_token"]), env("prod")),
    ).not.toHaveBeenCalled();
  });
});
