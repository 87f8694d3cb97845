import { createPublicKey, X509Certificate, type KeyObject } from "node:crypto";
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

function publicKey(pem: string): KeyObject {
  try {
    const key = pem.includes("CERTIFICATE") ? new X509Certificate(pem).publicKey : createPublicKey(pem);
    if (key.asymmetricKeyType !== "rsa") throw new Error("not RSA");
    return key;
  } catch {
    throw badRequest("Invalid PEM: expected an RSA public key or an X.509 certificate.", "invalid_body");
  }
}

export async function registerCredential(tenant: TenantState, clientId: string, input: CredentialInput): Promise<Credential> {
  if (input.credential_type !== "public_key") {
    // mTLS credentials are outside what this stand-in authenticates with.
    throw badRequest(`Credential type ${input.credential_type} is not supported here`, "invalid_body");
  }
  if (input.pem === undefined) throw badRequest("Payload validation error: 'Missing required property: pem'.");
  const key = publicKey(input.pem);
  const jwk = key.export({ format: "jwk" });
  const now = new Date().toISOString();
  const document: Credential = {
    id: credentialId(),
    credential_type: input.credential_type,
    kid: await calculateJwkThumbprint({ kty: "RSA", n: jwk.n, e: jwk.e }),
    alg: input.alg ?? "RS256",
    created_at: now,
    updated_at: now,
  };
  if (input.name !== undefined) document.name = input.name;
  if (input.expires_at !== undefined) document.expires_at = input.expires_at;
  const forClient = tenant.credentials.get(clientId) ?? new Map();
  forClient.set(document.id, { document, key });
  tenant.credentials.set(clientId, forClient);
  return document;
}
