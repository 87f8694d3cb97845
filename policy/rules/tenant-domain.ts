import type { ResourceValidationPolicy } from "@pulumi/policy";
import { environmentFor, environmentProperty, isManagementApiAudience, isThisMachine } from "../lib/config";
import { ifKnown, text, type Props } from "../lib/props";
import { AUTH0 } from "../lib/resources";

/**
 * A tenant on this machine (`127.0.0.1:PORT`, the local Auth0 of `npm run local`, or any other spelling of it) belongs to
 * environment local alone: anywhere else it is a stack file copied from local by mistake, and
 * its laxness (nothing protected) must not reach a shared environment's state.
 */
export const tenantDomain: ResourceValidationPolicy = {
  name: "tenant-domain",
  description:
    "No resource server takes the tenant's Management API identifier, and the Auth0 provider's domain names this machine (127.0.0.0/8, ::1, 0.0.0.0, localhost, *.localhost, in any spelling) only in environment local.",
  enforcementLevel: "mandatory",
  configSchema: { properties: { environment: environmentProperty } },
  validateResource: (args, reportViolation) => {
    // The provider itself where the engine shows it; otherwise the provider each Auth0 resource names.
    const provider: { props: Props } | undefined =
      args.type === AUTH0.provider ? args : args.provider?.type === AUTH0.provider ? args.provider : undefined;
    if (provider === undefined) return;
    const domain = ifKnown(() => text(provider.props, "domain"));
    if (domain === undefined) return;
    const identifier = args.type === AUTH0.resourceServer ? ifKnown(() => text(args.props, "identifier")) : undefined;
    // Auth0 holds this identifier already and answers 409 mid-deploy.
    if (identifier !== undefined && isManagementApiAudience(identifier, domain))
      reportViolation(
        `the resource server's identifier "${identifier}" is the tenant's own Management API; an API of the stack needs its own`,
      );
    if (!isThisMachine(domain)) return;
    const environment = environmentFor(args.getConfig<Props>(), args.urn);
    if (environment === "local") return;
    reportViolation(
      `the Auth0 domain "${domain}" is this machine (the local Auth0 of \`npm run local\`); a loopback domain is accepted only in environment local, and this stack is ${environment}`,
    );
  },
};
