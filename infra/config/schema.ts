import { z } from "zod";
import { apimSchema } from "./gateway-schema";
import { isLoopbackAddress } from "./loopback";
import { apiName, AUTH0_SCOPE_DESCRIPTION_MAX, AUTH0_SCOPE_VALUE_MAX, displayName } from "./names";
import { passwordOptionsSchema } from "./password-options";
import { DEFAULT_IMPORT_JOB_SCOPES, DEFAULT_PERMISSIONS } from "./permissions";
import { booleanValue, expected, integerValue, oneOf, secretValue, structured, text } from "./values";

/** The project's config namespace: keys are `timesheets:<key>`. */
export const CONFIG_NAMESPACE = "timesheets";

/**
 * The environments, least strict first. `local` is the stack `npm run local` deploys into the
 * local Auth0 on this machine: the only one whose tenant may be a loopback address, and never prod.
 */
export const ENVIRONMENTS = ["local", "dev", "staging", "prod"] as const;
export const SIGNING_ALGORITHMS = ["RS256", "PS256", "HS256"] as const;
export const TOKEN_PROFILES = ["auth0", "rfc9068"] as const;
export const AUTH_METHODS = ["client_secret_post", "client_secret_basic", "private_key_jwt"] as const;
export const KEY_ALGORITHMS = ["RS256", "RS384", "PS256"] as const;
/** Auth0's password policies, weakest first. */
export const PASSWORD_POLICIES = ["none", "low", "fair", "good", "excellent"] as const;
/** Auth0 refuses access-token lifetimes above 30 days. */
export const MAX_TOKEN_LIFETIME = 2_592_000;

