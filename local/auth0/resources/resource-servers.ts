import { createPublicKey, X509Certificate, type KeyObject } from "node:crypto";
import { calculateJwkThumbprint } from "jose";
import { z } from "zod";
import { badRequest, conflict, notFound } from "../errors.js";
import { resourceServerId, signingSecret } from "../ids.js";
import { checkpointPage, checkpointQuery, offsetPage, offsetQuery, usesCheckpoints } from "../pagination.js";
import { route, type RequestContext, type Route } from "../router.js";
import type { ResourceServer } from "../store.js";
import { parseBody, parseQuery, queryBoolean, removeKey, type JsonObject, type JsonValue } from "../validation.js";

const scope = z.strictObject({ value: z.string().min(1).max(280), description: z.string().max(500).optional() });
const policy = <T extends readonly [string, ...string[]]>(values: T) => z.strictObject({ policy: z.enum(values) });
const subjectTypeAuthorization = z.strictObject({
  user: policy(["allow_all", "deny_all", "require_client_grant"]).optional(),
  client: policy(["deny_all", "require_client_grant"]).optional(),
});
const tokenEncryption = z.strictObject({
  format: z.enum(["compact-nested-jwe"]),
  encryption_key: z.strictObject({
    name: z.string().optional(),
    alg: z.enum(["RSA-OAEP-256", "RSA-OAEP-384", "RSA-OAEP-512"]),
    kid: z.string().optional(),
    pem: z.string().min(1),
  }),
});
const proofOfPossession = z.strictObject({
  mechanism: z.enum(["mtls", "dpop"]),
  required: z.boolean(),
  required_for: z.enum(["public_clients", "all_clients"]).optional(),
});

// The properties both create and update accept; `identifier` is fixed once created.
const writable = {
  name: z
    .string()
    .min(1)
    .max(200)
    .regex(/^[^<>]+$/)
    .optional(),
  scopes: z.array(scope).optional(),
  signing_alg: z.enum(["HS256", "RS256", "PS256"]).optional(),
  signing_secret: z.string().min(16).optional(),
  allow_offline_access: z.boolean().optional(),
  token_lifetime: z.number().int().min(1).max(2_592_000).optional(),
  token_lifetime_for_web: z.number().int().min(1).max(2_592_000).optional(),
  skip_consent_for_verifiable_first_party_clients: z.boolean().optional(),
  enforce_policies: z.boolean().optional(),
  token_dialect: z.enum(["access_token", "access_token_authz", "rfc9068_profile", "rfc9068_profile_authz"]).optional(),
  verificationLocation: z.string().optional(),
  consent_policy: z.enum(["transactional-authorization-with-mfa"]).nullable().optional(),
  authorization_details: z
    .array(z.strictObject({ type: z.string().min(1) }))
    .nullable()
    .optional(),
  token_encryption: tokenEncryption.nullable().optional(),
  proof_of_possession: proofOfPossession.nullable().optional(),
  subject_type_authorization: subjectTypeAuthorization.optional(),
};

// Recorded: consent_policy, token_encryption, proof_of_possession and authorization_details are
// answered only once set (no recorded resource server created without them carries them, not
// even as null), and is_system only on Auth0's own APIs, as true. So a new document starts
// without them; the Management API's own document in store.ts carries is_system.
// Properties this stand-in does not model (Auth0 adds them over time: `authorization_policy`,
// ...) are stored and echoed as given; the modelled ones, nested objects included, are validated.
const createBody = z.looseObject({ identifier: z.string().min(1).max(600), ...writable });
const updateBody = z.looseObject(writable);
type Writable = z.output<typeof updateBody>;

const listQuery = z.strictObject({
  ...offsetQuery,
  ...checkpointQuery,
  identifiers: z.string().optional(),
  include_fields: queryBoolean.optional(),
});

const DEFAULT_SUBJECT_TYPE_AUTHORIZATION = { client: "require_client_grant", user: "allow_all" } as const;

function publicKeyFromPem(pem: string): KeyObject {
  try {
    return pem.includes("CERTIFICATE") ? new X509Certificate(pem).publicKey : createPublicKey(pem);
  } catch {
    throw badRequest("Invalid PEM: could not parse the encryption key.", "invalid_body");
  }
}

/** Auth0 keeps the encryption key's thumbprint (RFC 7638), never the PEM it was given. */
async function storedTokenEncryption(input: z.output<typeof tokenEncryption>): Promise<JsonObject> {
  const { pem, ...key } = input.encryption_key;
  const jwk = publicKeyFromPem(pem).export({ format: "jwk" });
  const thumbprint = await calculateJwkThumbprint({ kty: jwk.kty ?? "RSA", n: jwk.n, e: jwk.e });
  return { format: input.format, encryption_key: { ...key, thumbprint_sha256: thumbprint } };
}

