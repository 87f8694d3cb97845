import { createHash } from "node:crypto";
import { z } from "zod";
import { badRequest, conflict, notFound } from "../errors.js";
import { userIdSuffix } from "../ids.js";
import { hashPassword } from "../passwords.js";
import { fieldsQuery, offsetPage, offsetQuery, selectFields } from "../pagination.js";
import { route, type Route } from "../router.js";
import { decodedAgain, type Connection, type TenantState, type User } from "../store.js";
import { jsonObject, parseBody, parseQuery, removeKey, type JsonObject } from "../validation.js";

const profile = {
  email: z.email().optional(),
  phone_number: z
    .string()
    .regex(/^\+[0-9]{1,15}$/)
    .optional(),
  user_metadata: jsonObject.optional(),
  app_metadata: jsonObject.optional(),
  blocked: z.boolean().optional(),
  email_verified: z.boolean().optional(),
  phone_verified: z.boolean().optional(),
  given_name: z.string().min(1).max(150).optional(),
  family_name: z.string().min(1).max(150).optional(),
  name: z.string().min(1).max(300).optional(),
  nickname: z.string().min(1).max(300).optional(),
  picture: z.string().optional(),
  username: z.string().min(1).max(128).optional(),
  password: z.string().min(1).optional(),
  verify_email: z.boolean().optional(),
};

const createBody = z.strictObject({ connection: z.string().min(1), user_id: z.string().min(1).optional(), ...profile });
const updateBody = z.strictObject({
  ...profile,
  connection: z.string().min(1).optional(),
  client_id: z.string().optional(),
  verify_phone_number: z.boolean().optional(),
});

/** `email:"a@b.c" AND username:x` as field/value pairs; anything else is refused as Auth0 refuses a bad query. */
function parseSearch(q: string): Array<[string, string]> {
  if (q.trim() === "") return [];
  return q.split(/\s+AND\s+/).map((term) => {
    const match = /^\s*([a-z_.]+):(?:"([^"]*)"|(\S+))\s*$/.exec(term);
    if (!match?.[1]) throw badRequest(`Query validation error: 'Invalid query: ${q}'`, "invalid_query_string");
    return [match[1], match[2] ?? match[3] ?? ""];
  });
}

/** Recorded: the default picture is a Gravatar with Auth0's initials avatar as fallback. */
function defaultPicture(email: string | undefined, name: string): string {
  const words = name
    .toLowerCase()
    .split(/[\s@.]+/)
    .filter(Boolean);
  const initials = words.length > 1 && !name.includes("@") ? `${words[0]?.[0]}${words[1]?.[0]}` : name.toLowerCase().slice(0, 2);
  const hash = createHash("md5")
    .update((email ?? "").trim().toLowerCase())
    .digest("hex");
  return `https://s.gravatar.com/avatar/${hash}?s=480&r=pg&d=${encodeURIComponent(`https://cdn.auth0.com/avatars/${initials}.png`)}`;
}

/**
 * Auth0 merges metadata one level deep: a `null` value removes its key, and an empty object
 * clears the whole field. Recorded: cleared `app_metadata` disappears, `user_metadata` stays `{}`.
 */
function mergeMetadata(user: User, field: "user_metadata" | "app_metadata", update: JsonObject): void {
  const current = user[field];
  const merged: JsonObject =
    Object.keys(update).length === 0 ? {} : { ...(current && typeof current === "object" && !Array.isArray(current) ? current : {}) };
  for (const [key, value] of Object.entries(update)) {
    if (value === null) removeKey(merged, key);
    else merged[key] = value;
  }
  if (field === "app_metadata" && Object.keys(merged).length === 0) delete user.app_metadata;
  else user[field] = merged;
}

export function findUser(tenant: TenantState, id: string): User {
  // User ids carry a `|`, which some clients encode twice (`auth0%257C...`).
  const again = decodedAgain(id);
  const user = tenant.users.get(id) ?? (again === undefined ? undefined : tenant.users.get(again));
  if (!user) throw notFound("The user does not exist.", "inexistent_user");
  return user;
}

function emailTaken(tenant: TenantState, email: string, connection: string, except?: string): boolean {
  for (const user of tenant.users.values()) {
    if (user.user_id === except || user.email?.toLowerCase() !== email.toLowerCase()) continue;
    if (user.identities.some((identity) => identity.connection === connection)) return true;
  }
  return false;
}

/** Auth0's checks of a new user against the tenant: its connection, the properties that connection requires, and uniqueness. */
function checkNewUser(
  tenant: TenantState,
  input: { connection: string; email?: string | undefined; password?: string | undefined; username?: string | undefined },
  suffix: string,
): { connection: Connection; userId: string } {
  const connection = tenant.connectionByName(input.connection);
  if (!connection) throw badRequest("The connection does not exist.", "inexistent_connection");
  const database = connection.strategy === "auth0";
  if (database && input.email === undefined) throw badRequest("Payload validation error: 'Missing required property: email'.");
  if (database && input.password === undefined) throw badRequest("Payload validation error: 'Missing required property: password'.");
  if (database && connection.options.requires_username === true && input.username === undefined) {
    throw badRequest("Payload validation error: 'Missing required property: username'.");
  }
  const userId = `${connection.strategy}|${suffix}`;
  if (tenant.users.has(userId) || (input.email !== undefined && emailTaken(tenant, input.email, connection.name))) {
    throw conflict("The user already exists.", "auth0_idp_error");
  }
  return { connection, userId };
}

