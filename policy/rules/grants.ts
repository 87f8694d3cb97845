import type { PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import { apiIdentifierProperty, configuredApiIdentifier, configuredTexts, DEFAULT_IMPORT_JOB_SCOPES } from "../lib/config";
import { flag, ifKnown, text, texts, type Props } from "../lib/props";
import { AUTH0, IMPORT_JOB, declaredApis, list, ofType, quoted, sameSet, sortedSet } from "../lib/resources";

function isImportJobClient(client: PolicyResource): boolean {
  return client.name === IMPORT_JOB.clientResource || ifKnown(() => text(client.props, "name")) === IMPORT_JOB.clientName;
}

/**
 * Whether a grant is the import job's. The client id is the strongest evidence but is
 * unknown while a new client is previewed, so the grant's recorded dependency on the
 * client and the program's logical names stand in for it.
 */
function isImportJobGrant(grant: PolicyResource, importJobClients: readonly PolicyResource[]): boolean {
  const clientDependencies = grant.propertyDependencies["clientId"] ?? [];
  if (clientDependencies.some(isImportJobClient)) return true;
  const clientId = ifKnown(() => text(grant.props, "clientId"));
  if (clientId !== undefined && importJobClients.some((client) => ifKnown(() => text(client.props, "clientId")) === clientId)) return true;
  return grant.name === IMPORT_JOB.grantResource || grant.parent?.type === IMPORT_JOB.component;
}

/**
 * Least privilege for machine-to-machine access: every grant names its scopes, names
 * an API of this stack, and the import job holds exactly its one set.
 */
export const clientGrantsLeastPrivilege: StackValidationPolicy = {
  name: "client-grants-least-privilege",
  description:
    "Client grants list their scopes explicitly (never allowAllScopes) and only for this stack's APIs; the import job's one grant is exactly its least-privilege set.",
  enforcementLevel: "mandatory",
  configSchema: {
    properties: {
      apiIdentifier: apiIdentifierProperty,
      importJobScopes: {
        type: "array",
        items: { type: "string" },
        minItems: 1,
        uniqueItems: true,
        default: DEFAULT_IMPORT_JOB_SCOPES,
        description: "Exactly the scopes the import job's grant holds.",
      },
    },
  },
  validateStack: (args, reportViolation) => {
    const config: Props = args.getConfig<Props>();
    const apiIdentifier = configuredApiIdentifier(config);
    const expectedScopes = sortedSet(configuredTexts(config, "importJobScopes", DEFAULT_IMPORT_JOB_SCOPES));
    const audiences = declaredApis(args.resources).map((api) => api.identifier);
    const importJobClients = ofType(args.resources, AUTH0.client).filter(isImportJobClient);
    const importJobGrants: PolicyResource[] = [];

    for (const grant of ofType(args.resources, AUTH0.clientGrant)) {
      const label = `ClientGrant ${quoted(grant)}`;
      const scopes = texts(grant.props, "scopes");
      if (flag(grant.props, "allowAllScopes") === true) {
        reportViolation(`${label} sets allowAllScopes; list the scopes it needs explicitly`, grant.urn);
      } else if (scopes === undefined) {
        reportViolation(`${label} lists no scopes; list the scopes it needs explicitly`, grant.urn);
      }
      const audience = text(grant.props, "audience");
      if (audience === undefined || !audiences.includes(audience)) {
        reportViolation(
          `${label} grants access to ${audience ?? "no audience"}, which no resource server in this stack declares; expected one of ${list(audiences)}`,
          grant.urn,
        );
      }
      if (!isImportJobGrant(grant, importJobClients)) continue;
      importJobGrants.push(grant);
      if (!sameSet(scopes ?? [], expectedScopes)) {
        reportViolation(
          `${label} is the import job's grant and lists ${list(sortedSet(scopes ?? []))}; its least-privilege set is exactly ${list(expectedScopes)}`,
          grant.urn,
        );
      }
      if (apiIdentifier !== undefined && audience !== apiIdentifier) {
        reportViolation(
          `${label} is the import job's grant but its audience is ${audience ?? "not set"}; expected the Timesheets API, ${apiIdentifier}`,
          grant.urn,
        );
      }
    }
    if (importJobGrants.length > 1) {
      const names = importJobGrants.map(quoted).join(", ");
      reportViolation(`the import job has ${importJobGrants.length} client grants (${names}); it holds exactly one, on the Timesheets API`);
    }
  },
};
