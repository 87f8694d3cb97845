import { createHash, randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from "node:crypto";
import type { TenantState } from "./store.js";

// Users' passwords, as the local tenant keeps them: scrypt (node:crypto), salted per user.
// People reuse passwords, even on test tenants, so a stolen tenant file must not give them
// back cheaply. The parameters travel with each hash (`scrypt$N$r$p$salt$hash`), so they can
// be raised later without losing older hashes. Tenants saved before scrypt hold
// `salt:sha256(salt + password)`: such a hash is still checked, and replaced by an scrypt one
// on the first sign-in that matches it.

/** scrypt's N by default: Node's (2^14; with r = 8, p = 1: 16 MiB, tens of milliseconds on the libuv pool). */
export const DEFAULT_PASSWORD_COST = 16_384;
const BLOCK = { r: 8, p: 1 } as const;
const KEY_LENGTH = 32;

function derive(password: string, salt: Buffer, options: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(password, salt, KEY_LENGTH, { ...options, maxmem: 64 * 1024 * 1024 }, (error, key) => (error ? reject(error) : resolve(key)));
  });
}

/** The stored form of a new password; `cost` is scrypt's N (a power of two), the tenant's (TenantState.passwordCost). */
export async function hashPassword(password: string, cost: number = DEFAULT_PASSWORD_COST): Promise<string> {
  const salt = randomBytes(16);
  const key = await derive(password, salt, { N: cost, ...BLOCK });
  return ["scrypt", cost, BLOCK.r, BLOCK.p, salt.toString("base64url"), key.toString("base64url")].join("$");
}

const equal = (actual: Buffer, expected: Buffer): boolean => actual.length === expected.length && timingSafeEqual(actual, expected);

/** Whether `given` matches a stored hash; `legacy` when it is the older salted SHA-256. */
async function matches(stored: string, given: string): Promise<{ ok: boolean; legacy: boolean }> {
  const parts = stored.split("$");
  if (parts[0] === "scrypt" && parts.length === 6) {
    const [, n, r, p, salt = "", hash = ""] = parts;
    const key = await derive(given, Buffer.from(salt, "base64url"), { N: Number(n), r: Number(r), p: Number(p) });
    return { ok: equal(key, Buffer.from(hash, "base64url")), legacy: false };
  }
  const [salt, hash] = stored.split(":");
  if (salt === undefined || hash === undefined) return { ok: false, legacy: false };
  const actual = createHash("sha256")
    .update(salt + given)
    .digest();
  return { ok: equal(actual, Buffer.from(hash, "hex")), legacy: true };
}

/**
 * Whether `password` is the user's: the one password check of the local Auth0 (every sign-in
 * calls it). A match against an older SHA-256 hash replaces it with an scrypt one, unless the
 * password was changed meanwhile.
 */
export async function verifyPassword(tenant: TenantState, userId: string, password: string): Promise<boolean> {
  const stored = tenant.passwords.get(userId);
  if (stored === undefined) {
    // The same work as a real check, so the time taken does not tell which users exist.
    await hashPassword(password, tenant.passwordCost);
    return false;
  }
  const { ok, legacy } = await matches(stored, password);
  if (ok && legacy) {
    const upgraded = await hashPassword(password, tenant.passwordCost);
    if (tenant.passwords.get(userId) === stored) {
      tenant.passwords.set(userId, upgraded);
      tenant.revision += 1;
    }
  }
  return ok;
}
