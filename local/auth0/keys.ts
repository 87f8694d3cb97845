import { createHash, createPrivateKey, createPublicKey, KeyObject, webcrypto } from "node:crypto";
import { calculateJwkThumbprint, type JWK } from "jose";
// @peculiar/x509 resolves its ASN.1 codecs through tsyringe, which needs the Reflect metadata API.
import "reflect-metadata";
import * as x509 from "@peculiar/x509";
import { CERTIFICATE_KEY_ALGORITHM, pkcs7, selfSignedCertificate, type Certificate } from "./certificate.js";

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
  /** The key the tenant signs RS256 tokens with now (the newest, after a rotation). */
  readonly RS256: SigningKey;
  /** Generated on first use: most tenants never sign with PS256, and RSA generation is slow. */
  PS256(): Promise<SigningKey>;
  /** The published key set; includes the PS256 key, so it is created no later than this. */
  jwks(): Promise<{ keys: JWK[] }>;
  /**
   * Key rotation, as Auth0 does it (Management API `POST /keys/signing/rotate`): a new RS256
   * key signs from now on; the previous one stays published, so tokens it signed still verify.
   */
  rotate(): Promise<SigningKey>;
  /** Revocation (`PUT /keys/signing/{kid}/revoke`): the key leaves the published key set. */
  revoke(kid: string): void;
  /** `signing_keys` as Auth0 lists it on every client (the tenant's certificate, not the client's). */
  clientSigningKeys: Array<{ cert: string; pkcs7: string; subject: string }>;
  /** Every key, private halves included, for the local tenant's file: a restart signs with the same keys, so tokens stay valid. */
  saved(): Promise<SavedTenantKeys>;
}

export interface SavedSigningKey {
  readonly alg: AsymmetricAlg;
  /** PKCS#8 PEM. */
  readonly privateKey: string;
  /** The certificate's DER, base64. */
  readonly certificate: string;
}

export interface SavedTenantKeys {
  /** Every RS256 key still published, oldest first; the last one signs. */
  readonly rs256: readonly SavedSigningKey[];
  /** The first RS256 key's certificate is what clients list; kept apart because revocation may unpublish it. */
  readonly clientCertificate: SavedSigningKey;
  readonly ps256?: SavedSigningKey | undefined;
}

function savedKey(key: SigningKey): SavedSigningKey {
  return {
    alg: key.alg,
    privateKey: key.privateKey.export({ format: "pem", type: "pkcs8" }).toString(),
    certificate: key.certificate.der.toString("base64"),
  };
}

async function restoredKey(saved: SavedSigningKey): Promise<SigningKey> {
  const privateKey = createPrivateKey(saved.privateKey);
  const publicKey = createPublicKey(privateKey);
  const der = Buffer.from(saved.certificate, "base64");
  // The same library that wrote it: the PEM clients list stays byte for byte what it was.
  const pem = new x509.X509Certificate(der).toString("pem");
  const certificate: Certificate = { der, pem, x5t: createHash("sha1").update(der).digest("base64url") };
  const exported = publicKey.export({ format: "jwk" });
  const base: JWK = { kty: "RSA", n: exported.n, e: exported.e };
  const kid = await calculateJwkThumbprint(base);
  const jwk: JWK = { ...base, kid, alg: saved.alg, use: "sig", x5t: certificate.x5t, x5c: [der.toString("base64")] };
  return { alg: saved.alg, kid, privateKey, publicKey, certificate, jwk };
}

async function signingKey(alg: AsymmetricAlg, domain: string): Promise<SigningKey> {
  // WebCrypto generates on libuv's pool, like generateKeyPair; the pair signs its own certificate
  // and, as KeyObjects, every token (jose signs PS256 with the same RSA key material).
  const pair = (await webcrypto.subtle.generateKey(CERTIFICATE_KEY_ALGORITHM, true, ["sign", "verify"])) as webcrypto.CryptoKeyPair;
  const certificate = await selfSignedCertificate(domain, pair);
  const publicKey = KeyObject.from(pair.publicKey);
  const privateKey = KeyObject.from(pair.privateKey);
  const exported = publicKey.export({ format: "jwk" });
  const base: JWK = { kty: "RSA", n: exported.n, e: exported.e };
  const kid = await calculateJwkThumbprint(base);
  // Auth0 names the algorithm on each JWKS entry, and jose only picks an entry whose `alg`
  // equals the token's. PS256 therefore gets an entry (and key) of its own.
  const jwk: JWK = { ...base, kid, alg, use: "sig", x5t: certificate.x5t, x5c: [certificate.der.toString("base64")] };
  return { alg, kid, privateKey, publicKey, certificate, jwk };
}

/**
 * Generates the tenant's RS256 key (on libuv's pool, tens of milliseconds); the PS256 key
 * follows on first use. Every published key exists before the JWKS that lists it is served, so
 * a verifier never meets a `kid` its cached JWKS lacks.
 */
export async function generateTenantKeys(domain: string): Promise<TenantKeys> {
  return tenantKeys(domain, [await signingKey("RS256", domain)], undefined, undefined);
}

/** The keys of a saved tenant, exactly as they were: same kids, same certificates, same private keys. */
export async function restoreTenantKeys(domain: string, saved: SavedTenantKeys): Promise<TenantKeys> {
  const published = await Promise.all(saved.rs256.map(restoredKey));
  if (published.length === 0) throw new Error("the saved tenant has no RS256 key");
  const ps256 = saved.ps256 === undefined ? undefined : await restoredKey(saved.ps256);
  return tenantKeys(domain, published, await restoredKey(saved.clientCertificate), ps256);
}

function tenantKeys(
  domain: string,
  initiallyPublished: SigningKey[],
  clientCertificateKey: SigningKey | undefined,
  restoredPs256: SigningKey | undefined,
): TenantKeys {
  const rs256 = clientCertificateKey ?? (initiallyPublished[0] as SigningKey);
  let current = initiallyPublished[initiallyPublished.length - 1] as SigningKey;
  // Every RS256 key still published, oldest first; rotation adds, revocation removes.
  let published = initiallyPublished;
  let ps256: Promise<SigningKey> | undefined = restoredPs256 === undefined ? undefined : Promise.resolve(restoredPs256);
  const PS256 = (): Promise<SigningKey> => (ps256 ??= signingKey("PS256", domain));
  return {
    get RS256() {
      return current;
    },
    PS256,
    jwks: async () => ({ keys: [...published.map((key) => key.jwk), (await PS256()).jwk] }),
    async rotate() {
      current = await signingKey("RS256", domain);
      published = [...published, current];
      return current;
    },
    revoke(kid) {
      if (kid === current.kid) throw new Error("the key in use cannot be revoked; rotate first");
      published = published.filter((key) => key.kid !== kid);
    },
    clientSigningKeys: [{ cert: rs256.certificate.pem, pkcs7: pkcs7(rs256.certificate), subject: "deprecated" }],
    async saved() {
      return {
        rs256: published.map(savedKey),
        clientCertificate: savedKey(rs256),
        ps256: ps256 === undefined ? undefined : savedKey(await ps256),
      };
    },
  };
}
