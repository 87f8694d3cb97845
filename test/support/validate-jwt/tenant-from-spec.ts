import type { TenantSpec } from "../../../infra/config/spec";
import type { Auth0StandIn } from "../../../local/auth0";

/**
 * Seeds the Auth0 stand-in with what a stack's spec declares for the gateway to see:
 * the Timesheets API (identifier, signing algorithm, token profile, lifetime, permissions)
 * and the import job with its grant, so that the tokens the tests send are the ones this
 * stack's tenant would issue.
 */

export interface ClientCredentials {
  readonly clientId: string;
  readonly clientSecret: string;
}

export interface SeededTenant {
  readonly importJob: ClientCredentials;
  /** The resource server's HS256 signing secret as the stand-in generated it (HS256 APIs only). */
  readonly signingSecret: string | undefined;
  /** A further client with a grant on the API for exactly these permissions (none: a grant without scopes). */
  clientWith(permissions: readonly string[]): Promise<ClientCredentials>;
  /** A client-credentials access token, fetched from the stand-in's /oauth/token. */
  token(client: ClientCredentials, audience?: string): Promise<string>;
}

export async function seedTenantFromSpec(standIn: Auth0StandIn, spec: TenantSpec): Promise<SeededTenant> {
  if (spec.importJob.authentication.method === "private_key_jwt")
    throw new Error("the gateway tests authenticate the import job with its client secret");
  const api = await standIn.createResourceServer({
    name: spec.api.name,
    identifier: spec.api.identifier,
    signing_alg: spec.api.signingAlg,
    token_dialect: spec.api.tokenDialect,
    token_lifetime: spec.api.tokenLifetime,
    enforce_policies: spec.api.enforcePolicies,
    allow_offline_access: spec.api.allowOfflineAccess,
    scopes: spec.api.permissions.map((permission) => ({ value: permission.name, description: permission.description })),
    subject_type_authorization: { client: { policy: spec.api.clientPolicy } },
  });

  async function client(name: string, audience: string, scopes: readonly string[]): Promise<ClientCredentials> {
    const created = await standIn.createClient({
      name,
      app_type: spec.importJob.appType,
      grant_types: [...spec.importJob.grantTypes],
      token_endpoint_auth_method: spec.importJob.authentication.method,
    });
    await standIn.createClientGrant({ client_id: created.client_id, audience, scope: [...scopes], subject_type: "client" });
    return { clientId: created.client_id, clientSecret: created.client_secret };
  }

  const importJob = await client(spec.importJob.name, spec.importJob.grant.audience, spec.importJob.grant.scopes);
  let clients = 0;
  return {
    importJob,
    signingSecret: typeof api.signing_secret === "string" ? api.signing_secret : undefined,
    clientWith: (permissions) => client(`Timesheets test client ${++clients}`, spec.api.identifier, permissions),
    async token({ clientId, clientSecret }, audience = spec.api.identifier) {
      // The stand-in's own domain: the same spec may seed a second, foreign tenant.
      const response = await standIn.fetch(`https://${standIn.domain}/oauth/token`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ grant_type: "client_credentials", client_id: clientId, client_secret: clientSecret, audience }),
      });
      const body = (await response.json()) as { access_token?: string; error_description?: string };
      if (!response.ok || body.access_token === undefined)
        throw new Error(`the stand-in refused a token: ${response.status} ${body.error_description ?? ""}`);
      return body.access_token;
    },
  };
}
