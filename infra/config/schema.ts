import { z } from "zod";
import { apimSchema } from "./gateway-schema";
import { DEFAULT_IMPORT_JOB_SCOPES, DEFAULT_PERMISSIONS } from "./permissions";
import { booleanValue, expected, integerValue, oneOf, secretValue, structured, text } from "./values";

/** The project's config namespace: keys are `timesheets:<key>`. */
export const CONFIG_NAMESPACE = "timesheets";

export const ENVIRONMENTS = ["dev", "staging", "prod"] as const;
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
const SCOPE_NAME = /^[^\s]{1,280}$/;

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
            : !DOMAIN.test(value)
              ? `${JSON.stringify(value)} is not a domain name; expected e.g. exampleco-dev.eu.auth0.com`
              : undefined;
    if (problem) ctx.addIssue({ code: "custom", message: problem, input: value });
  });

const absoluteUrl = text("an absolute URL, e.g. https://timesheets.exampleco.com/api").refine(
  (value) => {
    try {
      const url = new URL(value);
      return (url.protocol === "https:" || url.protocol === "http:") && url.hostname !== "";
    } catch {
      return false;
    }
  },
  { error: expected("an absolute URL, e.g. https://timesheets.exampleco.com/api") },
);

const permission = z.strictObject({
  name: z.string({ error: expected("a permission name such as read:timesheets") }).regex(SCOPE_NAME, {
    error: expected("a permission name without spaces, such as read:timesheets"),
  }),
  description: text("a description of the permission"),
});

const scopeName = z.string({ error: expected("a permission name") }).regex(SCOPE_NAME, {
  error: expected("a permission name without spaces"),
});

/**
 * Every key the program reads, with its description (Pulumi.yaml repeats it for
 * `pulumi config`), its schema and, where it has one, its default.
 */
export const CONFIG_KEYS = {
  environment: {
    description: "Which environment this stack is: dev, staging or prod. prod is held to the strictest rules.",
    schema: oneOf(ENVIRONMENTS),
  },
  domain: {
    description: "The Auth0 tenant's domain, without scheme or slash, e.g. exampleco-dev.eu.auth0.com.",
    schema: domain,
  },
  apiIdentifier: {
    description: "The Timesheets API's identifier (its audience): an absolute URL that Auth0 never lets change.",
    schema: absoluteUrl,
  },
  apiName: {
    description: "The Timesheets API's display name in Auth0.",
    schema: text("a display name").default("Timesheets API"),
  },
  signingAlg: {
    description: "How Auth0 signs the API's access tokens: RS256 (default) or PS256; HS256 only with allowHs256, never in prod.",
    schema: oneOf(SIGNING_ALGORITHMS).default("RS256"),
  },
  allowHs256: {
    description: "Opt-in for HS256 signing (a shared secret the gateway must hold). Refused in prod.",
    schema: booleanValue.default(false),
  },
  tokenProfile: {
    description: "Access token profile: auth0 (Auth0's claims) or rfc9068 (the IETF JWT access token profile).",
    schema: oneOf(TOKEN_PROFILES).default("auth0"),
  },
  rbac: {
    description: "Enforce role-based access control on the API (adds the permissions claim to tokens).",
    schema: booleanValue.default(false),
  },
  tokenLifetime: {
    description: `Access token lifetime in seconds (default 86400, at most ${MAX_TOKEN_LIFETIME}).`,
    schema: integerValue(1, MAX_TOKEN_LIFETIME).default(86_400),
  },
  permissions: {
    description: "The API's permissions as a list of {name, description}; defaults to the five Timesheets permissions.",
    schema: structured(z.array(permission, { error: expected("a list of {name, description}") }).min(1, { error: () => "is empty; expected at least one permission" }))
      .default(DEFAULT_PERMISSIONS.map((p) => ({ ...p }))),
  },
  importJobAuthMethod: {
    description: "How the import job authenticates to Auth0: client_secret_post (default), client_secret_basic or private_key_jwt.",
    schema: oneOf(AUTH_METHODS).default("client_secret_post"),
  },
  importJobPublicKey: {
    description: "The import job's public key (PEM) for private_key_jwt. Only the public half: the private key never leaves the job.",
    schema: text("a PEM public key (-----BEGIN PUBLIC KEY-----)").optional(),
  },
  importJobKeyAlgorithm: {
    description: "The algorithm of the import job's key for private_key_jwt: RS256 (default), RS384 or PS256.",
    schema: oneOf(KEY_ALGORITHMS).default("RS256"),
  },
  importJobScopes: {
    description: "The permissions granted to the import job; default exactly [\"batch:upload\"].",
    schema: structured(z.array(scopeName, { error: expected("a list of permission names") }).min(1, { error: () => "is empty; expected at least one permission" }))
      .default([...DEFAULT_IMPORT_JOB_SCOPES]),
  },
  connectionName: {
    description: "The name of the database connection that stores the users.",
    schema: text("a connection name").regex(CONNECTION_NAME, {
      error: expected("a connection name of letters, digits and hyphens (at most 128)"),
    }).default("timesheets-users"),
  },
  passwordPolicy: {
    description: "The connection's password policy: none, low, fair, good (default) or excellent; at least good in prod.",
    schema: oneOf(PASSWORD_POLICIES).default("good"),
  },
  allowSignups: {
    description: "Let people sign themselves up to the connection (default false).",
    schema: booleanValue.default(false),
  },
  testUserEmail: {
    description: "Create a test user with this e-mail in the connection. Not allowed in prod.",
    schema: z.email({ error: expected("an e-mail address, e.g. timesheets-test@exampleco.com") }).optional(),
  },
  testUserPassword: {
    description: "The test user's password (secret). Generated when unset.",
    secret: true,
    schema: secretValue.optional(),
  },
  apim: {
    description: "The Azure API Management gateway: {mode, resourceGroupName, serviceName, backendUrl, ...}; see the README.",
    schema: structured(apimSchema).optional(),
  },
} as const satisfies Record<string, { description: string; schema: z.ZodType; secret?: boolean }>;

export type ConfigKey = keyof typeof CONFIG_KEYS;

export const SECRET_KEYS: readonly ConfigKey[] = (Object.keys(CONFIG_KEYS) as ConfigKey[]).filter(
  (key) => (CONFIG_KEYS[key] as { secret?: boolean }).secret === true,
);

type Schemas = { [K in ConfigKey]: (typeof CONFIG_KEYS)[K]["schema"] };

export const rawConfigSchema = z.strictObject(
  Object.fromEntries(Object.entries(CONFIG_KEYS).map(([key, { schema }]) => [key, schema])) as Schemas,
);

export type ParsedConfig = z.infer<typeof rawConfigSchema>;
