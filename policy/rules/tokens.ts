import type { ResourceValidationPolicy } from "@pulumi/policy";
import { apiIdentifierProperty, configuredApiIdentifier, DEFAULT_MAX_TOKEN_LIFETIME } from "../lib/config";
import { count, flag, text, type Props } from "../lib/props";
import { AUTH0 } from "../lib/resources";

/** What Auth0 applies when a resource server leaves the lifetimes unset. */
const AUTH0_DEFAULT_TOKEN_LIFETIME = 86_400;

/**
 * The Timesheets API's tokens stay short-lived and are never renewed behind the user's
 * back. The API is the resource server whose identifier is the configured apiIdentifier;
 * with none configured, the rule holds every resource server in the stack to it.
 */
export const timesheetsApiTokens: ResourceValidationPolicy = {
  name: "timesheets-api-tokens",
  description:
    "The Timesheets API allows no offline access (refresh tokens), and its access tokens live no longer than the configured maximum.",
  enforcementLevel: "mandatory",
  configSchema: {
    properties: {
      apiIdentifier: apiIdentifierProperty,
      maxTokenLifetime: {
        type: "integer",
        minimum: 1,
        default: DEFAULT_MAX_TOKEN_LIFETIME,
        description: "The longest access-token lifetime allowed, in seconds.",
      },
    },
  },
  validateResource: (args, reportViolation) => {
    if (args.type !== AUTH0.resourceServer) return;
    const props: Props = args.props;
    const config: Props = args.getConfig<Props>();
    const apiIdentifier = configuredApiIdentifier(config);
    if (apiIdentifier !== undefined && text(props, "identifier") !== apiIdentifier) return;

    if (flag(props, "allowOfflineAccess") === true) {
      reportViolation("allowOfflineAccess is true; the Timesheets API issues no refresh tokens: set it to false");
    }
    const max = count(config, "maxTokenLifetime") ?? DEFAULT_MAX_TOKEN_LIFETIME;
    // Unset, the lifetime is Auth0's default of a day, held to the maximum like a declared one.
    const lifetime = count(props, "tokenLifetime");
    const effective = lifetime ?? AUTH0_DEFAULT_TOKEN_LIFETIME;
    if (effective > max) {
      const source = lifetime === undefined ? " (Auth0's default, as it is not set)" : "";
      reportViolation(`tokenLifetime is ${effective} seconds${source}; this stack allows at most ${max}`);
    }
    // Browser-flow (implicit/hybrid) lifetimes only where declared: the API is called machine to
    // machine, and an unset value is Auth0's default for flows this tenant does not offer.
    const webLifetime = count(props, "tokenLifetimeForWeb");
    if (webLifetime !== undefined && webLifetime > max) {
      reportViolation(`tokenLifetimeForWeb is ${webLifetime} seconds; this stack allows at most ${max}`);
    }
  },
};
