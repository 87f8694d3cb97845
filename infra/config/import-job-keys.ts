import { createHash, createPublicKey } from "node:crypto";
import type { ConfigProblem } from "./errors";
import type { ParsedConfig } from "./schema";
import type { ImportJobAuthentication, ImportJobKey } from "./spec";

const KEY_KEYS = ["importJobPublicKey", "importJobNextPublicKey"] as const;

/** What is wrong with one PEM as the import job's public key, if anything. */
function keyProblem(pem: string, algorithm: string): string | undefined {
  if (/PRIVATE KEY/.test(pem)) {
    return "is a private key; give only the public half (-----BEGIN PUBLIC KEY-----) and keep the private key with the job";
  }
  try {
    const publicKey = createPublicKey(pem);
    if (publicKey.asymmetricKeyType !== "rsa") {
      return `is a ${publicKey.asymmetricKeyType ?? "non-RSA"} key; expected an RSA public key for ${algorithm}`;
    }
    // Auth0 takes SPKI (BEGIN PUBLIC KEY), PKCS#1 (BEGIN RSA PUBLIC KEY) or an X.509 certificate,
    // of 2048 to 4096 bits; every form is parsed and held to the same rules here.
    const bits = publicKey.asymmetricKeyDetails?.modulusLength ?? 0;
    return bits < 2048 || bits > 4096 ? `is a ${bits}-bit RSA key; expected 2048 to 4096 bits (Auth0's limits)` : undefined;
  } catch {
    return "is not a PEM public key; expected -----BEGIN PUBLIC KEY----- ... -----END PUBLIC KEY----- (or BEGIN RSA PUBLIC KEY, or a certificate)";
  }
}

/** A key's name from its DER form: the same key always has the same name, whatever its PEM's line breaks. */
export function keyName(pem: string): string {
  const der = createPublicKey(pem).export({ type: "spki", format: "der" });
  return `import-job-${createHash("sha256").update(der).digest("hex").slice(0, 16)}`;
}

/**
 * private_key_jwt takes the job's public key, and during a rotation the next one beside it
 * (Auth0 accepts two), so that the job can switch keys without a moment of refusal.
 */
export function checkImportJobKeys(config: ParsedConfig): ConfigProblem[] {
  const method = config.importJobAuthMethod;
  if (method !== "private_key_jwt") {
    return KEY_KEYS.filter((key) => config[key] !== undefined).map((key) => ({
      key,
      message: `is set but importJobAuthMethod is "${method}"; set importJobAuthMethod: private_key_jwt to use it, or remove the key`,
    }));
  }
  const current = config.importJobPublicKey;
  if (current === undefined) {
    return [
      { key: "importJobPublicKey", message: "is required when importJobAuthMethod is private_key_jwt; expected the job's PEM public key" },
    ];
  }
  const problems: ConfigProblem[] = [];
  for (const key of KEY_KEYS) {
    const pem = config[key];
    const why = pem === undefined ? undefined : keyProblem(pem, config.importJobKeyAlgorithm);
    if (why !== undefined) problems.push({ key, message: why });
  }
  const next = config.importJobNextPublicKey;
  if (problems.length === 0 && next !== undefined && keyName(next) === keyName(current)) {
    problems.push({ key: "importJobNextPublicKey", message: "is the same key as importJobPublicKey; a rotation needs a new key pair" });
  }
  return problems;
}

/** The import job's authentication, from a config `checkImportJobKeys` has accepted. */
export function importJobAuthentication(config: ParsedConfig): ImportJobAuthentication {
  if (config.importJobAuthMethod !== "private_key_jwt") return { method: config.importJobAuthMethod };
  const keys: ImportJobKey[] = KEY_KEYS.flatMap((key) => {
    const pem = config[key];
    return pem === undefined ? [] : [{ name: keyName(pem), pem }];
  });
  return { method: "private_key_jwt", algorithm: config.importJobKeyAlgorithm, keys };
}
