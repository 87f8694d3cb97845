import { X509Certificate, webcrypto } from "node:crypto";
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { CERTIFICATE_KEY_ALGORITHM, pkcs7, selfSignedCertificate } from "../../../local/auth0/certificate.js";

// The tenant certificate must parse whatever its random serial number is: a hand-written DER
// encoder once emitted a non-minimal INTEGER when the random bytes began with 0x00, and about
// one certificate in 400 could not be read. Serials here are drawn by fast-check (seeded), with
// the edge cases (leading zero bytes, high bit set, all zeros) forced in.

let keys: webcrypto.CryptoKeyPair;
beforeAll(async () => {
  keys = (await webcrypto.subtle.generateKey(CERTIFICATE_KEY_ALGORITHM, true, ["sign", "verify"])) as webcrypto.CryptoKeyPair;
});

/** The serial as Node prints it; undefined for zero, which RFC 5280 forbids and the library replaces. */
const expectedSerial = (bytes: Uint8Array): string | undefined => {
  // Node prints the magnitude: leading zero bytes go (a DER INTEGER is minimal, and positive
  // through a sign byte that Node does not print).
  const hex = Buffer.from(bytes)
    .toString("hex")
    .replace(/^(00)+/, "");
  return hex === "" ? undefined : hex.toUpperCase();
};

describe("tenant signing certificate", () => {
  const edgeCases = [
    new Uint8Array(16),
    Uint8Array.from([0, ...Array(15).fill(0xff)]),
    Uint8Array.from([0x80, ...Array(15).fill(1)]),
    Uint8Array.from([0, 0, 0x7f, ...Array(13).fill(2)]),
  ];

  it("parses in Node for every serial number, edge cases included", async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.constantFrom(...edgeCases), fc.uint8Array({ minLength: 16, maxLength: 16 })), async (serial) => {
        const certificate = await selfSignedCertificate("exampleco-dev.eu.auth0.com", keys, serial);
        const parsed = new X509Certificate(certificate.der);
        const serialNumber = expectedSerial(serial);
        if (serialNumber === undefined) expect(parsed.serialNumber).toMatch(/^(?!0+$)[0-9A-F]+$/);
        else expect(parsed.serialNumber).toBe(serialNumber);
        expect(parsed.subject).toBe("CN=exampleco-dev.eu.auth0.com");
        expect(parsed.verify(parsed.publicKey)).toBe(true);
        expect(new X509Certificate(certificate.pem).fingerprint256).toBe(parsed.fingerprint256);
      }),
      { seed: 20261201, numRuns: 60 },
    );
  });

  it("bundles the certificate as PKCS#7, as Auth0 lists it on clients", async () => {
    const certificate = await selfSignedCertificate("exampleco-dev.eu.auth0.com", keys);
    const bundle = pkcs7(certificate);
    expect(bundle).toMatch(/^-----BEGIN PKCS7-----\r?\n[A-Za-z0-9+/=\r\n]+-----END PKCS7-----\r?\n?$/);
    const der = Buffer.from(bundle.replace(/-----(BEGIN|END) PKCS7-----|\s/g, ""), "base64");
    expect(der.includes(certificate.der)).toBe(true);
  });
});
