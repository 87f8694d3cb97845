import { randomBytes } from "node:crypto";

// Identifier shapes copied from real tenants (see the recordings under shared/auth0-recordings):
// code that parses or pattern-matches ids must meet the same shapes here as against Auth0.

const ALPHANUMERIC = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
const SECRET_ALPHABET = `${ALPHANUMERIC}-_`;

/** Uniform random string over `alphabet`; bytes that would bias the modulo are drawn again. */
function randomString(length: number, alphabet: string): string {
  const limit = 256 - (256 % alphabet.length);
  let out = "";
  while (out.length < length) {
    for (const byte of randomBytes(length * 2)) {
      if (byte < limit) out += alphabet[byte % alphabet.length];
      if (out.length === length) break;
    }
  }
  return out;
}

/** A Mongo-style ObjectId, as Auth0 uses for resource servers: 4 bytes of seconds, 8 random. */
export function resourceServerId(now = Date.now()): string {
  const seconds = Math.floor(now / 1000)
    .toString(16)
    .padStart(8, "0");
  return seconds + randomBytes(8).toString("hex");
}

export const clientId = (): string => randomString(32, ALPHANUMERIC);
export const clientSecret = (): string => randomString(64, SECRET_ALPHABET);
export const clientGrantId = (): string => `cgr_${randomString(16, ALPHANUMERIC)}`;
export const connectionId = (): string => `con_${randomString(16, ALPHANUMERIC)}`;
/** Recorded: `rol_` and 16 letters or digits. */
export const roleId = (): string => `rol_${randomString(16, ALPHANUMERIC)}`;
export const credentialId = (): string => `cred_${randomString(22, ALPHANUMERIC)}`;
export const userIdSuffix = (): string => randomBytes(12).toString("hex");
export const signingSecret = (): string => randomString(48, SECRET_ALPHABET);
export const jwtId = (): string => randomString(22, ALPHANUMERIC);

/** Checkpoint cursors are opaque to callers; Auth0 answers base64 text, so do we. */
export const encodeCursor = (index: number): string => Buffer.from(`idx:${index}`).toString("base64url");
export function decodeCursor(cursor: string): number | undefined {
  const match = /^idx:(\d+)$/.exec(Buffer.from(cursor, "base64url").toString());
  return match?.[1] === undefined ? undefined : Number(match[1]);
}
