import type { StackValidationPolicy } from "@pulumi/policy";
import { checkApiPolicy, checkOperationPolicy, type StackContext } from "../lib/apim-checks";
import { gatewayApis, namedValues, operationIdOf } from "../lib/apim-resources";
import { declaredApis, quoted } from "../lib/resources";

/**
 * The gateway lets through only Auth0 access tokens meant for an API of this stack, from
 * that API's tenant, and each operation only with its permission, decided in one place:
 * the API-level policy denies by default, so an operation without a policy of its own (or
 * one nobody declared) is refused. Mandatory; the dev policy config lowers it to advisory.
 */
export const apimJwtValidation: StackValidationPolicy = {
  name: "apim-jwt-validation",
  description:
    "Every API Management API in the stack validates access tokens once, at API scope (validate-jwt: audience and issuer of a resource server in this stack, and its tenant's keys), then denies by default: a <choose> on the operation requires each declared operation's permission as a whole word of scope and refuses any other operation (403).",
  enforcementLevel: "mandatory",
  validateStack: (args, reportViolation) => {
    const context: StackContext = { apis: declaredApis(args.resources), namedValues: namedValues(args.resources) };
    for (const { api, policies, operations } of gatewayApis(args.resources)) {
      const apiLabel = `API ${quoted(api)}`;
      if (policies.length === 0) {
        reportViolation(`${apiLabel} has no API-level policy; it must validate every request's access token with validate-jwt`, api.urn);
      }
      const operationIds = operations.map(({ operation }) => operationIdOf(operation));
      for (const policy of policies) {
        for (const problem of checkApiPolicy(policy, context, operationIds)) reportViolation(problem, policy.urn);
      }
      // No operation needs a policy of its own; one that has one must not bypass the API's.
      for (const { policies: operationPolicies } of operations) {
        for (const policy of operationPolicies) {
          for (const problem of checkOperationPolicy(policy, context)) reportViolation(problem, policy.urn);
        }
      }
    }
  },
};
