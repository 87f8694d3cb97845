import { ManagementApiError } from "../errors.js";
import { clientId as newClientId, clientSecret as newClientSecret } from "../ids.js";
import type { Client } from "../store.js";
import { refreshTokenDefaults } from "./client-defaults.js";

// Every Auth0 tenant has one global client, "All Applications" (`global: true`): the holder of
// the tenant-wide settings that predate applications (the classic custom login page). Auth0
// makes it with the tenant; `GET /clients` lists it, `is_global=true` finds it (the Deploy
// CLI's `pages` and Terraform's global client read the login page from it), and the
// Management API changes it with PATCH like any client. Nothing makes a second one or removes it.
//
// What the recordings show (shared/auth0-recordings/extended):
// - TestAccDataClients lists it with exactly these properties on a tenant where nothing had
//   touched it (no custom login page): name, client_id, client_secret (with read:client_keys),
//   is_first_party true, callbacks [], signing_keys, custom_login_page_on false, and the
//   refresh-token defaults of a client that names no secret method. No app_type, no
//   grant_types, no `global` and no `tenant` in a full answer.
// - It comes last in that list, after clients created after it (all others are in creation
//   order). One recording shows it; "always last" is the rule taken from it.
// - `is_first_party=true` lists it; `app_type=non_interactive` does not (it has no app type).
// - TestAccGlobalClient finds it with `is_global=true&fields=client_id`: the answer holds
//   `client_id` and `tenant` (the tenant's name), and not `signing_keys`, which a regular
//   client's field-selected answers always carry. PATCH of custom_login_page{,_on} answers 200
//   with the whole client.
// Guesses, not recorded: the delete refusal below; `global`/`tenant` refused in a write (the
// SDK's create and update bodies do not have them, and the Deploy CLI strips both from its
// updates as fields Auth0 does not allow); `global` answered when `fields` names it. A new
// tenant made by the dashboard may also hold a "Default App" application; no recording
// shows one, so a new local tenant does not.

/** The name Auth0 gives every tenant's global client. */
export const GLOBAL_CLIENT_NAME = "All Applications";

export const isGlobalClient = (client: Client): boolean => client.global === true;

/** The tenant's name as Auth0 answers it in `tenant`: the first label of its domain (recorded). */
export const tenantName = (domain: string): string => domain.split(".")[0] ?? domain;

/**
 * Properties Auth0 keeps on clients but answers only under `fields` (its documentation lists
 * both among those `read:clients` may retrieve; no full answer recorded carries them).
 */
export const FIELDS_ONLY_PROPERTIES = ["global", "tenant"] as const;

/** Properties the Management API never takes in a client's create or update. */
export const READ_ONLY_PROPERTIES = ["global", "tenant"] as const;

/** The global client of a new tenant, as recorded; `signing_keys` (the tenant's certificate) are added when it is answered. */
export function newGlobalClient(): Client {
  return {
    name: GLOBAL_CLIENT_NAME,
    client_id: newClientId(),
    client_secret: newClientSecret(),
    is_first_party: true,
    callbacks: [],
    custom_login_page_on: false,
    refresh_token: refreshTokenDefaults({}),
    global: true,
  };
}

/**
 * Guess: Auth0 keeps the global client for the tenant's life (the Deploy CLI and Terraform never
 * delete it; Terraform's global client resource only forgets it). No recording shows the answer
 * to a DELETE; a refusal keeps the rule that every tenant has exactly one.
 */
export const globalClientNotDeletable = (): ManagementApiError =>
  new ManagementApiError(400, "The global client cannot be deleted", "operation_not_supported");

/** Auth0's words for a read-only property in a client's body (z-schema's, as every payload error). */
export function readOnlyPropertyRefused(body: unknown): ManagementApiError | undefined {
  if (typeof body !== "object" || body === null || Array.isArray(body)) return undefined;
  const given = READ_ONLY_PROPERTIES.filter((key) => Object.hasOwn(body, key));
  if (given.length === 0) return undefined;
  return new ManagementApiError(400, `Payload validation error: 'Additional properties not allowed: ${given.join(",")}'.`, "invalid_body");
}
