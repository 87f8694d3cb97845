import { createHash, randomBytes, sign, type KeyObject } from "node:crypto";

// Auth0 publishes each tenant signing key with its certificate (`x5c` in the JWKS,
// `signing_keys[].cert` on clients). Node can verify certificates but not issue them, so this
// file holds the few DER encoders a self-signed RSA certificate needs.

function derLength(length: number): Buffer {
  if (length < 0x80) return Buffer.from([length]);
  const bytes: number[] = [];
  for (let rest = length; rest > 0; rest = Math.floor(rest / 256)) bytes.unshift(rest % 256);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

const der = (tag: number, ...content: Buffer[]): Buffer => {
  const body = Buffer.concat(content);
  return Buffer.concat([Buffer.from([tag]), derLength(body.length), body]);
};
const sequence = (...items: Buffer[]): Buffer => der(0x30, ...items);
const set = (...items: Buffer[]): Buffer => der(0x31, ...items);
const explicit = (tagNumber: number, ...items: Buffer[]): Buffer => der(0xa0 + tagNumber, ...items);
const derNull = Buffer.from([0x05, 0x00]);

function integer(value: Buffer): Buffer {
  // DER integers are signed: a leading 1-bit would make the serial negative.
  const positive = (value[0] ?? 0) & 0x80 ? Buffer.concat([Buffer.from([0]), value]) : value;
  return der(0x02, positive);
}

function oid(dotted: string): Buffer {
  const [first = 0, second = 0, ...rest] = dotted.split(".").map(Number);
  const bytes = [first * 40 + second];
  for (const arc of rest) {
    const chunk: number[] = [arc & 0x7f];
    for (let value = arc >>> 7; value > 0; value >>>= 7) chunk.unshift((value & 0x7f) | 0x80);
    bytes.push(...chunk);
  }
  return der(0x06, Buffer.from(bytes));
}

function time(date: Date): Buffer {
  const iso = date.toISOString().replace(/[-:T]/g, "").slice(0, 14) + "Z";
  // RFC 5280: UTCTime up to 2049, GeneralizedTime from 2050 on.
  return date.getUTCFullYear() < 2050 ? der(0x17, Buffer.from(iso.slice(2))) : der(0x18, Buffer.from(iso));
}

const commonName = (name: string): Buffer => sequence(set(sequence(oid("2.5.4.3"), der(0x0c, Buffer.from(name)))));

const SHA256_WITH_RSA = sequence(oid("1.2.840.113549.1.1.11"), derNull);

export interface Certificate {
  /** DER bytes, for `x5c` and thumbprints. */
  der: Buffer;
  pem: string;
  /** SHA-1 thumbprint, base64url: the JWKS `x5t`. */
  x5t: string;
}

const pem = (label: string, bytes: Buffer): string =>
  `-----BEGIN ${label}-----\r\n${bytes.toString("base64").replace(/.{64}/g, "$&\r\n").replace(/\r\n$/, "")}\r\n-----END ${label}-----\r\n`;

/** A self-signed certificate for `subject` over an RSA key pair, valid ten years from now. */
export function selfSignedCertificate(subject: string, publicKey: KeyObject, privateKey: KeyObject): Certificate {
  const notBefore = new Date();
  const notAfter = new Date(notBefore.getTime() + 10 * 365 * 24 * 3600 * 1000);
  const tbs = sequence(
    explicit(0, integer(Buffer.from([2]))),
    integer(randomBytes(16)),
    SHA256_WITH_RSA,
    commonName(subject),
    sequence(time(notBefore), time(notAfter)),
    commonName(subject),
    publicKey.export({ type: "spki", format: "der" }),
  );
  const signature = sign("sha256", tbs, privateKey);
  const bytes = sequence(tbs, SHA256_WITH_RSA, der(0x03, Buffer.from([0]), signature));
  return { der: bytes, pem: pem("CERTIFICATE", bytes), x5t: createHash("sha1").update(bytes).digest("base64url") };
}

/** A certificates-only PKCS#7 bundle, as Auth0 lists beside each client signing certificate. */
export function pkcs7(certificate: Certificate): string {
  const signedData = sequence(integer(Buffer.from([1])), set(), sequence(oid("1.2.840.113549.1.7.1")), explicit(0, certificate.der), set());
  return pem("PKCS7", sequence(oid("1.2.840.113549.1.7.2"), explicit(0, signedData)));
}
