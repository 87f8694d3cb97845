import type { ResourceValidationPolicy } from "@pulumi/policy";
import { environmentFor, environmentProperty, PASSWORD_POLICIES, PROD_MINIMUM_PASSWORD_POLICY } from "../lib/config";
import { flag, record, text, type Props } from "../lib/props";
import { AUTH0 } from "../lib/resources";

/** prod's floor for the legacy model, `passwordPolicy`. */
const PROD_MINIMUM = PROD_MINIMUM_PASSWORD_POLICY;
/** prod's floor for Auth0's current model, `passwordOptions` (a copy of the program's; a test pins the two). */
export const PROD_OPTIONS_FLOOR = { minLength: 12, characterTypes: 3, dictionary: true } as const;

/** Why a connection's `passwordOptions` fall below prod's floor. */
function passwordOptionsProblems(passwordOptions: Props): string[] {
  const complexity = record(passwordOptions, "complexity") ?? {};
  const minLength = complexity.minLength;
  const types = Array.isArray(complexity.characterTypes) ? complexity.characterTypes.length : 0;
  const required = text(complexity, "characterTypeRule") === "three_of_four" ? Math.min(3, types) : types;
  const problems: string[] = [];
  if (typeof minLength !== "number" || minLength < PROD_OPTIONS_FLOOR.minLength)
    problems.push(
      `options.passwordOptions.complexity.minLength is ${String(minLength ?? "not set")}; prod requires at least ${PROD_OPTIONS_FLOOR.minLength}`,
    );
  if (required < PROD_OPTIONS_FLOOR.characterTypes)
    problems.push(
      `options.passwordOptions.complexity requires ${required} kind(s) of character; prod requires at least ${PROD_OPTIONS_FLOOR.characterTypes}`,
    );
  if (flag(record(passwordOptions, "dictionary") ?? {}, "active") !== PROD_OPTIONS_FLOOR.dictionary)
    problems.push("options.passwordOptions.dictionary is not active; prod refuses common passwords");
  return problems;
}

/** A database connection (strategy auth0) is where passwords live; hold it to the stack's bar. */
export const databaseConnectionHardening: ResourceValidationPolicy = {
  name: "database-connection-hardening",
  description:
    "Database connections keep brute-force protection on, disable sign-ups unless the stack allows them, declare one password model (passwordPolicy or passwordOptions, never both), list all four character types with three_of_four, and in prod a password policy of at least good or password options of at least length 12, three kinds of character and the dictionary.",
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
    const passwordOptions = record(options, "passwordOptions");
    const passwordPolicy = text(options, "passwordPolicy");
    if (passwordOptions !== undefined && passwordPolicy !== undefined) {
      reportViolation("options sets both passwordPolicy and passwordOptions; Auth0 refuses the mix: keep one of the two");
    }
    // Auth0 refuses this in any tenant, after the API and the applications exist (the program's twin: password-options.ts).
    const complexity = record(passwordOptions ?? {}, "complexity") ?? {};
    const types = Array.isArray(complexity.characterTypes) ? complexity.characterTypes.length : 0;
    if (text(complexity, "characterTypeRule") === "three_of_four" && types !== 4) {
      reportViolation(
        `options.passwordOptions.complexity.characterTypeRule is three_of_four with ${types} characterTypes; Auth0 refuses it unless all four are listed`,
      );
    }
    if (environmentFor(config, args.urn) !== "prod") return;
    if (passwordOptions !== undefined) {
      for (const problem of passwordOptionsProblems(passwordOptions)) reportViolation(problem);
      return;
    }
    if (passwordPolicy === undefined || PASSWORD_POLICIES.indexOf(passwordPolicy) < PASSWORD_POLICIES.indexOf(PROD_MINIMUM)) {
      reportViolation(`options.passwordPolicy is ${passwordPolicy ?? "not set"}; prod requires good or excellent`);
    }
  },
};
