import { badRequest } from "../errors.js";
import { databaseOptionDefaults } from "../store.js";
import { isJsonObject, type JsonObject, type JsonValue } from "../validation.js";

// The options of a database (`auth0`) connection: what Auth0 adds to them and what it refuses.
// Each rule is recorded (shared/auth0-recordings, TestAccConnection* files) unless it says it is
// a guess.

/** The legacy password settings that `password_options` (the Flexible Password Policy) replaces. */
const LEGACY_PASSWORD_OPTIONS = [
  "passwordPolicy",
  "password_complexity_options",
  "password_history",
  "password_dictionary",
  "password_no_personal_info",
] as const;

/** Recorded: every part of `password_options` comes back complete, the caller's values kept. */
const PASSWORD_OPTIONS_DEFAULTS: JsonObject = {
  complexity: {
    character_type_rule: "all",
    identical_characters: "allow",
    sequential_characters: "allow",
    max_length_exceeded: "error",
    min_length: 15,
    character_types: [],
  },
  profile_data: {
    active: false,
    blocked_fields: [
      "name",
      "username",
      "nickname",
      "email",
      "phone_number",
      "user_metadata.name",
      "user_metadata.first",
      "user_metadata.last",
    ],
  },
  history: { active: false, size: 3 },
  dictionary: { active: false, custom: [], default: "en_100k" },
};

function completePasswordOptions(given: JsonValue): JsonValue {
  if (!isJsonObject(given)) return given;
  const complete: JsonObject = {};
  for (const [part, defaults] of Object.entries(PASSWORD_OPTIONS_DEFAULTS)) {
    const value = given[part];
    complete[part] =
      isJsonObject(defaults) && (value === undefined || isJsonObject(value)) ? { ...defaults, ...(value ?? {}) } : (value ?? defaults);
  }
  for (const [part, value] of Object.entries(given)) if (!(part in complete)) complete[part] = value;
  return complete;
}

/**
 * Recorded: authentication methods come back completed. Given explicitly, the password method
 * gains its API and sign-up behaviours and the one-time-password methods appear, disabled;
 * left out of options that are otherwise given, password and passkey appear with the defaults.
 *
 * The sign-up behaviour is added only where the recordings show it: every one of them has
 * `signup_behavior: "allow"` beside a `disable_signup` that is false or absent. What Auth0 answers
 * beside `disable_signup: true` no recording or document shows, so there it is left out rather
 * than guessed (neither "allow" nor "block" is derived from `disable_signup`).
 */
function completeAuthenticationMethods(methods: JsonValue | undefined, disableSignup: JsonValue | undefined): JsonValue {
  const recordedSignup: JsonObject = disableSignup === true ? {} : { signup_behavior: "allow" };
  if (methods === undefined) {
    return { password: { enabled: true, api_behavior: "required", ...recordedSignup }, passkey: { enabled: false } };
  }
  if (!isJsonObject(methods)) return methods;
  const password = isJsonObject(methods.password) ? methods.password : { enabled: true };
  return {
    ...methods,
    password: { api_behavior: "required", ...recordedSignup, ...password },
    passkey: methods.passkey ?? { enabled: false },
    email_otp: methods.email_otp ?? { enabled: false },
    phone_otp: methods.phone_otp ?? { enabled: false },
  };
}

/**
 * Auth0 refuses sign-ups blocked for a password method whose API behaviour is not "optional"
 * (the Deploy CLI checks the pair before sending it, "rather than a cryptic 400 from the API").
 * The status is documented there; the message is a guess, worded like Auth0's other refusals.
 */
function checkSignupBehavior(methods: JsonValue | undefined): void {
  const password = isJsonObject(methods) ? methods.password : undefined;
  if (!isJsonObject(password) || password.signup_behavior !== "block" || password.api_behavior === "optional") return;
  throw badRequest(
    'options.authentication_methods.password.signup_behavior "block" requires options.authentication_methods.password.api_behavior "optional"',
  );
}