export const userRoutes: Route[] = [
  route("POST", "/users", ["create:users"], async ({ tenant, body }) => {
    const input = parseBody(createBody, body);
    const suffix = input.user_id ?? userIdSuffix();
    // A write is one step: checked first (a refusal costs no hash), then the slow hash, then
    // checked again and applied with no await between, since another write may have come meanwhile.
    checkNewUser(tenant, input, suffix);
    const hash = input.password === undefined ? undefined : await hashPassword(input.password, tenant.passwordCost);
    const { connection, userId } = checkNewUser(tenant, input, suffix);
    const provider = connection.strategy;
    const now = new Date().toISOString();
    const {
      connection: _connection,
      user_id: _userId,
      password,
      verify_email: _verify,
      user_metadata: userMetadata,
      app_metadata: appMetadata,
      ...fields
    } = input;
    const name = fields.name ?? input.email ?? input.username ?? suffix;
    const user: User = {
      created_at: now,
      email_verified: false,
      identities: [{ user_id: suffix, connection: connection.name, provider, isSocial: false }],
      name,
      // Recorded: the nickname is the email's local part, whether or not a username is given.
      nickname: input.nickname ?? input.email?.split("@")[0] ?? input.username ?? name,
      picture: input.picture ?? defaultPicture(input.email, name),
      updated_at: now,
      user_id: userId,
    };
    for (const [key, value] of Object.entries(fields)) if (value !== undefined) user[key] = value;
    if (userMetadata !== undefined) mergeMetadata(user, "user_metadata", userMetadata);
    if (appMetadata !== undefined) mergeMetadata(user, "app_metadata", appMetadata);
    tenant.users.set(userId, user);
    if (password !== undefined && hash !== undefined) tenant.passwords.set(userId, hash);
    return { status: 201, body: user };
  }),

  route("GET", "/users/:id", ["read:users"], ({ tenant, params, query }) => {
    const fields = parseQuery(z.strictObject(fieldsQuery), query);
    return { status: 200, body: selectFields(findUser(tenant, params.id ?? ""), fields) };
  }),

  route("PATCH", "/users/:id", ["update:users"], async ({ tenant, params, body }) => {
    const input = parseBody(updateBody, body);
    findUser(tenant, params.id ?? "");
    const hash = input.password === undefined ? undefined : await hashPassword(input.password, tenant.passwordCost);
    const user = findUser(tenant, params.id ?? "");
    const connectionName = input.connection ?? String(user.identities[0]?.connection ?? "");
    if (input.email !== undefined && emailTaken(tenant, input.email, connectionName, user.user_id)) {
      throw conflict("The specified new email already exists", "email_conflict");
    }
    const {
      password,
      user_metadata: userMetadata,
      app_metadata: appMetadata,
      connection: _c,
      client_id: _id,
      verify_email: _v,
      verify_phone_number: _p,
      ...fields
    } = input;
    // A new address is unverified unless the caller says otherwise.
    if (input.email !== undefined && input.email !== user.email && input.email_verified === undefined) user.email_verified = false;
    for (const [key, value] of Object.entries(fields)) if (value !== undefined) user[key] = value;
    if (userMetadata !== undefined) mergeMetadata(user, "user_metadata", userMetadata);
    if (appMetadata !== undefined) mergeMetadata(user, "app_metadata", appMetadata);
    if (password !== undefined && hash !== undefined) tenant.passwords.set(user.user_id, hash);
    user.updated_at = new Date().toISOString();
    return { status: 200, body: user };
  }),

  route("DELETE", "/users/:id", ["delete:users"], ({ tenant, params }) => {
    tenant.users.delete(params.id ?? "");
    tenant.passwords.delete(params.id ?? "");
    tenant.authorization.forgetUser(params.id ?? "");
    return { status: 204 };
  }),

  // Auth0 searches users with Lucene syntax (search engine v3); this stand-in answers the
  // `field:value` terms (joined by AND) that clients send to look one user up.
  route("GET", "/users", ["read:users"], ({ tenant, query }) => {
    const params = parseQuery(
      z.strictObject({
        ...offsetQuery,
        ...fieldsQuery,
        q: z.string().optional(),
        search_engine: z.literal("v3").optional(),
        sort: z.string().optional(),
        connection: z.string().optional(),
      }),
      query,
    );
    const terms = parseSearch(params.q ?? "");
    const matching = [...tenant.users.values()].filter((user) =>
      terms.every(([field, value]) => String(user[field] ?? "").toLowerCase() === value.toLowerCase()),
    );
    return {
      status: 200,
      body: offsetPage(
        matching.map((user) => selectFields(user, params)),
        "users",
        params,
        { withLength: true },
      ),
    };
  }),

  route("GET", "/users-by-email", ["read:users"], ({ tenant, query }) => {
    const params = parseQuery(z.strictObject({ email: z.string().min(1), ...fieldsQuery }), query);
    const matching = [...tenant.users.values()]
      .filter((user) => user.email?.toLowerCase() === params.email.toLowerCase())
      .map((user) => selectFields(user, params));
    return { status: 200, body: matching };
  }),
];
