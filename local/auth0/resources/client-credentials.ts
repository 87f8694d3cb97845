// Routes of `/clients/{id}/credentials`; the keys themselves are registered in credentials.ts.

import { z } from "zod";
import { notFound } from "../errors.js";
import { route, type Route } from "../router.js";
import type { Credential, TenantState } from "../store.js";
import { parseBody, parseQuery } from "../validation.js";
import { findClient } from "./clients.js";
import { auth0Instant, credentialInput, prepareCredential, storeCredential } from "./credentials.js";

function findCredential(tenant: TenantState, clientId: string, id: string): Credential {
  const entry = tenant.credentials.get(clientId)?.get(id);
  if (!entry) throw notFound("The credential does not exist", "inexistent_credential");
  return entry.document;
}

const sortKey = (credential: Credential): string => String(credential.kid ?? credential.thumbprint_sha256 ?? credential.id);

export const clientCredentialRoutes: Route[] = [
  // Recorded: the list is a bare array even when `include_totals` and `per_page` are sent, and
  // comes ordered by key id (thumbprint for certificates): every recorded list fits that order,
  // none fits creation order either way.
  route("GET", "/clients/:id/credentials", ["read:client_credentials"], ({ tenant, params }) => {
    const client = findClient(tenant, params.id ?? "");
    const documents = [...(tenant.credentials.get(client.client_id)?.values() ?? [])].map((entry) => entry.document);
    return { status: 200, body: documents.sort((a, b) => (sortKey(a) < sortKey(b) ? -1 : sortKey(a) > sortKey(b) ? 1 : 0)) };
  }),

  route("POST", "/clients/:id/credentials", ["create:client_credentials"], async ({ tenant, params, body }) => {
    findClient(tenant, params.id ?? "");
    const prepared = await prepareCredential(parseBody(credentialInput, body));
    // Looked up again after the await: the client may have been deleted meanwhile.
    const client = findClient(tenant, params.id ?? "");
    return { status: 201, body: storeCredential(tenant, client.client_id, prepared) };
  }),

  route("GET", "/clients/:id/credentials/:credentialId", ["read:client_credentials"], ({ tenant, params, query }) => {
    parseQuery(z.strictObject({}), query);
    return { status: 200, body: findCredential(tenant, params.id ?? "", params.credentialId ?? "") };
  }),

  route("PATCH", "/clients/:id/credentials/:credentialId", ["update:client_credentials"], ({ tenant, params, body }) => {
    const { expires_at: expiresAt } = parseBody(z.strictObject({ expires_at: z.iso.datetime().nullable() }), body);
    const credential = findCredential(tenant, params.id ?? "", params.credentialId ?? "");
    if (expiresAt === null) delete credential.expires_at;
    else credential.expires_at = auth0Instant(expiresAt);
    credential.updated_at = new Date().toISOString();
    return { status: 200, body: credential };
  }),

  route("DELETE", "/clients/:id/credentials/:credentialId", ["delete:client_credentials"], ({ tenant, params }) => {
    tenant.credentials.get(params.id ?? "")?.delete(params.credentialId ?? "");
    const client = tenant.clients.get(params.id ?? "");
    const methods = client?.client_authentication_methods;
    if (client && methods && typeof methods === "object" && !Array.isArray(methods)) {
      const keyJwt = methods.private_key_jwt;
      if (keyJwt && typeof keyJwt === "object" && !Array.isArray(keyJwt) && Array.isArray(keyJwt.credentials)) {
        keyJwt.credentials = keyJwt.credentials.filter(
          (reference) =>
            !(typeof reference === "object" && reference !== null && !Array.isArray(reference) && reference.id === params.credentialId),
        );
      }
    }
    return { status: 204 };
  }),
];
