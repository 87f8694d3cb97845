import { createSecretKey, type KeyObject } from "node:crypto";
import { decodeJwt, decodeProtectedHeader, SignJWT } from "jose";

/**
 * Tokens an attacker (or a misconfigured issuer) could present, built from a genuine
 * token's header and claims so that each differs from the real thing in one respect only.
 */

export type Claims = Record<string, unknown>;

export interface GenuineToken {
  readonly header: Record<string, unknown>;
  readonly claims: Claims;
}

export function decodeToken(token: string): GenuineToken {
  return { header: { ...decodeProtectedHeader(token) }, claims: { ...decodeJwt(token) } };
}

/** Drops the claims whose value is `undefined` in the patch, overrides the others. */
export function patchClaims(claims: Claims, patch: Claims): Claims {
  return Object.fromEntries(Object.entries({ ...claims, ...patch }).filter(([, value]) => value !== undefined));
}

/** Signed with an RSA private key (the tenant's, or another), keeping the genuine header (alg, typ, kid). */
export function signRsa(
  genuine: GenuineToken,
  claims: Claims,
  privateKey: KeyObject,
  header: Record<string, unknown> = {},
): Promise<string> {
  const protectedHeader = { ...genuine.header, ...header } as { alg: string };
  return new SignJWT(claims).setProtectedHeader(protectedHeader).sign(privateKey);
}

/** HS256 with the given bytes as the shared secret (e.g. the tenant's public key, the classic confusion attack). */
export function signHs256(genuine: GenuineToken, claims: Claims, secret: Uint8Array): Promise<string> {
  const header: Record<string, unknown> = { ...genuine.header, alg: "HS256" };
  delete header.kid;
  return new SignJWT(claims).setProtectedHeader(header as { alg: string }).sign(createSecretKey(secret));
}

/** `alg: none` with an empty signature: an unsecured JWT (RFC 7519 section 6). */
export function unsigned(genuine: GenuineToken, claims: Claims): string {
  const header: Record<string, unknown> = { ...genuine.header, alg: "none" };
  delete header.kid;
  const encode = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString("base64url");
  return `${encode(header)}.${encode(claims)}.`;
}

/** The genuine signature over a different payload. */
export function tampered(token: string, claims: Claims): string {
  const [header, , signature] = token.split(".");
  return `${header}.${Buffer.from(JSON.stringify(claims)).toString("base64url")}.${signature}`;
}
