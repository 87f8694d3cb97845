import { z } from "zod";
import { badRequest, conflict, ManagementApiError, notFound } from "../errors.js";
import { clientId as newClientId, clientSecret as newClientSecret } from "../ids.js";
import { fieldsQuery, offsetPage, offsetQuery, selectFields } from "../pagination.js";
import { route, type RequestContext, type Route } from "../router.js";
import type { Client, TenantState } from "../store.js";
import { jsonObject, parseBody, parseQuery, queryBoolean, removeKey, type JsonObject } from "../validation.js";
import { credentialInput, registerCredential } from "./credentials.js";

const urls = z.array(z.string());
const credentialReference = z.strictObject({ id: z.string().min(1) });
const privateKeyJwt = <T extends z.ZodType>(credential: T) =>
  z.strictObject({ private_key_jwt: z.strictObject({ credentials: z.array(credential).min(1) }).optional() });

// The client properties create and update share. Nested objects Auth0 stores as given are
// checked for being objects; the rest are typed as Auth0 documents them.
const writable = {
  description: z.string().max(140).optional(),
  logo_uri: z.string().optional(),
  callbacks: urls.optional(),
  allowed_origins: urls.optional(),
  web_origins: urls.optional(),
  client_aliases: urls.optional(),
  allowed_clients: urls.optional(),
  allowed_logout_urls: urls.optional(),
  oidc_logout: jsonObject.optional(),
  oidc_backchannel_logout: jsonObject.optional(),
  session_transfer: jsonObject.nullable().optional(),
  grant_types: z.array(z.string()).optional(),
  token_endpoint_auth_method: z.enum(["none", "client_secret_post", "client_secret_basic"]).nullable().optional(),
  is_token_endpoint_ip_header_trusted: z.boolean().optional(),
  app_type: z
    .enum([
      "native",
      "spa",
      "regular_web",
      "non_interactive",
      "resource_server",
      "express_configuration",
      "rms",
      "box",
      "cloud",
      "zendesk",
      "zoom",
      "sso_integration",
      "oag",
    ])
    .optional(),
  is_first_party: z.boolean().optional(),
  oidc_conformant: z.boolean().optional(),
  jwt_configuration: z
    .strictObject({
      lifetime_in_seconds: z.number().int().min(0).optional(),
      secret_encoded: z.boolean().optional(),
      scopes: jsonObject.optional(),
      alg: z.enum(["HS256", "RS256", "PS256"]).optional(),
    })
    .optional(),
  encryption_key: jsonObject.nullable().optional(),
  sso: z.boolean().optional(),
  sso_disabled: z.boolean().optional(),
  cross_origin_authentication: z.boolean().optional(),
  cross_origin_loc: z.string().optional(),
  custom_login_page_on: z.boolean().optional(),
  custom_login_page: z.string().optional(),
  custom_login_page_preview: z.string().optional(),
  form_template: z.string().optional(),
  addons: jsonObject.optional(),
  client_metadata: z.record(z.string(), z.string()).optional(),
  mobile: jsonObject.optional(),
  initiate_login_uri: z.string().optional(),
  native_social_login: jsonObject.optional(),
  refresh_token: jsonObject.nullable().optional(),
  default_organization: jsonObject.nullable().optional(),
  organization_usage: z.enum(["deny", "allow", "require"]).optional(),
  organization_require_behavior: z.enum(["no_prompt", "pre_login_prompt", "post_login_prompt"]).optional(),
  require_pushed_authorization_requests: z.boolean().optional(),
  require_proof_of_possession: z.boolean().optional(),
  signed_request_object: jsonObject.nullable().optional(),
  compliance_level: z.string().nullable().optional(),
  par_request_expiry: z.number().int().nullable().optional(),
  token_exchange: jsonObject.optional(),
};

const name = z
  .string()
  .min(1)
  .regex(/^[^<>]+$/);

