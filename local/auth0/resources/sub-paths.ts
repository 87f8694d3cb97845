import { ManagementApiError, notFound } from "../errors.js";
import type { Route } from "../router.js";
import type { ManagementScope, TenantState } from "../store.js";
import { findGrant } from "./client-grants.js";
import { findClient } from "./clients.js";
import { findConnection } from "./connections.js";
import { findRole } from "./roles.js";
import { findUser } from "./users.js";

// Paths below an object of a modelled kind that this tenant does not model
// (`/connections/{id}/scim-configuration`, `/users/{id}/connected-accounts`, ...). Auth0 looks
// the parent up first, so an unknown one gets that kind's own 404 ("The connection does not
// exist"); below a parent that exists, the part is answered as unmodelled kinds are (guess: the
// same answers as resources/unmodelled.ts gives, 404 for a read, 403 `feature_not_enabled` for
// a write). These routes come after every modelled one, so they answer only what nothing else does.

interface Parent {
  readonly collection: string;
  readonly read: ManagementScope;
  readonly update: ManagementScope;
  readonly find: (tenant: TenantState, id: string) => unknown;
}

const PARENTS: readonly Parent[] = [
  { collection: "clients", read: "read:clients", update: "update:clients", find: findClient },
  { collection: "connections", read: "read:connections", update: "update:connections", find: findConnection },
  { collection: "users", read: "read:users", update: "update:users", find: findUser },
  { collection: "roles", read: "read:roles", update: "update:roles", find: findRole },
  { collection: "client-grants", read: "read:client_grants", update: "update:client_grants", find: findGrant },
  {
    collection: "resource-servers",
    read: "read:resource_servers",
    update: "update:resource_servers",
    find: (tenant, id) => {
      const found = tenant.resourceServerByIdOrIdentifier(id);
      if (!found) throw notFound("The resource server does not exist", "inexistent_resource_server");
      return found;
    },
  },
];

const METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"] as const;

export const subPathRoutes: Route[] = PARENTS.flatMap((parent) =>
  METHODS.map((method): Route => ({
    method,
    pattern: new RegExp(`^/${parent.collection}/(?<id>[^/]+)/.+$`),
    scopes: [method === "GET" ? parent.read : parent.update],
    handler: ({ tenant, params }) => {
      parent.find(tenant, params.id ?? "");
      if (method === "GET") throw notFound("The resource does not exist.", "inexistent_resource");
      throw new ManagementApiError(403, "This feature is not enabled for this tenant.", "feature_not_enabled");
    },
  })),
);
