import type { StackValidationPolicy } from "@pulumi/policy";
import {
  apiIdentifierProperty,
  configuredApiIdentifier,
  configuredEnvironment,
  environmentProperty,
  ENVIRONMENTS,
  stackOf,
} from "../lib/config";
import type { Props } from "../lib/props";
import { declaredApis } from "../lib/resources";

/**
 * The rules trust the policy config to say which stack they judge. Catch the config of
 * another stack (`--policy-pack-config policy/config/dev.json` on prod) or none at all.
 */
export const policyConfigMatchesStack: StackValidationPolicy = {
  name: "policy-config-matches-stack",
  description:
    "The policy config passed with --policy-pack-config is the stack's own: its environment is the stack's, and its Timesheets API is declared in the stack.",
  enforcementLevel: "mandatory",
  configSchema: { properties: { environment: environmentProperty, apiIdentifier: apiIdentifierProperty } },
  validateStack: (args, reportViolation) => {
    const first = args.resources[0];
    if (first === undefined) return;
    const stack = stackOf(first.urn) ?? "(unknown)";
    const config: Props = args.getConfig<Props>();
    const environment = configuredEnvironment(config);
    const stackIsEnvironment = (ENVIRONMENTS as readonly string[]).includes(stack);

    if (environment === undefined && !stackIsEnvironment) {
      reportViolation(
        `the policy config names no environment and the stack "${stack}" is not named after one, so prod's rules apply; pass --policy-pack-config with the stack's config`,
      );
    } else if (environment !== undefined && stackIsEnvironment && environment !== stack) {
      reportViolation(
        `the policy config is for ${environment} but the stack is "${stack}"; pass --policy-pack-config policy/config/${stack}.json`,
      );
    }
    const apiIdentifier = configuredApiIdentifier(config);
    if (apiIdentifier !== undefined && !declaredApis(args.resources).some((api) => api.identifier === apiIdentifier)) {
      reportViolation(
        `the policy config names the Timesheets API ${apiIdentifier}, but no resource server in the stack "${stack}" has that identifier; is this the stack's policy config?`,
      );
    }
  },
};
