import type { Management } from "auth0";
import type { LiveClient, LiveConnection, LiveGrant, LiveResourceServer, LiveUser } from "./live-tenant";

// Auth0's documents, as the SDK returns them, turned into the audit's words. Pure, so the
// shapes in recorded Auth0 traffic can be fed straight in.

const text = (value: unknown): string | undefined => (typeof value === "string" ? value : undefined);
const flag = (value: unknown): boolean | undefined => (typeof value === "boolean" ? value : undefined);

export function liveResourceServer(document: Management.GetResourceServerResponseContent): LiveResourceServer {
  return {
    id: document.id ?? "",
    identifier: document.identifier ?? "",
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

export function liveClient(document: Management.Client): LiveClient {
  return { clientId: document.client_id ?? "", name: document.name ?? "", appType: document.app_type, grantTypes: document.grant_types };
}

export function liveGrant(document: Management.ClientGrantResponseContent): LiveGrant {
  return {
    id: document.id ?? "",
    clientId: document.client_id,
    defaultFor: document.default_for,
    audience: document.audience ?? "",
    scopes: document.scope ?? [],
    allowAllScopes: document.allow_all_scopes === true,
    subjectType: document.subject_type,
  };
}

export function liveConnection(document: Management.ConnectionForList): LiveConnection {
  // A connection's options are free-form per strategy; the SDK types them as a plain record.
  const options = document.options ?? {};
  return {
    id: document.id ?? "",
    name: document.name ?? "",
    strategy: document.strategy ?? "",
    passwordPolicy: text(options.passwordPolicy),
    bruteForceProtection: flag(options.brute_force_protection),
    disableSignup: flag(options.disable_signup),
  };
}

export function liveUser(document: Management.UserResponseSchema): LiveUser {
  return {
    userId: document.user_id ?? "",
    email: document.email ?? "",
    connections: [
      ...new Set((document.identities ?? []).flatMap((identity) => (identity.connection === undefined ? [] : [identity.connection]))),
    ],
  };
}
