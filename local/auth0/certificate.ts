import { createHash, randomBytes, webcrypto } from "node:crypto";
// @peculiar/x509 resolves its ASN.1 codecs through tsyringe, which needs the Reflect metadata API.
import "reflect-metadata";
import * as x509 from "@peculiar/x509";

// Auth0 publishes each tenant signing key with its certificate (`x5c` in the JWKS,
// `signing_keys[].cert` on clients). Node verifies certificates but cannot issue them;
// @peculiar/x509 does, over Node's WebCrypto, with DER encoded as the standard requires
// (a random serial number is made a minimal, positive INTEGER whatever its first byte).

const SIGNING_ALGORITHM = { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" } as const;
const TEN_YEARS_MS = 10 * 365 * 24 * 3600 * 1000;

export interface Certificate {
  /** DER bytes, for `x5c` and thumbprints. */
  der: Buffer;
  pem: string;
  /** SHA-1 thumbprint, base64url: the JWKS `x5t`. */
  x5t: string;
}

/**
 * A self-signed certificate for `subject` (its CN) over an RSA key pair, valid ten years from
 * now; `serial` is 16 random bytes unless given.
 */
export async function selfSignedCertificate(
  subject: string,
  keys: webcrypto.CryptoKeyPair,
  serial: Uint8Array = randomBytes(16),
): Promise<Certificate> {
  const notBefore = new Date();
  const certificate = await x509.X509CertificateGenerator.createSelfSigned(
    {
      serialNumber: Buffer.from(serial).toString("hex"),
      name: [{ CN: [subject] }],
      notBefore,
      notAfter: new Date(notBefore.getTime() + TEN_YEARS_MS),
      signingAlgorithm: SIGNING_ALGORITHM,
      keys,
    },
    webcrypto as unknown as Parameters<typeof x509.X509CertificateGenerator.createSelfSigned>[1],
  );
  const der = Buffer.from(certificate.rawData);
  return { der, pem: certificate.toString("pem"), x5t: createHash("sha1").update(der).digest("base64url") };
}

/** A certificates-only PKCS#7 bundle, as Auth0 lists beside each client signing certificate. */
export function pkcs7(certificate: Certificate): string {
  const bundle = new x509.X509Certificates(new x509.X509Certificate(certificate.der));
  return x509.PemConverter.encode(bundle.export("raw"), "PKCS7");
}

/** The algorithm tenant keys are generated for, so that they can sign their own certificate. */
export const CERTIFICATE_KEY_ALGORITHM = { ...SIGNING_ALGORITHM, modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]) };