/** What a create or update computes before it changes anything: the stored form of `token_encryption` (a thumbprint, taken asynchronously). */
async function prepared(input: Writable): Promise<Writable & { storedEncryption?: JsonObject | null }> {
  if (input.token_encryption === undefined) return input;
  return { ...input, storedEncryption: input.token_encryption === null ? null : await storedTokenEncryption(input.token_encryption) };
}

/** Applies a prepared create or update: synchronous, so the document goes from one whole state to the next. */
function applyWritable(document: ResourceServer, input: Awaited<ReturnType<typeof prepared>>): void {
  for (const [key, value] of Object.entries(input)) {
    if (value === undefined || key === "token_encryption" || key === "storedEncryption" || key === "subject_type_authorization") continue;
    // `null` clears a property, as Auth0's PATCH does for its nullable ones.
    if (value === null) removeKey(document, key);
    else document[key] = value as JsonValue;
  }
  if (input.storedEncryption === null) delete document.token_encryption;
  else if (input.storedEncryption !== undefined) document.token_encryption = input.storedEncryption;
  if (input.subject_type_authorization !== undefined) {
    const { user, client } = input.subject_type_authorization;
    document.subject_type_authorization = {
      user: { policy: user?.policy ?? DEFAULT_SUBJECT_TYPE_AUTHORIZATION.user },
      client: { policy: client?.policy ?? DEFAULT_SUBJECT_TYPE_AUTHORIZATION.client },
    };
  }
  // HS256 tokens need a shared secret; Auth0 generates one when none is given.
  if (document.signing_alg === "HS256" && document.signing_secret === undefined) document.signing_secret = signingSecret();
}

export function findResourceServer(context: RequestContext): ResourceServer {
  const resourceServer = context.tenant.resourceServerByIdOrIdentifier(context.params.id ?? "");
  if (!resourceServer) throw notFound("The resource server does not exist", "inexistent_resource_server");
  return resourceServer;
}

export const resourceServerRoutes: Route[] = [
  route("POST", "/resource-servers", ["create:resource_servers"], async ({ tenant, body }) => {
    const input = parseBody(createBody, body);
    // A write is one step: the thumbprint is taken first; the uniqueness check and the insert follow with no await between.
    const { identifier, ...rest } = input;
    const changes = await prepared(rest);
    if (tenant.resourceServerByIdentifier(identifier)) {
      throw conflict("A resource server with the same identifier already exists", "resource_server_conflict");
    }
    const document: ResourceServer = {
      id: resourceServerId(),
      identifier,
      allow_offline_access: false,
      skip_consent_for_verifiable_first_party_clients: false,
      subject_type_authorization: {
        client: { policy: DEFAULT_SUBJECT_TYPE_AUTHORIZATION.client },
        user: { policy: DEFAULT_SUBJECT_TYPE_AUTHORIZATION.user },
      },
      token_lifetime: 86400,
      token_lifetime_for_web: 7200,
      signing_alg: "RS256",
    };
    applyWritable(document, changes);
    tenant.resourceServers.set(document.id, document);
    return { status: 201, body: document };
  }),

  route("GET", "/resource-servers", ["read:resource_servers"], ({ tenant, query, searchParams }) => {
    const params = parseQuery(listQuery, query);
    const wanted = searchParams.getAll("identifiers").flatMap((value) => value.split(","));
    const all = [...tenant.resourceServers.values()].filter(
      (resourceServer) => wanted.length === 0 || wanted.includes(resourceServer.identifier),
    );
    const body = usesCheckpoints(params) ? checkpointPage(all, "resource_servers", params) : offsetPage(all, "resource_servers", params);
    return { status: 200, body };
  }),

  route("GET", "/resource-servers/:id", ["read:resource_servers"], (context) => {
    parseQuery(z.strictObject({ include_fields: queryBoolean.optional() }), context.query);
    return { status: 200, body: findResourceServer(context) };
  }),

  route("PATCH", "/resource-servers/:id", ["update:resource_servers"], async (context) => {
    const input = parseBody(updateBody, context.body);
    if (findResourceServer(context).is_system === true) {
      throw badRequest("You cannot update a system resource server", "operation_not_supported");
    }
    const changes = await prepared(input);
    // Found again after the await: it may have been deleted meanwhile.
    const document = findResourceServer(context);
    applyWritable(document, changes);
    return { status: 200, body: document };
  }),

  route("DELETE", "/resource-servers/:id", ["delete:resource_servers"], ({ tenant, params }) => {
    const document = tenant.resourceServerByIdOrIdentifier(params.id ?? "");
    // Deleting what is already gone succeeds, as Auth0's deletes do (recorded for grants).
    if (!document) return { status: 204 };
    if (document.is_system === true) {
      throw badRequest("You cannot delete a system resource server", "operation_not_supported");
    }
    tenant.resourceServers.delete(document.id);
    for (const grant of [...tenant.clientGrants.values()]) {
      if (grant.audience === document.identifier) tenant.clientGrants.delete(grant.id);
    }
    return { status: 204 };
  }),
];
