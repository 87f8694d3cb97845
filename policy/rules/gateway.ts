import type { StackValidationPolicy } from "@pulumi/policy";
import { checkApiPolicy, checkOperationPolicy, type StackContext } from "../lib/apim-checks";
import { gatewayApis, namedValues } from "../lib/apim-resources";
import { declaredApis, quoted } from "../lib/resources";

/**
 * The gateway lets through only Auth0 access tokens meant for an API of this stack, from
 * that API's tenant, and each operation only with its permission. Mandatory; the dev
 * policy config lowers it to advisory.
 */
export const apimJwtValidation: StackValidationPolicy = {
  name: "apim-jwt-validation",
  description:
    "Every API Management API in the stack validates access tokens at API scope (validate-jwt: audience and issuer of a resource server in this stack, and its tenant's keys); every operation requires a permission in the scope claim.",
  enforcementLevel: "mandatory",
  validateStack: (args, reportViolation) => {
    const context: StackContext = { apis: declaredApis(args.resources), namedValues: namedValues(args.resources) };
    for (const { api, policies, operations } of gatewayApis(args.resources)) {
      const apiLabel = `API ${quoted(api)}`;
      if (policies.length === 0) {
        reportViolation(`${apiLabel} has no API-level policy; it must validate every request's access token with validate-jwt`, api.urn);
      }
      for (const policy of policies) {
        for (const problem of checkApiPolicy(policy, context)) reportViolation(problem, policy.urn);
      }
      for (const { operation, policies: operationPolicies } of operations) {
        if (operationPolicies.length === 0) {
          reportViolation(
            `operation ${quoted(operation)} of ${apiLabel} has no policy; every operation requires a permission in the token's scope claim`,
            operation.urn,
          );
        }
        for (const policy of operationPolicies) {
          for (const problem of checkOperationPolicy(policy, context)) reportViolation(problem, policy.urn);
        }
      }
    }
  },
};
