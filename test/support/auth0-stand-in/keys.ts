import { generateKeyPair, type KeyObject } from "node:crypto";
import { promisify } from "node:util";
import { calculateJwkThumbprint, type JWK } from "jose";
import { pkcs7, selfSignedCertificate, type Certificate } from "./certificate.js";

const generateRsaKeyPair = promisify(generateKeyPair);

export type AsymmetricAlg = "RS256" | "PS256";

export interface SigningKey {
  alg: AsymmetricAlg;
  kid: string;
  privateKey: KeyObject;
  publicKey: KeyObject;
  certificate: Certificate;
  /** The JWKS entry, as Auth0 publishes it. */
  jwk: JWK;
}

export interface TenantKeys {
  RS256: SigningKey;
  PS256: SigningKey;
  jwks: { keys: JWK[] };
  /** `signing_keys` as Auth0 lists it on every client (the tenant's certificate, not the client's). */
  clientSigningKeys: Array<{ cert: string; pkcs7: string; subject: string }>;
}

async function signingKey(alg: AsymmetricAlg, domain: string): Promise<SigningKey> {
  const { publicKey, privateKey } = await generateRsaKeyPair("rsa", { modulusLength: 2048 });
  const certificate = selfSignedCertificate(domain, publicKey, privateKey);
  const exported = publicKey.export({ format: "jwk" });
  const base: JWK = { kty: "RSA", n: exported.n, e: exported.e };
  const kid = await calculateJwkThumbprint(base);
  // Auth0 names the algorithm on each JWKS entry, and jose only picks an entry whose `alg`
  // equals the token's. PS256 therefore gets an entry (and key) of its own.
  const jwk: JWK = { ...base, kid, alg, use: "sig", x5t: certificate.x5t, x5c: [certificate.der.toString("base64")] };
  return { alg, kid, privateKey, publicKey, certificate, jwk };
}

/**
 * Generates the tenant's signing keys. RSA generation runs on libuv's pool and takes tens of
 * milliseconds, so the server starts without waiting and the first caller that needs a key awaits.
 */
export async function generateTenantKeys(domain: string): Promise<TenantKeys> {
  const [rs256, ps256] = await Promise.all([signingKey("RS256", domain), signingKey("PS256", domain)]);
  return {
    RS256: rs256,
    PS256: ps256,
    jwks: { keys: [rs256.jwk, ps256.jwk] },
    clientSigningKeys: [{ cert: rs256.certificate.pem, pkcs7: pkcs7(rs256.certificate), subject: "deprecated" }],
  };
}
