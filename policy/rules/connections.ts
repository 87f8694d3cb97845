import type { ResourceValidationPolicy } from "@pulumi/policy";
import { environmentFor, environmentProperty, PASSWORD_POLICIES, PROD_MINIMUM_PASSWORD_POLICY } from "../lib/config";
import { flag, record, text, type Props } from "../lib/props";
import { AUTH0 } from "../lib/resources";

/** Auth0's password policies, weakest first. */
const PROD_MINIMUM = PROD_MINIMUM_PASSWORD_POLICY;

/** A database connection (strategy auth0) is where passwords live; hold it to the stack's bar. */
export const databaseConnectionHardening: ResourceValidationPolicy = {
  name: "database-connection-hardening",
  description:
    "Database connections keep brute-force protection on, disable sign-ups unless the stack allows them, and use a password policy of at least good in prod.",
  enforcementLevel: "mandatory",
  configSchema: {
    properties: {
      environment: environmentProperty,
      allowSignups: { type: "boolean", default: false, description: "Let people sign themselves up to the stack's database connections." },
    },
  },
  validateResource: (args, reportViolation) => {
    if (args.type !== AUTH0.connection) return;
    const props: Props = args.props;
    if (text(props, "strategy") !== "auth0") return;
    const config: Props = args.getConfig<Props>();
    const options = record(props, "options") ?? {};

    if (flag(options, "bruteForceProtection") !== true) {
      reportViolation("options.bruteForceProtection is not true; database connections keep brute-force protection on");
    }
    if (flag(config, "allowSignups") !== true && flag(options, "disableSignup") !== true) {
      reportViolation("options.disableSignup is not true; sign-ups stay disabled unless this stack's policy config sets allowSignups");
    }
    if (environmentFor(config, args.urn) !== "prod") return;
    const passwordPolicy = text(options, "passwordPolicy");
    if (passwordPolicy === undefined || PASSWORD_POLICIES.indexOf(passwordPolicy) < PASSWORD_POLICIES.indexOf(PROD_MINIMUM)) {
      reportViolation(`options.passwordPolicy is ${passwordPolicy ?? "not set"}; prod requires good or excellent`);
    }
  },
};