/** Recorded: an email attribute is unique unless it says otherwise. */
function completeAttributes(attributes: JsonValue): JsonValue {
  if (!isJsonObject(attributes) || !isJsonObject(attributes.email)) return attributes;
  return { ...attributes, email: { unique: true, ...attributes.email } };
}

const emailAttribute = (options: JsonObject | undefined): JsonObject | undefined => {
  const attributes = options?.attributes;
  return isJsonObject(attributes) && isJsonObject(attributes.email) ? attributes.email : undefined;
};

/** Auth0's refusals, each with the status and message Auth0 answers. */
function validate(options: JsonObject, previous: JsonObject | undefined): void {
  if (options.attributes !== undefined && options.validation !== undefined) {
    throw badRequest("Cannot set both options.attributes and options.validation");
  }
  if (options.password_options !== undefined) {
    const legacy = LEGACY_PASSWORD_OPTIONS.find((key) => options[key] !== undefined);
    // Guess, worded like the recorded attributes/validation refusal: Auth0 documents that
    // password_options replaces these settings, but no recording shows the refusal itself.
    if (legacy !== undefined) throw badRequest(`Cannot set both options.password_options and options.${legacy}`);
  }
  const attributes = options.attributes;
  // Reported from Auth0 by the Terraform provider's acceptance suite, run live: attributes
  // (Flexible Identifiers) replace requires_username, as they replace validation (recorded above).
  if (attributes !== undefined && options.requires_username === true) {
    throw badRequest("Cannot set both options.attributes and options.requires_username");
  }
  if (isJsonObject(attributes)) {
    for (const [name, attribute] of Object.entries(attributes)) {
      if (!isJsonObject(attribute)) continue;
      const identifier = attribute.identifier;
      const signup = attribute.signup;
      if (isJsonObject(identifier) && identifier.active === true && isJsonObject(signup) && signup.status !== "required") {
        throw badRequest(`attribute ${name} must also be required on signup`);
      }
    }
    // Same source: a user must be able to sign in with something. Guess: "one" means at least one.
    const active = Object.values(attributes).some(
      (attribute) => isJsonObject(attribute) && isJsonObject(attribute.identifier) && attribute.identifier.active === true,
    );
    if (!active) throw badRequest("attributes must contain one active identifier");
  }
  // Recorded on update: a connection whose email was unique (or absent) cannot turn non-unique.
  const email = emailAttribute(options);
  if (email?.unique === false && previous !== undefined && emailAttribute(previous)?.unique !== false) {
    throw badRequest("cannot add non-unique email attribute");
  }
}

/** The options a database connection stores for a create (`previous` undefined) or an update. */
export function databaseOptions(given: JsonObject | undefined, previous: JsonObject | undefined): JsonObject {
  if (given === undefined) return previous ?? databaseOptionDefaults();
  validate(given, previous);
  const options: JsonObject = { ...given };
  if (options.attributes !== undefined) options.attributes = completeAttributes(options.attributes);
  if (options.password_options !== undefined) options.password_options = completePasswordOptions(options.password_options);
  if (previous === undefined) {
    const defaults = databaseOptionDefaults();
    if (options.password_options !== undefined) delete defaults.passwordPolicy;
    const methods = completeAuthenticationMethods(options.authentication_methods, options.disable_signup);
    checkSignupBehavior(methods);
    return { ...defaults, ...options, authentication_methods: methods };
  }
  if (options.authentication_methods !== undefined) {
    options.authentication_methods = completeAuthenticationMethods(options.authentication_methods, options.disable_signup);
    checkSignupBehavior(options.authentication_methods);
  }
  // Recorded: an update replaces the options whole, except the authentication methods and
  // passkey settings, which survive an update that leaves them out.
  for (const kept of ["authentication_methods", "passkey_options"]) {
    const value = previous[kept];
    if (options[kept] === undefined && value !== undefined) options[kept] = value;
  }
  return options;
}