const createBody = z.strictObject({
  name,
  ...writable,
  resource_server_identifier: z.string().min(1).optional(),
  // On create, credentials are given whole and registered with the client.
  client_authentication_methods: privateKeyJwt(credentialInput).nullable().optional(),
});

const updateBody = z.strictObject({
  name: name.optional(),
  ...writable,
  client_secret: z.string().min(1).optional(),
  client_authentication_methods: privateKeyJwt(credentialReference).nullable().optional(),
});

const listQuery = z.strictObject({
  ...offsetQuery,
  ...fieldsQuery,
  app_type: z.string().optional(),
  is_first_party: queryBoolean.optional(),
  is_global: queryBoolean.optional(),
  q: z.string().optional(),
});
const getQuery = z.strictObject(fieldsQuery);

/** What every new client carries; resource-server clients are OIDC-conformant and grant nothing. */
function defaultsFor(appType: string | undefined): JsonObject {
  const base: JsonObject = {
    is_first_party: true,
    is_token_endpoint_ip_header_trusted: false,
    sso_disabled: false,
    cross_origin_authentication: false,
    custom_login_page_on: true,
    refresh_token: {
      rotation_type: "non-rotating",
      expiration_type: "non-expiring",
      leeway: 0,
      token_lifetime: 2592000,
      infinite_token_lifetime: true,
      infinite_idle_token_lifetime: true,
      idle_token_lifetime: 1296000,
    },
  };
  if (appType === "resource_server") {
    return { ...base, oidc_conformant: true, jwt_configuration: { secret_encoded: false, alg: "RS256" }, grant_types: [] };
  }
  return {
    ...base,
    oidc_conformant: false,
    jwt_configuration: { secret_encoded: false, lifetime_in_seconds: 36000 },
    grant_types: ["authorization_code", "implicit", "refresh_token", "client_credentials"],
  };
}

/** A client authenticating with keys, or as a public client, has no secret to show. */
export function usesClientSecret(client: Client): boolean {
  const methods = client.client_authentication_methods;
  return (methods === undefined || methods === null) && client.token_endpoint_auth_method !== "none";
}

/** The client as the caller may see it: Auth0 shows the secret only to holders of `read:client_keys`. */
export function presentClient(client: Client, showSecret: boolean): JsonObject {
  const { client_secret: secret, ...rest } = client;
  return showSecret && usesClientSecret(client) && secret !== undefined ? { ...rest, client_secret: secret } : rest;
}

export function findClient(tenant: TenantState, id: string): Client {
  const client = tenant.clients.get(id);
  if (!client) throw notFound("The client does not exist", "inexistent_client");
  return client;
}

function assign(document: JsonObject, input: Record<string, unknown>): void {
  for (const [key, value] of Object.entries(input)) {
    if (value === undefined) continue;
    if (value === null) removeKey(document, key);
    else document[key] = value as JsonObject[string];
  }
}

/** Removes a client and everything that refers to it, as Auth0 does on delete. */
export function deleteClient(tenant: TenantState, id: string): void {
  tenant.clients.delete(id);
  tenant.credentials.delete(id);
  for (const grant of [...tenant.clientGrants.values()]) if (grant.client_id === id) tenant.clientGrants.delete(grant.id);
  for (const connection of tenant.connections.values()) {
    connection.enabled_clients = connection.enabled_clients.filter((enabled) => enabled !== id);
  }
  for (const resourceServer of tenant.resourceServers.values()) {
    if (resourceServer.client_id === id) delete resourceServer.client_id;
  }
}

