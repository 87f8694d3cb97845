import type { ResourceValidationPolicy } from "@pulumi/policy";
import { environmentFor, environmentProperty } from "../lib/config";
import { text, type Props } from "../lib/props";
import { AUTH0 } from "../lib/resources";

/**
 * People in prod sign up or are invited; a user declared in code has a password that
 * passed through the program and sits in the stack's state.
 */
export const noUsersInProd: ResourceValidationPolicy = {
  name: "no-users-in-prod",
  description: "No auth0.User resources in prod.",
  enforcementLevel: "mandatory",
  configSchema: { properties: { environment: environmentProperty } },
  validateResource: (args, reportViolation) => {
    if (args.type !== AUTH0.user) return;
    if (environmentFor(args.getConfig<Props>(), args.urn) !== "prod") return;
    reportViolation("auth0.User resources are refused in prod: a declared user's password passes through the program and its state");
  },
};

/** What deleting each kind of resource costs, which is why prod protects it. */
function lossOnDelete(type: string, props: Props): string | undefined {
  if (type === AUTH0.resourceServer) return "a new one gets a new identity: every client grant and token issued for it stops working";
  if (type === AUTH0.connection && text(props, "strategy") === "auth0") return "deleting it deletes every user stored in it";
  return undefined;
}

export const protectedInProd: ResourceValidationPolicy = {
  name: "protected-in-prod",
  description: "In prod, resource servers and database connections carry the protect resource option.",
  enforcementLevel: "mandatory",
  configSchema: { properties: { environment: environmentProperty } },
  validateResource: (args, reportViolation) => {
    const loss = lossOnDelete(args.type, args.props);
    if (loss === undefined || args.opts.protect) return;
    if (environmentFor(args.getConfig<Props>(), args.urn) !== "prod") return;
    reportViolation(`in prod this resource must be protected (protect: true): ${loss}`);
  },
};