/** A host name, not a URL: Auth0's provider and the issuer both build on the bare domain. */
const DOMAIN = /^(?=.{4,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;
const CONNECTION_NAME = /^[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,126}[a-zA-Z0-9])?$/;
/**
 * A permission is an OAuth scope: an RFC 6749 §3.3 scope-token (`1*NQCHAR`, printable ASCII but
 * space, `"` and `\\`), of 1 to 280 characters (Auth0's limit, names.ts). Anything else (a curly
 * quote, a space that would split it in a token's scope claim) cannot be asked for in a request.
 */
const SCOPE_NAME = new RegExp(`^[\\x21\\x23-\\x5B\\x5D-\\x7E]{1,${AUTH0_SCOPE_VALUE_MAX}}$`);
const SCOPE_TOKEN_RULE = 'an OAuth scope token (RFC 6749: printable ASCII without spaces, " or \\)';

const domain = z
  .string({ error: expected("the tenant's domain, e.g. exampleco-dev.eu.auth0.com") })
  .trim()
  .superRefine((value, ctx) => {
    const problem =
      value === ""
        ? "is empty; expected the tenant's domain, e.g. exampleco-dev.eu.auth0.com"
        : /^[a-z]+:\/\//i.test(value)
          ? `${JSON.stringify(value)} is a URL; expected the bare domain without scheme, e.g. exampleco-dev.eu.auth0.com`
          : value.endsWith("/")
            ? `${JSON.stringify(value)} ends with a slash; expected the bare domain, e.g. exampleco-dev.eu.auth0.com`
            : !DOMAIN.test(value) && !isLoopbackAddress(value)
              ? `${JSON.stringify(value)} is not a domain name; expected e.g. exampleco-dev.eu.auth0.com (or, in environment local only, 127.0.0.1:PORT)`
              : undefined;
    if (problem) ctx.addIssue({ code: "custom", message: problem, input: value });
  });

/**
 * Auth0 takes any identifier of 1 to 600 characters (its Management API schema); an API adopted
 * from a tenant keeps the one Auth0 holds. A new API's identifier is held to more (newApiIdentifierProblem).
 * Never trimmed: the identifier is used exactly as written, so stray spaces are refused, not removed.
 */
const apiIdentifier = z
  .string({ error: expected("an absolute URL, e.g. https://timesheets.exampleco.com/api") })
  .min(1, { error: () => "is empty; expected an absolute URL, e.g. https://timesheets.exampleco.com/api" })
  .max(600, {
    error: () => "is longer than 600 characters, Auth0's limit for an API identifier",
  });

const permission = z.strictObject(
  {
    name: z.string({ error: expected("a permission name such as read:timesheets") }).regex(SCOPE_NAME, {
      error: expected(`a permission name such as read:timesheets, ${SCOPE_TOKEN_RULE}`),
    }),
    description: displayName("a description of the permission", AUTH0_SCOPE_DESCRIPTION_MAX, "Auth0 (a permission's description)"),
  },
  { error: expected("a permission as {name, description}, e.g. - {name: read:timesheets, description: Read timesheets}") },
);

/**
 * Ids of objects that already exist in the tenant, for a stack that takes over a tenant set up
 * by hand: the program imports them instead of creating them (see docs/runbooks.md, "Adopting an existing tenant").
 */
const adoptSchema = z.strictObject(
  {
    resourceServerId: z
      .string({ error: expected("the resource server's id (24 hex digits)") })
      .regex(/^[0-9a-f]{24}$/, {
        error: expected("the resource server's id (24 hex digits), not its identifier"),
      })
      .optional(),
    importJobClientId: z
      .string({ error: expected("the client id (32 letters and digits)") })
      .regex(/^[A-Za-z0-9]{32}$/, {
        error: expected("the client id (32 letters and digits)"),
      })
      .optional(),
    importJobGrantId: z
      .string({ error: expected("a client grant id (cgr_...)") })
      .regex(/^cgr_[A-Za-z0-9]{16}$/, {
        error: expected("a client grant id (cgr_ and 16 letters and digits)"),
      })
      .optional(),
    connectionId: z
      .string({ error: expected("a connection id (con_...)") })
      .regex(/^con_[A-Za-z0-9]{16}$/, {
        error: expected("a connection id (con_ and 16 letters and digits)"),
      })
      .optional(),
  },
  { error: expected("an object of ids: {resourceServerId, importJobClientId, importJobGrantId, connectionId}") },
);

const scopeName = z.string({ error: expected("a permission name") }).regex(SCOPE_NAME, {
  error: expected(`a permission name, ${SCOPE_TOKEN_RULE}`),
});

/**
 * Every key the program reads, with its schema and, where it has one, its default.
 * Pulumi.yaml declares the same keys with their descriptions (a test keeps the two in step).
 */
export const CONFIG_KEYS = {
  environment: {
    schema: oneOf(ENVIRONMENTS),
  },
  domain: {
    schema: domain,
  },
  apiIdentifier: {
    schema: apiIdentifier,
  },
  apiName: {
    schema: apiName.default("Timesheets API"),
  },
  signingAlg: {
    schema: oneOf(SIGNING_ALGORITHMS).default("RS256"),
  },
  allowHs256: {
    schema: booleanValue.default(false),
  },
  tokenProfile: {
    schema: oneOf(TOKEN_PROFILES).default("auth0"),
  },
  rbac: {
    schema: booleanValue.default(false),
  },
  tokenLifetime: {
    schema: integerValue(1, MAX_TOKEN_LIFETIME).default(86_400),
  },
  permissions: {
    schema: structured(
      z
        .array(permission, { error: expected("a list of {name, description}") })
        .min(1, { error: () => "is empty; expected at least one permission" }),
    ).default(DEFAULT_PERMISSIONS.map((p) => ({ ...p }))),
  },
  importJobAuthMethod: {
    schema: oneOf(AUTH_METHODS).default("client_secret_post"),
  },
  importJobPublicKey: {
    schema: text("a PEM public key (-----BEGIN PUBLIC KEY-----)").optional(),
  },
  importJobNextPublicKey: {
    schema: text("a PEM public key (-----BEGIN PUBLIC KEY-----)").optional(),
  },
  importJobKeyAlgorithm: {
    schema: oneOf(KEY_ALGORITHMS).default("RS256"),
  },
  importJobScopes: {
    schema: structured(
      z
        .array(scopeName, { error: expected("a list of permission names") })
        .min(1, { error: () => "is empty; expected at least one permission" }),
    ).default([...DEFAULT_IMPORT_JOB_SCOPES]),
  },
  connectionName: {
    schema: text("a connection name")
      .regex(CONNECTION_NAME, {
        error: expected("a connection name of letters, digits and hyphens (at most 128)"),
      })
      .default("timesheets-users"),
  },
  // Unset together with passwordOptions, the user store gets the legacy "good" (see build.ts).
  passwordPolicy: {
    schema: oneOf(PASSWORD_POLICIES).optional(),
  },
  passwordOptions: {
    schema: structured(passwordOptionsSchema).optional(),
  },
  allowSignups: {
    schema: booleanValue.default(false),
  },
  testUserEmail: {
    // Auth0 keeps the address of a user it stores in lower case, and users-by-email matches exactly:
    // the one spelling every command uses (program, audit, verify, adopt) is that one.
    schema: z
      .email({ error: expected("an e-mail address, e.g. timesheets-test@exampleco.com") })
      .transform((email) => email.toLowerCase())
      .optional(),
  },
  testUserPassword: {
    secret: true,
    schema: secretValue(`${CONFIG_NAMESPACE}:testUserPassword`).optional(),
  },
  /** Defaults to DEFAULT_TEST_USER_PERMISSIONS where there is a test user (build.ts); meaningless without one. */
  testUserPermissions: {
    schema: structured(
      z
        .array(scopeName, { error: expected("a list of permission names") })
        .min(1, { error: () => "is empty; expected at least one permission" }),
    ).optional(),
  },
  apim: {
    schema: structured(apimSchema).optional(),
  },
  adopt: {
    schema: structured(adoptSchema).optional(),
  },
} as const satisfies Record<string, { schema: z.ZodType; secret?: boolean }>;

export type ConfigKey = keyof typeof CONFIG_KEYS;

export const SECRET_KEYS: readonly ConfigKey[] = (Object.keys(CONFIG_KEYS) as ConfigKey[]).filter(
  (key) => (CONFIG_KEYS[key] as { secret?: boolean }).secret === true,
);

type Schemas = { [K in ConfigKey]: (typeof CONFIG_KEYS)[K]["schema"] };

export const rawConfigSchema = z.strictObject(
  Object.fromEntries(Object.entries(CONFIG_KEYS).map(([key, { schema }]) => [key, schema])) as Schemas,
);

export type ParsedConfig = z.infer<typeof rawConfigSchema>;
