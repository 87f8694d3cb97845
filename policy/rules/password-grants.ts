import type { ResourceValidationPolicy } from "@pulumi/policy";
import { environmentFor, environmentProperty } from "../lib/config";
import { text, texts, type Props } from "../lib/props";
import { AUTH0, INTEGRATION_TEST_APP, list } from "../lib/resources";

/** The grants with which an application handles a user's password itself (Resource Owner Password flow). */
export const PASSWORD_GRANTS = ["password", INTEGRATION_TEST_APP.grantType] as const;

/**
 * A client that takes a user's password can replay it: only the integration-test application
 * may, only with the realm-bound grant, and never in prod, where no test user exists.
 */
export const passwordGrants: ResourceValidationPolicy = {
  name: "password-grants",
  description:
    "No client exchanges a user's password for a token, except the integration-test application (password-realm only) outside prod; in prod that application is refused too.",
  enforcementLevel: "mandatory",
  configSchema: { properties: { environment: environmentProperty } },
  validateResource: (args, reportViolation) => {
    if (args.type !== AUTH0.client) return;
    const props: Props = args.props;
    const isTestApp = args.name === INTEGRATION_TEST_APP.clientResource || text(props, "name") === INTEGRATION_TEST_APP.clientName;
    const grantTypes = texts(props, "grantTypes") ?? [];
    const passwordGrantTypes = grantTypes.filter((grant) => (PASSWORD_GRANTS as readonly string[]).includes(grant));
    const prod = environmentFor(args.getConfig<Props>(), args.urn) === "prod";

    if (prod && isTestApp) {
      reportViolation(
        "the integration-test application is refused in prod: it signs a test user in with a known password; remove testUserEmail",
      );
    } else if (prod && passwordGrantTypes.length > 0) {
      reportViolation(`grantTypes lists ${list(passwordGrantTypes)}; in prod no client exchanges a user's password for a token`);
    } else if (!isTestApp && passwordGrantTypes.length > 0) {
      reportViolation(
        `grantTypes lists ${list(passwordGrantTypes)}; only the integration-test application may exchange a user's password for a token`,
      );
    } else if (isTestApp && (grantTypes.length !== 1 || grantTypes[0] !== INTEGRATION_TEST_APP.grantType)) {
      reportViolation(
        `the integration-test application's grantTypes is ${list(grantTypes)}; expected exactly [${INTEGRATION_TEST_APP.grantType}]`,
      );
    }
  },
};
