/**
 * The auditor's credentials for one stack, from the environment. Each stack has its own
 * tenant, so each can have its own credentials: `AUTH0_CLIENT_ID_<STACK>` and
 * `AUTH0_CLIENT_SECRET_<STACK>`, or `AUTH0_API_TOKEN_<STACK>` (STACK upper-cased, other
 * characters as `_`). The unsuffixed `AUTH0_CLIENT_ID` / `AUTH0_CLIENT_SECRET` /
 * `AUTH0_API_TOKEN` serve a stack without its own; `AUTH0_DOMAIN` (or `AUTH0_DOMAIN_<STACK>`)
 * says which tenant they belong to, and a stack whose spec names another tenant is refused
 * rather than sent credentials of the wrong one.
 */

export type Env = Readonly<Record<string, string | undefined>>;

export type AuditorCredentials =
  | { readonly kind: "token"; readonly token: string; readonly source: string }
  | { readonly kind: "client"; readonly clientId: string; readonly clientSecret: string; readonly source: string };

export type CredentialsResult =
  { readonly ok: true; readonly credentials: AuditorCredentials } | { readonly ok: false; readonly error: string };

export function envSuffix(stack: string): string {
  return stack.toUpperCase().replace(/[^A-Z0-9]/g, "_");
}

const value = (env: Env, name: string): string | undefined => {
  const raw = env[name]?.trim();
  return raw === undefined || raw === "" ? undefined : raw;
};

function fromNames(env: Env, token: string, clientId: string, clientSecret: string): CredentialsResult | undefined {
  const apiToken = value(env, token);
  // A ready token wins, as it does for the Auth0 provider: it is the narrower, shorter-lived credential.
  if (apiToken !== undefined) return { ok: true, credentials: { kind: "token", token: apiToken, source: token } };
  const id = value(env, clientId);
  const secret = value(env, clientSecret);
  if (id === undefined && secret === undefined) return undefined;
  if (id === undefined) return { ok: false, error: `${clientSecret} is set but ${clientId} is not; set both (or ${token})` };
  if (secret === undefined) return { ok: false, error: `${clientId} is set but ${clientSecret} is not; set both (or ${token})` };
  return { ok: true, credentials: { kind: "client", clientId: id, clientSecret: secret, source: `${clientId}/${clientSecret}` } };
}

/**
 * `several`: more than one stack is being audited (`--all`). Unsuffixed credentials then
 * need AUTH0_DOMAIN: without it nothing says which of the tenants they belong to.
 */
export function auditorCredentials(stack: string, domain: string, env: Env, several: boolean): CredentialsResult {
  const suffix = envSuffix(stack);
  const ownDomain = value(env, `AUTH0_DOMAIN_${suffix}`);
  if (ownDomain !== undefined && ownDomain !== domain) {
    return {
      ok: false,
      error: `AUTH0_DOMAIN_${suffix} is ${ownDomain} but the ${stack} stack's tenant is ${domain}; refusing to audit the wrong tenant`,
    };
  }
  const own = fromNames(env, `AUTH0_API_TOKEN_${suffix}`, `AUTH0_CLIENT_ID_${suffix}`, `AUTH0_CLIENT_SECRET_${suffix}`);
  if (own !== undefined) return own;

  const shared = fromNames(env, "AUTH0_API_TOKEN", "AUTH0_CLIENT_ID", "AUTH0_CLIENT_SECRET");
  const howToSet = `set AUTH0_CLIENT_ID_${suffix} and AUTH0_CLIENT_SECRET_${suffix} (or AUTH0_API_TOKEN_${suffix}) for the ${stack} stack`;
  if (shared === undefined)
    return {
      ok: false,
      error: `no auditor credentials for ${domain}: ${howToSet}, or AUTH0_CLIENT_ID and AUTH0_CLIENT_SECRET (or AUTH0_API_TOKEN)`,
    };
  const sharedDomain = value(env, "AUTH0_DOMAIN");
  if (sharedDomain !== undefined && sharedDomain !== domain) {
    return {
      ok: false,
      error: `AUTH0_DOMAIN is ${sharedDomain} but the ${stack} stack's tenant is ${domain}; refusing to use that tenant's credentials here: ${howToSet}`,
    };
  }
  if (sharedDomain === undefined && several) {
    return {
      ok: false,
      error: `with several stacks, AUTH0_CLIENT_ID/AUTH0_CLIENT_SECRET/AUTH0_API_TOKEN need AUTH0_DOMAIN to say which tenant they belong to; set it, or ${howToSet}`,
    };
  }
  return shared;
}
