import { createCipheriv, randomBytes } from "node:crypto";
import { z } from "zod";
import { conflict, notFound } from "../errors.js";
import { connectionId } from "../ids.js";
import { checkpointPage, checkpointQuery, fieldsQuery, offsetPage, offsetQuery, selectFields, usesCheckpoints } from "../pagination.js";
import { route, type Route } from "../router.js";
import type { Connection, TenantState } from "../store.js";
import { databaseOptions } from "./database-options.js";
import { isJsonObject, jsonObject, parseBody, parseQuery, type JsonObject, type JsonValue } from "../validation.js";

const active = z.strictObject({ active: z.boolean() });

const writable = {
  display_name: z.string().max(128).optional(),
  options: jsonObject.optional(),
  enabled_clients: z.array(z.string()).optional(),
  is_domain_connection: z.boolean().optional(),
  realms: z.array(z.string()).optional(),
  metadata: z.record(z.string(), z.string().max(255)).optional(),
  show_as_button: z.boolean().optional(),
  authentication: active.optional(),
  connected_accounts: active.optional(),
};

const createBody = z.strictObject({
  name: z
    .string()
    .min(1)
    .max(128)
    .regex(/^[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?$/),
  strategy: z.string().min(1),
  ...writable,
});
const updateBody = z.strictObject(writable);
const enabledClientsBody = z
  .array(z.strictObject({ client_id: z.string().min(1), status: z.boolean() }))
  .min(1)
  .max(50);

const listQuery = z.strictObject({
  ...offsetQuery,
  ...checkpointQuery,
  ...fieldsQuery,
  strategy: z.string().optional(),
  name: z.string().optional(),
});

/** Recorded: `fields` answers always carry these. */
const ALWAYS_SHOWN = ["id", "is_domain_connection", "authentication", "connected_accounts"];

/** Auth0 keeps `options.configuration` values encrypted and answers the ciphertext. */
function encryptConfiguration(configuration: JsonValue, key: Buffer): JsonValue {
  if (!isJsonObject(configuration)) return configuration;
  const encrypted: JsonObject = {};
  for (const [name, value] of Object.entries(configuration)) {
    const iv = randomBytes(12);
    const cipher = createCipheriv("aes-256-gcm", key, iv);
    const body = Buffer.concat([cipher.update(JSON.stringify(value)), cipher.final()]);
    encrypted[name] = Buffer.concat([iv, body, cipher.getAuthTag()]).toString("base64");
  }
  return encrypted;
}

function storedOptions(strategy: string, given: JsonObject | undefined, previous: JsonObject | undefined, key: Buffer): JsonObject {
  const options: JsonObject = strategy === "auth0" ? databaseOptions(given, previous) : { ...(given ?? previous ?? {}) };
  if (given?.configuration !== undefined) options.configuration = encryptConfiguration(given.configuration, key);
  return options;
}

export function findConnection(tenant: TenantState, id: string): Connection {
  const connection = tenant.connections.get(id);
  if (!connection) throw notFound("The connection does not exist", "inexistent_connection");
  return connection;
}

function checkClientsExist(tenant: TenantState, clientIds: readonly string[]): void {
  for (const id of clientIds) {
    if (!tenant.clients.has(id)) throw notFound(`The client does not exist: ${id}`, "inexistent_client");
  }
}

export function connectionRoutes(configurationKey: Buffer): Route[] {
  return [
    route("POST", "/connections", ["create:connections"], ({ tenant, body }) => {
      const input = parseBody(createBody, body);
      if (tenant.connectionByName(input.name)) {
        throw conflict("A connection with the same name already exists", "connection_conflict");
      }
      checkClientsExist(tenant, input.enabled_clients ?? []);
      const { name, strategy, options, ...rest } = input;
      const connection: Connection = {
        id: connectionId(),
        options: storedOptions(strategy, options, undefined, configurationKey),
        strategy,
        name,
        is_domain_connection: false,
        authentication: { active: true },
        connected_accounts: { active: false },
        enabled_clients: [],
        realms: [name],
      };
      for (const [key, value] of Object.entries(rest)) if (value !== undefined) connection[key] = value;
      tenant.connections.set(connection.id, connection);
      return { status: 201, body: connection };
    }),

    route("GET", "/connections", ["read:connections"], ({ tenant, query, searchParams }) => {
      const params = parseQuery(listQuery, query);
      const strategies = searchParams.getAll("strategy").flatMap((value) => value.split(","));
      // Recorded: Auth0 lists connections by name, case-insensitively.
      const matching = [...tenant.connections.values()]
        .sort((a, b) => a.name.localeCompare(b.name, "en", { sensitivity: "base" }))
        .filter(
          (connection) =>
            (strategies.length === 0 || strategies.includes(connection.strategy)) &&
            (params.name === undefined || connection.name === params.name),
        )
        .map((connection) => selectFields(connection, params, ALWAYS_SHOWN));
      const body = usesCheckpoints(params) ? checkpointPage(matching, "connections", params) : offsetPage(matching, "connections", params);
      return { status: 200, body };
    }),

    route("GET", "/connections/:id", ["read:connections"], ({ tenant, params, query }) => {
      const fields = parseQuery(z.strictObject(fieldsQuery), query);
      return { status: 200, body: selectFields(findConnection(tenant, params.id ?? ""), fields, ALWAYS_SHOWN) };
    }),

    route("PATCH", "/connections/:id", ["update:connections"], ({ tenant, params, body }) => {
      const input = parseBody(updateBody, body);
      const connection = findConnection(tenant, params.id ?? "");
      checkClientsExist(tenant, input.enabled_clients ?? []);
      const { options, ...rest } = input;
      if (options !== undefined) {
        connection.options = storedOptions(connection.strategy, options, connection.options, configurationKey);
      }
      for (const [key, value] of Object.entries(rest)) if (value !== undefined) connection[key] = value;
      return { status: 200, body: connection };
    }),

    // Recorded: Auth0 deletes connections asynchronously and answers 202 with the time.
    route("DELETE", "/connections/:id", ["delete:connections"], ({ tenant, params }) => {
      const connection = findConnection(tenant, params.id ?? "");
      tenant.connections.delete(connection.id);
      for (const user of [...tenant.users.values()]) {
        if (user.identities.some((identity) => identity.connection === connection.name)) {
          tenant.users.delete(user.user_id);
          tenant.passwords.delete(user.user_id);
        }
      }
      return { status: 202, body: { deleted_at: new Date().toISOString() } };
    }),

    route("GET", "/connections/:id/clients", ["read:connections"], ({ tenant, params, query }) => {
      const paging = parseQuery(z.strictObject(checkpointQuery), query);
      const connection = findConnection(tenant, params.id ?? "");
      const clients = connection.enabled_clients.map((clientId) => ({ client_id: clientId }));
      return { status: 200, body: checkpointPage(clients, "clients", paging) };
    }),

    route("PATCH", "/connections/:id/clients", ["update:connections"], ({ tenant, params, body }) => {
      const changes = parseBody(enabledClientsBody, body);
      const connection = findConnection(tenant, params.id ?? "");
      checkClientsExist(
        tenant,
        changes.map((change) => change.client_id),
      );
      const enabled = new Set(connection.enabled_clients);
      for (const { client_id: clientId, status } of changes) {
        if (status) enabled.add(clientId);
        else enabled.delete(clientId);
      }
      connection.enabled_clients = [...enabled];
      return { status: 204 };
    }),
  ];
}
