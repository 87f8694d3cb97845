import type { ConfigProblem } from "../infra/config/errors";
import type { TenantSpec } from "../infra/config/spec";

/**
 * What a stack's tenant shares with the other stacks of this repository. The README promises
 * that a non-prod spec can never be applied to the prod tenant; and two stacks in one tenant
 * collide on what Auth0 keeps unique (an API identifier, a connection name: Auth0 answers 409
 * mid-deploy) or what this project finds by name (the audit, adopt and verify find the import
 * job, the integration-test and the developer portal applications by name: two of one name are ambiguous).
 * `others` are the other stacks' specs that could be built; a stack file that cannot be read is
 * refused on its own.
 */
export function sharedTenantProblems(spec: TenantSpec, others: readonly TenantSpec[]): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const domain = spec.tenant.domain.toLowerCase();
  const file = (stack: string) => `Pulumi.${stack}.yaml`;
  for (const other of others) {
    if (other.tenant.domain.toLowerCase() !== domain) continue;
    if (spec.environment !== "prod" && other.environment === "prod") {
      problems.push({
        key: "domain",
        message: `"${spec.tenant.domain}" is the prod tenant (stack "${other.stack}", ${file(other.stack)}); a ${spec.environment} stack is never applied to the prod tenant: use the ${spec.environment} tenant's domain`,
      });
      continue;
    }
    const shared = `is also stack "${other.stack}"'s (${file(other.stack)}) in the same tenant ${spec.tenant.domain}`;
    if (spec.api.identifier === other.api.identifier)
      problems.push({
        key: "apiIdentifier",
        message: `${shared}; Auth0 keeps one API per identifier (it answers 409): give each stack its own`,
      });
    if (spec.connection.name.toLowerCase() === other.connection.name.toLowerCase())
      problems.push({
        key: "connectionName",
        message: `"${spec.connection.name}" ${shared}; Auth0 keeps one connection per name (it answers 409): give each stack its own, or each stack its own tenant`,
      });
    const applicationNames = (of: TenantSpec): (string | undefined)[] => [
      of.importJob.name,
      of.testUser?.application.name,
      of.gateway?.developerPortal?.application.name,
    ];
    const names = applicationNames(spec).filter((name) => name !== undefined);
    const otherNames = new Set<string | undefined>(applicationNames(other));
    const clashing = names.filter((name) => otherNames.has(name));
    if (clashing.length > 0)
      problems.push({
        key: "domain",
        message: `is also the tenant of stack "${other.stack}" (${file(other.stack)}), whose applications have the same names (${clashing.map((n) => `"${n}"`).join(", ")}); the audit, adopt and verify find them by name: give each stack its own tenant`,
      });
  }
  return problems;
}