async function createClient(context: RequestContext): Promise<JsonObject> {
  const { tenant } = context;
  const input = parseBody(createBody, context.body);
  const { client_authentication_methods: authMethods, resource_server_identifier: resourceServerIdentifier, ...fields } = input;
  const resourceServer = resourceServerIdentifier === undefined ? undefined : tenant.resourceServerByIdentifier(resourceServerIdentifier);
  if (resourceServerIdentifier !== undefined) {
    if (!resourceServer) throw notFound("The resource server does not exist", "inexistent_resource_server");
    if (resourceServer.client_id !== undefined) {
      throw conflict("The resource server already has a client", "resource_server_client_conflict");
    }
  }
  const keys = await context.keys();
  const document: Client = {
    name: input.name,
    client_id: newClientId(),
    client_secret: newClientSecret(),
    ...defaultsFor(input.app_type),
    signing_keys: keys.clientSigningKeys,
  };
  const { jwt_configuration: jwtConfiguration, ...rest } = fields;
  assign(document, rest);
  if (jwtConfiguration !== undefined) {
    const defaults = document.jwt_configuration;
    document.jwt_configuration = {
      ...(typeof defaults === "object" && defaults !== null && !Array.isArray(defaults) ? defaults : {}),
      ...jwtConfiguration,
    } as JsonObject;
  }
  if (resourceServer && resourceServerIdentifier !== undefined) {
    document.resource_server_identifier = resourceServerIdentifier;
    resourceServer.client_id = document.client_id;
  }
  tenant.clients.set(document.client_id, document);
  if (authMethods?.private_key_jwt) {
    const registered = [];
    for (const credential of authMethods.private_key_jwt.credentials) {
      registered.push({ id: (await registerCredential(tenant, document.client_id, credential)).id });
    }
    document.client_authentication_methods = { private_key_jwt: { credentials: registered } };
  }
  return presentClient(document, true);
}

export const clientRoutes: Route[] = [
  route("POST", "/clients", ["create:clients"], async (context) => ({ status: 201, body: await createClient(context) })),

  route("GET", "/clients", ["read:clients", "read:client_keys"], ({ tenant, query, scopes }) => {
    const params = parseQuery(listQuery, query);
    const appTypes = params.app_type?.split(",").map((value) => value.trim());
    const matching = [...tenant.clients.values()].filter(
      (client) =>
        (appTypes === undefined || (client.app_type !== undefined && appTypes.includes(client.app_type))) &&
        (params.is_first_party === undefined || client.is_first_party === params.is_first_party) &&
        // No client of this stand-in is the tenant's global client.
        params.is_global !== true,
    );
    const shown = matching.map((client) => selectFields(presentClient(client, scopes.has("read:client_keys")), params, ["signing_keys"]));
    return { status: 200, body: offsetPage(shown, "clients", params) };
  }),

  route("GET", "/clients/:id", ["read:clients", "read:client_keys"], ({ tenant, params, query, scopes }) => {
    const fields = parseQuery(getQuery, query);
    const client = findClient(tenant, params.id ?? "");
    return { status: 200, body: selectFields(presentClient(client, scopes.has("read:client_keys")), fields, ["signing_keys"]) };
  }),

  route("PATCH", "/clients/:id", ["update:clients", "update:client_keys"], async ({ tenant, params, body, scopes }) => {
    const input = parseBody(updateBody, body);
    const client = findClient(tenant, params.id ?? "");
    if ((input.client_secret !== undefined || input.encryption_key !== undefined) && !scopes.has("update:client_keys")) {
      throw new ManagementApiError(403, "Insufficient scope, expected any of: update:client_keys", "insufficient_scope");
    }
    const credentials = input.client_authentication_methods?.private_key_jwt?.credentials ?? [];
    for (const { id } of credentials) {
      if (!tenant.credentials.get(client.client_id)?.has(id)) {
        throw badRequest(`The credential ${id} does not belong to the client`, "invalid_body");
      }
    }
    assign(client, input);
    return { status: 200, body: presentClient(client, scopes.has("read:client_keys") || scopes.has("update:client_keys")) };
  }),

  route("POST", "/clients/:id/rotate-secret", ["update:client_keys"], ({ tenant, params }) => {
    const client = findClient(tenant, params.id ?? "");
    client.client_secret = newClientSecret();
    return { status: 200, body: presentClient(client, true) };
  }),

  route("DELETE", "/clients/:id", ["delete:clients"], ({ tenant, params }) => {
    deleteClient(tenant, params.id ?? "");
    return { status: 204 };
  }),
];
