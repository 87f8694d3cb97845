import { generateKeyPairSync, type KeyObject } from "node:crypto";

const made = new Map<number, { publicKey: KeyObject; privateKey: KeyObject }>();

/**
 * The n-th RSA key pair of 2048 bits for tests, made on first use and kept for the rest of
 * the run (making one takes tens to hundreds of milliseconds). Distinct n, distinct keys.
 */
export function testKeyPair(n: number): { publicKey: KeyObject; privateKey: KeyObject } {
  const existing = made.get(n);
  if (existing !== undefined) return existing;
  const pair = generateKeyPairSync("rsa", { modulusLength: 2048 });
  made.set(n, pair);
  return pair;
}

/** The n-th test key's public half as SPKI PEM (`-----BEGIN PUBLIC KEY-----`). */
export function testPublicPem(n: number): string {
  return testKeyPair(n).publicKey.export({ type: "spki", format: "pem" }).toString();
}
