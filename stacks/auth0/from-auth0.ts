import type { ClientAnswer, ConnectionAnswer, GrantAnswer, ResourceServerAnswer, UserAnswer } from "./answers";
import type { LiveClient, LiveConnection, LiveGrant, LivePasswordOptions, LiveResourceServer, LiveUser } from "./model";

// Auth0's documents, as parsed by the answer schemas, in our own words. Pure, so the shapes in
// recorded Auth0 traffic can be fed straight in.

export function liveResourceServer(document: ResourceServerAnswer): LiveResourceServer {
  return {
    id: document.id,
    identifier: document.identifier,
    name: document.name,
    signingAlg: document.signing_alg,
    tokenDialect: document.token_dialect,
    tokenLifetime: document.token_lifetime,
    allowOfflineAccess: document.allow_offline_access,
    enforcePolicies: document.enforce_policies,
    clientPolicy: document.subject_type_authorization?.client?.policy,
    permissions: (document.scopes ?? []).map((scope) => ({ name: scope.value, description: scope.description })),
  };
}

export function liveClient(document: ClientAnswer): LiveClient {
  const keys = document.client_authentication_methods?.private_key_jwt?.credentials;
  return {
    clientId: document.client_id,
    name: document.name,
    appType: document.app_type,
    grantTypes: document.grant_types,
    isFirstParty: document.is_first_party,
    oidcConformant: document.oidc_conformant,
    callbacks: document.callbacks ?? [],
    allowedOrigins: document.allowed_origins ?? [],
    webOrigins: document.web_origins ?? [],
    allowedLogoutUrls: document.allowed_logout_urls ?? [],
    jwtAlg: document.jwt_configuration?.alg,
    authMethod: keys !== undefined ? "private_key_jwt" : (document.token_endpoint_auth_method ?? undefined),
    keyCount: keys?.length ?? 0,
  };
}

export function liveGrant(document: GrantAnswer): LiveGrant {
  return {
    id: document.id,
    clientId: document.client_id,
    defaultFor: document.default_for,
    audience: document.audience,
    scopes: document.scope ?? [],
    allowAllScopes: document.allow_all_scopes === true,
    subjectType: document.subject_type,
  };
}

function livePasswordOptions(options: NonNullable<NonNullable<ConnectionAnswer["options"]>["password_options"]>): LivePasswordOptions {
  return {
    minLength: options.complexity?.min_length,
    characterTypes: [...(options.complexity?.character_types ?? [])].sort(),
    characterTypeRule: options.complexity?.character_type_rule,
    identicalCharacters: options.complexity?.identical_characters,
    sequentialCharacters: options.complexity?.sequential_characters,
    historySize: options.history?.active === true ? (options.history.size ?? 0) : 0,
    dictionary: options.dictionary?.active === true,
    profileData: options.profile_data?.active === true,
  };
}

export function liveConnection(document: ConnectionAnswer): LiveConnection {
  const options = document.options ?? {};
  return {
    id: document.id,
    name: document.name,
    strategy: document.strategy,
    passwordPolicy: options.passwordPolicy ?? undefined,
    passwordOptions: options.password_options === undefined ? undefined : livePasswordOptions(options.password_options),
    bruteForceProtection: options.brute_force_protection,
    // `disable_signup` decides. Auth0 answers `signup_behavior: "allow"` beside an open
    // connection; what it answers beside a closed one is not shown anywhere, so the newer
    // setting is not read either way (an absent one is neither open nor closed).
    disableSignup: options.disable_signup,
  };
}

export function liveUser(document: UserAnswer): LiveUser {
  return {
    userId: document.user_id,
    email: document.email ?? "",
    name: document.name,
    connections: [...new Set((document.identities ?? []).map((identity) => identity.connection))],
  };
}
