import { describe, expect, test } from "vitest";
import { policyConfigMatchesStack } from "../../policy/rules";
import { messages, validateStack } from "./support/policy-args";
import { API, resourceServer } from "./support/fixtures";

const inStack = (stack: string) => [{ ...resourceServer(), stack }];
const config = (environment?: string, apiIdentifier: string = API) => ({
  "policy-config-matches-stack": { apiIdentifier, ...(environment === undefined ? {} : { environment }) },
});

describe("policy-config-matches-stack", () => {
  test("accepts the stack's own config", async () => {
    expect(await validateStack(policyConfigMatchesStack, inStack("dev"), config("dev"))).not.toHaveBeenCalled();
  });

  test("refuses another environment's config on a stack named after an environment", async () => {
    expect(messages(await validateStack(policyConfigMatchesStack, inStack("prod"), config("dev")))).toEqual([
      'the policy config is for dev but the stack is "prod"; pass --policy-pack-config policy/config/prod.json',
    ]);
  });

  test("refuses a config whose Timesheets API the stack does not declare", async () => {
    const report = await validateStack(policyConfigMatchesStack, inStack("dev"), config("dev", "https://timesheets.exampleco.com/api"));
    expect(messages(report)).toEqual([
      'the policy config names the Timesheets API https://timesheets.exampleco.com/api, but no resource server in the stack "dev" has that identifier; is this the stack\'s policy config?',
    ]);
  });

  test("asks for an environment where the stack's name is not one", async () => {
    expect(messages(await validateStack(policyConfigMatchesStack, inStack("feature-x"), config()))).toEqual([
      "the policy config names no environment and the stack \"feature-x\" is not named after one, so prod's rules apply; pass --policy-pack-config with the stack's config",
    ]);
    expect(await validateStack(policyConfigMatchesStack, inStack("feature-x"), config("dev"))).not.toHaveBeenCalled();
  });
});
