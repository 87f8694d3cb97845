import { z } from "zod";

// The Management API's answers, as far as the readers rely on them: each field a check reads,
// with the type it must have. Anything else Auth0 sends passes (`looseObject`): Auth0 adds
// fields, and a field the audit does not read cannot make it wrong.

const strings = z.array(z.string());

export const resourceServerAnswer = z.looseObject({
  id: z.string(),
  identifier: z.string(),
  name: z.string().optional(),
  signing_alg: z.string().optional(),
  token_dialect: z.string().optional(),
  token_lifetime: z.number().int().optional(),
  allow_offline_access: z.boolean().optional(),
  enforce_policies: z.boolean().optional(),
  subject_type_authorization: z
    .looseObject({
      client: z.looseObject({ policy: z.string().optional() }).optional(),
      user: z.looseObject({ policy: z.string().optional() }).optional(),
    })
    .optional(),
  scopes: z.array(z.looseObject({ value: z.string(), description: z.string().optional() })).optional(),
});

export const clientAnswer = z.looseObject({
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
  jwt_configuration: z.looseObject({ alg: z.string().optional() }).optional(),
  // Auth0 answers null here for a client that authenticates with keys.
  token_endpoint_auth_method: z.string().nullable().optional(),
  client_authentication_methods: z
    .looseObject({
      private_key_jwt: z.looseObject({ credentials: z.array(z.looseObject({ id: z.string() })) }).optional(),
    })
    .nullable()
    .optional(),
});

export const grantAnswer = z.looseObject({
  id: z.string().min(1),
  client_id: z.string().optional(),
  default_for: z.string().optional(),
  audience: z.string(),
  scope: strings.optional(),
  allow_all_scopes: z.boolean().optional(),
  subject_type: z.string().optional(),
});

export const passwordOptionsAnswer = z.looseObject({
  complexity: z
    .looseObject({
      min_length: z.number().int().optional(),
      character_types: strings.optional(),
      character_type_rule: z.string().optional(),
      identical_characters: z.string().optional(),
      sequential_characters: z.string().optional(),
    })
    .optional(),
  history: z.looseObject({ active: z.boolean().optional(), size: z.number().int().optional() }).optional(),
  dictionary: z.looseObject({ active: z.boolean().optional() }).optional(),
  profile_data: z.looseObject({ active: z.boolean().optional() }).optional(),
});

export const connectionAnswer = z.looseObject({
  id: z.string().min(1),
  name: z.string(),
  strategy: z.string(),
  options: z
    .looseObject({
      passwordPolicy: z.string().nullable().optional(),
      password_options: passwordOptionsAnswer.optional(),
      brute_force_protection: z.boolean().optional(),
      // Sign-ups are read from `disable_signup` alone (see from-auth0.ts): `authentication_methods`
      // passes through unread, so a value Auth0 adds there later cannot make a read fail.
      disable_signup: z.boolean().optional(),
    })
    .optional(),
});

export const enabledClientAnswer = z.looseObject({ client_id: z.string().min(1) });

export const userAnswer = z.looseObject({
  user_id: z.string().min(1),
  email: z.string().optional(),
  email_verified: z.boolean().optional(),
  name: z.string().optional(),
  identities: z.array(z.looseObject({ connection: z.string() })).optional(),
});

/** No address belongs to this many users; a longer answer is refused before its items are parsed. */
const MAX_USERS_BY_EMAIL = 100;

export const usersAnswer = z.array(z.unknown()).max(MAX_USERS_BY_EMAIL).pipe(z.array(userAnswer));

export const roleAnswer = z.looseObject({ id: z.string().min(1), name: z.string(), description: z.string().optional() });

export const rolePermissionAnswer = z.looseObject({ permission_name: z.string(), resource_server_identifier: z.string() });

export type RoleAnswer = z.output<typeof roleAnswer>;
export type ResourceServerAnswer = z.output<typeof resourceServerAnswer>;
export type ClientAnswer = z.output<typeof clientAnswer>;
export type GrantAnswer = z.output<typeof grantAnswer>;
export type ConnectionAnswer = z.output<typeof connectionAnswer>;
export type UserAnswer = z.output<typeof userAnswer>;
