import type { ResourceValidationPolicy } from "@pulumi/policy";
import { environmentFor, environmentProperty } from "../lib/config";
import { flag, text, type Props } from "../lib/props";
import { AUTH0 } from "../lib/resources";

/**
 * Asymmetric signing only: with RS256 or PS256 a verifier holds Auth0's public key; with
 * HS256 every verifier (the gateway included) holds the secret that can mint tokens.
 */
export const resourceServerSigning: ResourceValidationPolicy = {
  name: "resource-server-signing",
  description:
    "Resource servers sign access tokens with RS256 or PS256; HS256 only where the stack's policy config allows it, never in prod.",
  enforcementLevel: "mandatory",
  configSchema: {
    properties: {
      environment: environmentProperty,
      allowHs256: { type: "boolean", default: false, description: "Allow HS256 in this stack (refused in prod whatever this says)." },
    },
  },
  validateResource: (args, reportViolation) => {
    if (args.type !== AUTH0.resourceServer) return;
    const props: Props = args.props;
    const config: Props = args.getConfig<Props>();
    const algorithm = text(props, "signingAlg");
    if (algorithm === "RS256" || algorithm === "PS256") return;
    if (algorithm === undefined) {
      reportViolation("signingAlg is not set; declare RS256 or PS256 so that the algorithm never follows a tenant default");
    } else if (algorithm !== "HS256") {
      reportViolation(`signingAlg is ${algorithm}; expected RS256 or PS256`);
    } else if (environmentFor(config, args.urn) === "prod") {
      reportViolation(
        "signingAlg is HS256, which is refused in prod (every verifier would hold the secret that signs tokens); expected RS256 or PS256",
      );
    } else if (flag(config, "allowHs256") !== true) {
      reportViolation(
        "signingAlg is HS256, which this stack's policy config does not allow (allowHs256 is false); expected RS256 or PS256",
      );
    }
  },
};
