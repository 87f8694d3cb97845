import { z } from "zod";

// The Management API's answers, as far as the readers rely on them: each field a check reads,
// with the type it must have. Anything else Auth0 sends passes unread and is dropped (`object`
// strips): Auth0 adds fields, and a field the audit does not read can neither make it wrong nor
// be compared (two reads of a list are compared on what the schemas read, and nothing else).

const strings = z.array(z.string());

export const resourceServerAnswer = z.object({
  id: z.string(),
  identifier: z.string(),
  name: z.string().optional(),
  signing_alg: z.string().optional(),
  token_dialect: z.string().optional(),
  token_lifetime: z.number().int().optional(),
  allow_offline_access: z.boolean().optional(),
  enforce_policies: z.boolean().optional(),
  subject_type_authorization: z
    .object({
      client: z.object({ policy: z.string().optional() }).optional(),
      user: z.object({ policy: z.string().optional() }).optional(),
    })
    .optional(),
  scopes: z.array(z.object({ value: z.string(), description: z.string().optional() })).optional(),
});

export const clientAnswer = z.object({
  client_id: z.string().min(1),
  name: z.string(),
  /** True on the tenant's global client ("All Applications") only. */
  global: z.boolean().optional(),
  description: z.string().optional(),
  app_type: z.string().optional(),
  grant_types: strings.optional(),
  is_first_party: z.boolean().optional(),
  oidc_conformant: z.boolean().optional(),
  callbacks: strings.optional(),
  allowed_origins: strings.optional(),
  web_origins: strings.optional(),
  allowed_logout_urls: strings.optional(),
  jwt_configuration: z.object({ alg: z.string().optional() }).optional(),
  // Auth0 answers null here for a client that authenticates with keys.
  token_endpoint_auth_method: z.string().nullable().optional(),
  client_authentication_methods: z
    .object({
      private_key_jwt: z.object({ credentials: z.array(z.object({ id: z.string() })) }).optional(),
    })
    .nullable()
    .optional(),
});

export const grantAnswer = z.object({
  id: z.string().min(1),
  client_id: z.string().optional(),
  default_for: z.string().optional(),
  audience: z.string(),
  scope: strings.optional(),
  allow_all_scopes: z.boolean().optional(),
  subject_type: z.string().optional(),
});

export const passwordOptionsAnswer = z.object({
  complexity: z
    .object({
      min_length: z.number().int().optional(),
      character_types: strings.optional(),
      character_type_rule: z.string().optional(),
      identical_characters: z.string().optional(),
      sequential_characters: z.string().optional(),
    })
    .optional(),
  history: z.object({ active: z.boolean().optional(), size: z.number().int().optional() }).optional(),
  dictionary: z.object({ active: z.boolean().optional() }).optional(),
  profile_data: z.object({ active: z.boolean().optional() }).optional(),
});

export const connectionAnswer = z.object({
  id: z.string().min(1),
  name: z.string(),
  strategy: z.string(),
  options: z
    .object({
      passwordPolicy: z.string().nullable().optional(),
      password_options: passwordOptionsAnswer.optional(),
      brute_force_protection: z.boolean().optional(),
      // Sign-ups are read from `disable_signup` alone (see from-auth0.ts): `authentication_methods`
      // passes through unread, so a value Auth0 adds there later cannot make a read fail.
      disable_signup: z.boolean().optional(),
    })
    .optional(),
});

export const enabledClientAnswer = z.object({ client_id: z.string().min(1) });

export const userAnswer = z.object({
  user_id: z.string().min(1),
  email: z.string().optional(),
  email_verified: z.boolean().optional(),
  name: z.string().optional(),
  identities: z.array(z.object({ connection: z.string() })).optional(),
});

/** No address belongs to this many users; a longer answer is refused before its items are parsed. */
const MAX_USERS_BY_EMAIL = 100;

export const usersAnswer = z.array(z.unknown()).max(MAX_USERS_BY_EMAIL).pipe(z.array(userAnswer));

export const roleAnswer = z.object({ id: z.string().min(1), name: z.string(), description: z.string().optional() });

export const rolePermissionAnswer = z.object({ permission_name: z.string(), resource_server_identifier: z.string() });

export type RoleAnswer = z.output<typeof roleAnswer>;
export type ResourceServerAnswer = z.output<typeof resourceServerAnswer>;
export type ClientAnswer = z.output<typeof clientAnswer>;
export type GrantAnswer = z.output<typeof grantAnswer>;
export type ConnectionAnswer = z.output<typeof connectionAnswer>;
export type UserAnswer = z.output<typeof userAnswer>;

/**
 * The body of every Management API error, as Auth0 answers it (recorded: `{"statusCode":404,
 * "error":"Not Found","message":"The client does not exist","errorCode":"inexistent_client"}`,
 * `application/json`). Only an answer of this shape is Auth0's word that something is absent.
 */
export const managementErrorAnswer = z.object({
  statusCode: z.number().int(),
  error: z.string(),
  message: z.string(),
  errorCode: z.string().optional(),
});

/**
 * RFC 6750's `b64token`: what a bearer token may hold, and so what a header can carry. Auth0's
 * tokens are JWTs, a few KiB at most; a longer one is not believed.
 */
export const MAX_TOKEN_LENGTH = 16 * 1024;
export const bearerToken = z
  .string()
  .max(MAX_TOKEN_LENGTH)
  .regex(/^[A-Za-z0-9\-._~+/]+=*$/);

/** `/oauth/token`'s answer to a granted request (RFC 6749 §5.1). */
export const tokenGrantAnswer = z.object({
  access_token: z.unknown().optional(),
  expires_in: z.number().positive().optional(),
});

/** `/oauth/token`'s refusal (RFC 6749 §5.2): Auth0's own words. */
export const tokenErrorAnswer = z.object({ error: z.string(), error_description: z.string().optional() });

export type ManagementErrorAnswer = z.output<typeof managementErrorAnswer>;
