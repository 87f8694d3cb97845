import { createHash, createPublicKey, X509Certificate, type KeyObject } from "node:crypto";
import { calculateJwkThumbprint } from "jose";
import { z } from "zod";
import { badRequest } from "../errors.js";
import { credentialId } from "../ids.js";
import type { Credential, TenantState } from "../store.js";

// A client's public keys for `private_key_jwt`. Auth0 names each key by its RFC 7638
// thumbprint (`kid`) and never shows the PEM again; the key itself stays here for verifying
// client assertions at `/oauth/token`.

export const credentialInput = z.strictObject({
  credential_type: z.enum(["public_key", "cert_subject_dn", "x509_cert"]),
  name: z.string().max(128).optional(),
  pem: z.string().min(1).optional(),
  alg: z.enum(["RS256", "RS384", "PS256"]).optional(),
  parse_expiry_from_cert: z.boolean().optional(),
  expires_at: z.iso.datetime().optional(),
  subject_dn: z.string().optional(),
});
export type CredentialInput = z.output<typeof credentialInput>;

/** Auth0 answers instants with milliseconds (`2033-05-13T09:33:13.000Z`), whatever precision it was given. */
export const auth0Instant = (iso: string): string => new Date(iso).toISOString();

function certificate(pem: string): X509Certificate | undefined {
  if (!pem.includes("CERTIFICATE")) return undefined;
  try {
    return new X509Certificate(pem);
  } catch {
    throw badRequest("Invalid PEM: could not parse the certificate.", "invalid_body");
  }
}

function publicKey(pem: string, cert: X509Certificate | undefined): KeyObject {
  try {
    const key = cert ? cert.publicKey : createPublicKey(pem);
    if (key.asymmetricKeyType !== "rsa") throw new Error("not RSA");
    return key;
  } catch {
    throw badRequest("Invalid PEM: expected an RSA public key or an X.509 certificate.", "invalid_body");
  }
}

/** A credential checked and computed (PEM parsed, thumbprint taken), not yet part of any client. */
export interface PreparedCredential {
  readonly document: Credential;
  readonly key: KeyObject | undefined;
}

/**
 * Checks and computes a credential without touching the tenant (a write is one step: the
 * asynchronous thumbprint comes before any change). `public_key` credentials (private_key_jwt,
 * signed request objects) are named by their key's RFC 7638 thumbprint; `x509_cert` credentials
 * (self-signed mTLS) by the certificate's SHA-256 thumbprint and expire with it.
 * `parse_expiry_from_cert` takes a public key's expiry from its certificate; otherwise
 * `expires_at` is kept as given (recorded).
 */
export async function prepareCredential(input: CredentialInput): Promise<PreparedCredential> {
  if (input.credential_type === "cert_subject_dn") {
    // CA-signed mTLS credentials are matched by subject, which this stand-in does not model.
    throw badRequest(`Credential type ${input.credential_type} is not supported here`, "invalid_body");
  }
  if (input.pem === undefined) throw badRequest("Payload validation error: 'Missing required property: pem'.");
  const cert = certificate(input.pem);
  const now = new Date().toISOString();
  const base = { id: credentialId(), credential_type: input.credential_type, created_at: now, updated_at: now };
  let document: Credential;
  let key: KeyObject | undefined;
  if (input.credential_type === "x509_cert") {
    if (!cert) throw badRequest("Invalid PEM: expected an X.509 certificate.", "invalid_body");
    document = {
      ...base,
      thumbprint_sha256: createHash("sha256").update(cert.raw).digest("base64url"),
      expires_at: auth0Instant(cert.validTo),
    };
  } else {
    key = publicKey(input.pem, cert);
    const jwk = key.export({ format: "jwk" });
    document = { ...base, kid: await calculateJwkThumbprint({ kty: "RSA", n: jwk.n, e: jwk.e }), alg: input.alg ?? "RS256" };
    if (input.parse_expiry_from_cert === true && cert) document.expires_at = auth0Instant(cert.validTo);
    else if (input.expires_at !== undefined) document.expires_at = auth0Instant(input.expires_at);
  }
  if (input.name !== undefined) document.name = input.name;
  return { document, key };
}

/** Adds a prepared credential to a client: synchronous, the write's one step. */
export function storeCredential(tenant: TenantState, clientId: string, { document, key }: PreparedCredential): Credential {
  const forClient = tenant.credentials.get(clientId) ?? new Map();
  forClient.set(document.id, { document, key });
  tenant.credentials.set(clientId, forClient);
  return document;
}
