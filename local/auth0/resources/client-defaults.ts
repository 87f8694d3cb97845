import { isDeepStrictEqual } from "node:util";
import type { JsonObject } from "../validation.js";

// What Auth0 fills in on a new client, by application type and authentication method. Each
// rule comes from the recorded creates (shared/auth0-recordings, every app type recorded there);
// where no recording shows a combination, the nearest recorded rule applies and says so.

/** Public clients (no secret at the token endpoint) cannot use `client_credentials`. */
const PUBLIC_APP_TYPES = new Set(["spa", "native"]);

const GRANTS_BY_APP_TYPE: Readonly<Record<string, readonly string[]>> = {
  resource_server: [],
  express_configuration: ["authorization_code", "client_credentials"],
  spa: ["authorization_code", "implicit", "refresh_token"],
  native: ["authorization_code", "implicit", "refresh_token"],
};
const DEFAULT_GRANTS = ["authorization_code", "implicit", "refresh_token", "client_credentials"];

/** Recorded: refresh tokens of a client that names no secret method, or a public one. */
const PUBLIC_REFRESH_TOKEN: JsonObject = {
  rotation_type: "non-rotating",
  expiration_type: "non-expiring",
  leeway: 0,
  token_lifetime: 2592000,
  infinite_token_lifetime: true,
  infinite_idle_token_lifetime: true,
  idle_token_lifetime: 1296000,
};
/** Recorded: a client created with (or switched to) `client_secret_post`/`_basic` gets longer lifetimes. */
const CONFIDENTIAL_REFRESH_TOKEN: JsonObject = { ...PUBLIC_REFRESH_TOKEN, token_lifetime: 31557600, idle_token_lifetime: 2592000 };
/**
 * Recorded for a third-party SPA: rotating, expiring refresh tokens. Auth0 documents rotation as
 * the default for third-party applications; other third-party app types are assumed the same.
 */
const THIRD_PARTY_REFRESH_TOKEN: JsonObject = {
  ...PUBLIC_REFRESH_TOKEN,
  rotation_type: "rotating",
  expiration_type: "expiring",
  infinite_token_lifetime: false,
  infinite_idle_token_lifetime: false,
};

const SECRET_METHODS = new Set(["client_secret_post", "client_secret_basic"]);

/** Express-configuration clients are Okta's integration clients: Auth0 presets their sign-in. */
const EXPRESS_CONFIGURATION: JsonObject = {
  callbacks: ["https://system-admin.okta.com/admin/app/generic/oauth20redirect"],
  organization_usage: "require",
  client_authentication_methods: { private_key_jwt: { credentials: [] } },
};

export interface ClientShape {
  app_type?: string | undefined;
  token_endpoint_auth_method?: string | null | undefined;
  is_first_party?: boolean | undefined;
}

export const isPublicAppType = (appType: string | undefined): boolean => appType !== undefined && PUBLIC_APP_TYPES.has(appType);

export function refreshTokenDefaults(shape: ClientShape): JsonObject {
  if (shape.is_first_party === false) return structuredClone(THIRD_PARTY_REFRESH_TOKEN);
  const method = shape.token_endpoint_auth_method;
  return structuredClone(typeof method === "string" && SECRET_METHODS.has(method) ? CONFIDENTIAL_REFRESH_TOKEN : PUBLIC_REFRESH_TOKEN);
}

/**
 * Recorded: switching a client whose refresh tokens still have the default lifetimes to a secret
 * method gives it the confidential lifetimes; settings a caller chose are left alone.
 */
export function refreshTokenAfterMethodChange(current: unknown, method: string): JsonObject | undefined {
  return SECRET_METHODS.has(method) && isDeepStrictEqual(current, PUBLIC_REFRESH_TOKEN)
    ? structuredClone(CONFIDENTIAL_REFRESH_TOKEN)
    : undefined;
}

/** Every property Auth0 adds to a client created with `shape`, before the caller's own values. */
export function clientDefaults(shape: ClientShape): JsonObject {
  const appType = shape.app_type;
  // Recorded: resource-server and express clients sign with RS256 and are OIDC-conformant;
  // so is every third-party client, which Auth0 also puts in permissive security mode.
  const rs256Only = appType === "resource_server" || appType === "express_configuration";
  const thirdParty = shape.is_first_party === false;
  const defaults: JsonObject = {
    is_first_party: true,
    is_token_endpoint_ip_header_trusted: false,
    oidc_conformant: rs256Only || thirdParty,
    jwt_configuration: rs256Only ? { secret_encoded: false, alg: "RS256" } : { secret_encoded: false, lifetime_in_seconds: 36000 },
    sso_disabled: false,
    cross_origin_authentication: false,
    grant_types: [...(GRANTS_BY_APP_TYPE[appType ?? ""] ?? DEFAULT_GRANTS)],
    custom_login_page_on: true,
    refresh_token: refreshTokenDefaults(shape),
  };
  if (thirdParty) defaults.third_party_security_mode = "permissive";
  if (appType === "express_configuration") Object.assign(defaults, structuredClone(EXPRESS_CONFIGURATION));
  return defaults;
}

/** A `jwt_configuration` given on create keeps Auth0's `secret_encoded: false` unless it says otherwise. */
export const jwtConfigurationOnCreate = (given: JsonObject): JsonObject => ({ secret_encoded: false, ...given });

/**
 * Recorded (extended/TestAccDataClients): a client's `session_transfer` comes back complete,
 * whatever part of it was sent. Guess: the delegation binds devices as the top level does unless told.
 */
export function completeSessionTransfer(given: JsonObject): JsonObject {
  const binding = given.enforce_device_binding ?? "ip";
  const delegation = given.delegation;
  return {
    can_create_session_transfer_token: false,
    allowed_authentication_methods: [],
    enforce_device_binding: binding,
    allow_refresh_token: false,
    enforce_online_refresh_tokens: true,
    enforce_cascade_revocation: true,
    ...given,
    delegation: {
      allow_delegated_access: false,
      enforce_device_binding: binding,
      ...(delegation !== null && typeof delegation === "object" && !Array.isArray(delegation) ? delegation : {}),
    },
  };
}
