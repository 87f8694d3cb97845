import { z } from "zod";
import { badRequest, conflict, ManagementApiError, notFound } from "../errors.js";
import { clientId as newClientId, clientSecret as newClientSecret } from "../ids.js";
import { fieldsQuery, offsetPage, offsetQuery, selectFields, type FieldsParams } from "../pagination.js";
import { route, type RequestContext, type Route } from "../router.js";
import type { Client, TenantState } from "../store.js";
import {
  isJsonObject,
  jsonObject,
  parseBody,
  parseQuery,
  queryBoolean,
  removeKey,
  type JsonObject,
  type JsonValue,
} from "../validation.js";
import { mergePatch } from "../merge.js";
import { clientDefaults, completeSessionTransfer, jwtConfigurationOnCreate, refreshTokenAfterMethodChange } from "./client-defaults.js";
import { credentialInput, prepareCredential, storeCredential, type CredentialInput, type PreparedCredential } from "./credentials.js";
import { FIELDS_ONLY_PROPERTIES, globalClientNotDeletable, isGlobalClient, readOnlyPropertyRefused, tenantName } from "./global-client.js";

const urls = z.array(z.string());
const credentialReference = z.looseObject({ id: z.string().min(1) });
/** The credential-based methods Auth0 lists under `client_authentication_methods`. */
const authenticationMethods = <T extends z.ZodType>(credential: T) => {
  const method = z.looseObject({ credentials: z.array(credential) }).optional();
  return z.looseObject({ private_key_jwt: method, tls_client_auth: method, self_signed_tls_client_auth: method });
};

// The client properties create and update share, each nullable: on PATCH `null` removes the
// property (Terraform and Pulumi send it for what was unset). Properties this stand-in does not
// model are stored and echoed as given (z.looseObject), as Auth0 does for the many it adds over
// time; the ones below are validated with Auth0's messages.
const writable = {
  description: z.string().max(140).nullable().optional(),
  logo_uri: z.string().nullable().optional(),
  callbacks: urls.nullable().optional(),
  allowed_origins: urls.nullable().optional(),
  web_origins: urls.nullable().optional(),
  client_aliases: urls.nullable().optional(),
  allowed_clients: urls.nullable().optional(),
  allowed_logout_urls: urls.nullable().optional(),
  oidc_logout: jsonObject.nullable().optional(),
  oidc_backchannel_logout: jsonObject.nullable().optional(),
  session_transfer: jsonObject.nullable().optional(),
  grant_types: z.array(z.string()).nullable().optional(),
  token_endpoint_auth_method: z.enum(["none", "client_secret_post", "client_secret_basic"]).nullable().optional(),
  is_token_endpoint_ip_header_trusted: z.boolean().nullable().optional(),
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
    .nullable()
    .optional(),
  is_first_party: z.boolean().nullable().optional(),
  oidc_conformant: z.boolean().nullable().optional(),
  jwt_configuration: z
    .looseObject({
      lifetime_in_seconds: z.number().int().min(0).nullable().optional(),
      secret_encoded: z.boolean().nullable().optional(),
      scopes: jsonObject.nullable().optional(),
      alg: z.enum(["HS256", "RS256", "PS256"]).nullable().optional(),
    })
    .nullable()
    .optional(),
  encryption_key: jsonObject.nullable().optional(),
  sso: z.boolean().nullable().optional(),
  sso_disabled: z.boolean().nullable().optional(),
  cross_origin_authentication: z.boolean().nullable().optional(),
  cross_origin_loc: z.string().nullable().optional(),
  custom_login_page_on: z.boolean().nullable().optional(),
  custom_login_page: z.string().nullable().optional(),
  custom_login_page_preview: z.string().nullable().optional(),
  form_template: z.string().nullable().optional(),
  addons: jsonObject.nullable().optional(),
  // Auth0: string values of at most 255 characters; `null` removes one key.
  client_metadata: z.record(z.string(), z.string().max(255).nullable()).nullable().optional(),
  mobile: jsonObject.nullable().optional(),
  initiate_login_uri: z.string().nullable().optional(),
  native_social_login: jsonObject.nullable().optional(),
  refresh_token: jsonObject.nullable().optional(),
  default_organization: jsonObject.nullable().optional(),
  organization_usage: z.enum(["deny", "allow", "require"]).nullable().optional(),
  organization_require_behavior: z.enum(["no_prompt", "pre_login_prompt", "post_login_prompt"]).nullable().optional(),
  require_pushed_authorization_requests: z.boolean().nullable().optional(),
  require_proof_of_possession: z.boolean().nullable().optional(),
  signed_request_object: jsonObject.nullable().optional(),
  compliance_level: z.string().nullable().optional(),
  par_request_expiry: z.number().int().nullable().optional(),
  token_exchange: jsonObject.nullable().optional(),
};

const name = z
  .string()
  .min(1)
  .regex(/^[^<>]+$/);

const createBody = z.looseObject({
  name,
  ...writable,
  resource_server_identifier: z.string().min(1).optional(),
  // On create, credentials are given whole and registered with the client.
  client_authentication_methods: authenticationMethods(credentialInput).nullable().optional(),
});

const updateBody = z.looseObject({
  name: name.optional(),
  ...writable,
  client_secret: z.string().min(1).optional(),
  client_authentication_methods: authenticationMethods(credentialReference).nullable().optional(),
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

/** Auth0 shows a client's secret unless the client authenticates with credentials instead. */
export function hasSecret(client: Client): boolean {
  const methods = client.client_authentication_methods;
  return (methods === undefined || methods === null) && client.app_type !== "express_configuration";
}

/** Whether the token endpoint accepts the client's secret: public clients (`none`) have none to give. */
export function usesClientSecret(client: Client): boolean {
  return hasSecret(client) && client.token_endpoint_auth_method !== "none";
}

/** The client as the caller may see it: Auth0 shows the secret only to holders of `read:client_keys`. */
export function presentClient(client: Client, showSecret: boolean): JsonObject {
  const { client_secret: secret, ...rest } = client;
  return showSecret && hasSecret(client) && secret !== undefined ? { ...rest, client_secret: secret } : rest;
}

/**
 * The client as answered: the secret as presentClient allows, the tenant's signing certificate,
 * and under `fields` also the properties Auth0 answers only when asked for (`global`, `tenant`).
 * A field-selected answer always carries `signing_keys`, except the global client's, which
 * carries `tenant` instead (both recorded).
 */
function answerClient(tenant: TenantState, client: Client, showSecret: boolean, fields: FieldsParams, signingKeys: JsonValue): JsonObject {
  const shown = presentClient(client, showSecret);
  for (const key of FIELDS_ONLY_PROPERTIES) removeKey(shown, key);
  if (shown.signing_keys === undefined) shown.signing_keys = signingKeys;
  if (fields.fields === undefined || fields.fields === "" || fields.include_fields === false) return selectFields(shown, fields);
  const selectable = { ...shown, global: isGlobalClient(client), tenant: tenantName(tenant.domain) };
  return selectFields(selectable, fields, isGlobalClient(client) ? ["tenant"] : ["signing_keys"]);
}

/** Recorded: Auth0 lists the global client after every other client, which come in creation order. */
const globalLast = (a: Client, b: Client): number => Number(isGlobalClient(a)) - Number(isGlobalClient(b));

export function findClient(tenant: TenantState, id: string): Client {
  const client = tenant.clients.get(id);
  if (!client) throw notFound("The client does not exist", "inexistent_client");
  return client;
}

/**
 * Writes a create or update into the stored client with Auth0's PATCH rules (nested objects
 * merge, `null` removes), keeping the two names of the back-channel logout setting in step:
 * recorded, `oidc_backchannel_logout` mirrors `oidc_logout`'s URLs, and `null` on either clears both.
 */
function write(document: Client, input: Record<string, unknown>): void {
  const { oidc_logout: logout, oidc_backchannel_logout: backchannel, ...rest } = input;
  // Recorded: an empty login URI unsets it (Auth0 accepts only an https URL or nothing).
  if (rest.initiate_login_uri === "") rest.initiate_login_uri = null;
  mergePatch(document, rest);
  if (logout === null || backchannel === null) {
    delete document.oidc_logout;
    delete document.oidc_backchannel_logout;
  }
  if (isJsonObject(logout)) mergePatch(document, { oidc_logout: logout });
  else if (isJsonObject(backchannel)) mergePatch(document, { oidc_logout: backchannel });
  if (isJsonObject(logout) || isJsonObject(backchannel)) {
    const stored = document.oidc_logout;
    const urls = isJsonObject(stored) ? stored.backchannel_logout_urls : undefined;
    document.oidc_backchannel_logout = urls === undefined ? {} : { backchannel_logout_urls: urls };
  }
  if (isJsonObject(document.session_transfer)) document.session_transfer = completeSessionTransfer(document.session_transfer);
}

/** Removes a client and everything that refers to it, as Auth0 does on delete. */
export function deleteClient(tenant: TenantState, id: string): void {
  const client = tenant.clients.get(id);
  if (client !== undefined && isGlobalClient(client)) throw globalClientNotDeletable();
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

/** The credentials given on create, checked and computed, by method; nothing is stored yet. */
async function preparedMethods(given: JsonObject | null | undefined): Promise<Map<string, PreparedCredential[]> | undefined> {
  if (!isJsonObject(given)) return undefined;
  const methods = new Map<string, PreparedCredential[]>();
  for (const [method, value] of Object.entries(given)) {
    if (!isJsonObject(value) || !Array.isArray(value.credentials)) continue;
    const prepared: PreparedCredential[] = [];
    for (const credential of value.credentials) prepared.push(await prepareCredential(credential as CredentialInput));
    methods.set(method, prepared);
  }
  return methods;
}

// A write is one step: everything asynchronous (the tenant's keys, each credential's PEM and
// thumbprint) is done first; the checks against the tenant and every change follow without an
// await between them, so no other write can slip in, and a refusal leaves nothing behind.
async function createClient(context: RequestContext): Promise<JsonObject> {
  const { tenant } = context;
  const readOnly = readOnlyPropertyRefused(context.body);
  if (readOnly) throw readOnly;
  const input = parseBody(createBody, context.body);
  const { client_authentication_methods: authMethods, resource_server_identifier: resourceServerIdentifier, ...fields } = input;
  const keys = await context.keys();
  const credentials = await preparedMethods(authMethods as JsonObject | null | undefined);
  const resourceServer = resourceServerIdentifier === undefined ? undefined : tenant.resourceServerByIdentifier(resourceServerIdentifier);
  if (resourceServerIdentifier !== undefined) {
    if (!resourceServer) throw notFound("The resource server does not exist", "inexistent_resource_server");
    if (resourceServer.client_id !== undefined) {
      throw conflict("The resource server already has a client", "resource_server_client_conflict");
    }
  }
  const shape = {
    app_type: input.app_type ?? undefined,
    token_endpoint_auth_method: input.token_endpoint_auth_method,
    is_first_party: input.is_first_party ?? undefined,
  };
  const document: Client = {
    name: input.name,
    client_id: newClientId(),
    client_secret: newClientSecret(),
    ...clientDefaults(shape),
    signing_keys: keys.clientSigningKeys,
  };
  const { jwt_configuration: jwtConfiguration, ...rest } = fields;
  // A configuration given on create replaces the default one (recorded: no lifetime is added).
  if (isJsonObject(jwtConfiguration)) document.jwt_configuration = jwtConfigurationOnCreate({});
  write(document, jwtConfiguration === undefined ? rest : { ...rest, jwt_configuration: jwtConfiguration });
  if (resourceServer && resourceServerIdentifier !== undefined) {
    document.resource_server_identifier = resourceServerIdentifier;
    resourceServer.client_id = document.client_id;
  }
  tenant.clients.set(document.client_id, document);
  if (credentials !== undefined) {
    const methods: JsonObject = {};
    for (const [method, prepared] of credentials) {
      methods[method] = { credentials: prepared.map((credential) => ({ id: storeCredential(tenant, document.client_id, credential).id })) };
    }
    document.client_authentication_methods = methods;
  }
  return presentClient(document, true);
}

export const clientRoutes: Route[] = [
  route("POST", "/clients", ["create:clients"], async (context) => ({ status: 201, body: await createClient(context) })),

  route("GET", "/clients", ["read:clients", "read:client_keys"], async ({ tenant, keys, query, scopes }) => {
    const params = parseQuery(listQuery, query);
    const appTypes = params.app_type?.split(",").map((value) => value.trim());
    const matching = [...tenant.clients.values()]
      .filter(
        (client) =>
          (appTypes === undefined || (client.app_type !== undefined && appTypes.includes(client.app_type))) &&
          (params.is_first_party === undefined || client.is_first_party === params.is_first_party) &&
          (params.is_global === undefined || isGlobalClient(client) === params.is_global),
      )
      .sort(globalLast);
    const { clientSigningKeys } = await keys();
    const shown = matching.map((client) => answerClient(tenant, client, scopes.has("read:client_keys"), params, clientSigningKeys));
    return { status: 200, body: offsetPage(shown, "clients", params, { pagedClients: true }) };
  }),

  route("GET", "/clients/:id", ["read:clients", "read:client_keys"], async ({ tenant, keys, params, query, scopes }) => {
    const fields = parseQuery(getQuery, query);
    const client = findClient(tenant, params.id ?? "");
    return { status: 200, body: answerClient(tenant, client, scopes.has("read:client_keys"), fields, (await keys()).clientSigningKeys) };
  }),

  route("PATCH", "/clients/:id", ["update:clients", "update:client_keys"], async ({ tenant, keys, params, body, scopes }) => {
    const readOnly = readOnlyPropertyRefused(body);
    if (readOnly) throw readOnly;
    const input = parseBody(updateBody, body);
    const { clientSigningKeys } = await keys();
    const client = findClient(tenant, params.id ?? "");
    if ((input.client_secret !== undefined || input.encryption_key !== undefined) && !scopes.has("update:client_keys")) {
      throw new ManagementApiError(403, "Insufficient scope, expected any of: update:client_keys", "insufficient_scope");
    }
    const methods = input.client_authentication_methods ?? {};
    const credentials = [methods.private_key_jwt, methods.tls_client_auth, methods.self_signed_tls_client_auth].flatMap(
      (method) => method?.credentials ?? [],
    );
    for (const { id } of credentials) {
      if (!tenant.credentials.get(client.client_id)?.has(id)) {
        throw badRequest(`The credential ${id} does not belong to the client`, "invalid_body");
      }
    }
    const method = input.token_endpoint_auth_method;
    const refreshToken =
      input.refresh_token === undefined && typeof method === "string"
        ? refreshTokenAfterMethodChange(client.refresh_token, method)
        : undefined;
    write(client, input);
    if (refreshToken) client.refresh_token = refreshToken;
    const showSecret = scopes.has("read:client_keys") || scopes.has("update:client_keys");
    return { status: 200, body: answerClient(tenant, client, showSecret, {}, clientSigningKeys) };
  }),

  route("POST", "/clients/:id/rotate-secret", ["update:client_keys"], async ({ tenant, keys, params }) => {
    const { clientSigningKeys } = await keys();
    const client = findClient(tenant, params.id ?? "");
    client.client_secret = newClientSecret();
    return { status: 200, body: answerClient(tenant, client, true, {}, clientSigningKeys) };
  }),

  route("DELETE", "/clients/:id", ["delete:clients"], ({ tenant, params }) => {
    deleteClient(tenant, params.id ?? "");
    return { status: 204 };
  }),
];
