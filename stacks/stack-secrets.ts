import { secretsProviderFix, setSecretFix } from "./fixes";

/**
 * What a `secure:` value can be. Pulumi writes a stack's secrets with its secrets provider, and
 * each provider's ciphertext has a known shape (Pulumi 3.248):
 * - passphrase (`encryptionsalt:` in the stack file, pkg/secrets/passphrase) and the cloud KMS
 *   providers (`secretsprovider: awskms://…|azurekeyvault://…|gcpkms://…|hashivault://…` with
 *   `encryptedkey:`, pkg/secrets/cloud) both encrypt with the symmetric crypter of
 *   sdk/go/common/resource/config/crypt.go: AES-256-GCM, `v1:<base64 12-byte nonce>:<base64 ciphertext>`,
 *   the ciphertext at least GCM's 16-byte tag;
 * - the passphrase provider's `encryptionsalt` is `v1:<base64 salt>:` then such a ciphertext (of "pulumi").
 * This project keeps state in .pulumi-state/ (the runner's file backend), where Pulumi Cloud's
 * service provider does not apply: a stack file with secure values names its provider, or Pulumi
 * makes a new salt on the next command (writing the file) and cannot decrypt what was there.
 */

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** The number of bytes a standard, padded base64 text decodes to, or undefined if it is not one. */
function base64Bytes(text: string): number | undefined {
  if (text === "" || !BASE64.test(text)) return undefined;
  return Buffer.from(text, "base64").length;
}

/** Whether `text` has the shape of the symmetric crypter's output: `v1:<12-byte nonce>:<ciphertext with tag>`. */
export function isSymmetricCiphertext(text: string): boolean {
  const parts = text.split(":");
  if (parts.length !== 3 || parts[0] !== "v1") return false;
  return base64Bytes(parts[1] as string) === 12 && (base64Bytes(parts[2] as string) ?? 0) >= 16;
}

/** Whether `text` has the shape of a passphrase provider's `encryptionsalt`. */
export function isEncryptionSalt(text: string): boolean {
  const match = /^v1:([^:]+):(v1:[^:]+:[^:]+)$/.exec(text);
  return match !== null && base64Bytes(match[1] as string) !== undefined && isSymmetricCiphertext(match[2] as string);
}

const CLOUD_PROVIDER = /^(awskms|azurekeyvault|gcpkms|hashivault):\/\/\S+$/;

export interface SecretsSettings {
  readonly encryptionsalt?: unknown;
  readonly secretsprovider?: unknown;
  readonly encryptedkey?: unknown;
}

/**
 * What is wrong with a stack file's secrets settings and ciphertexts (one line each, naming the
 * setting or key, never repeating a value: a plain-text value in a secure slot is a secret).
 */
export function secretsProblems(settings: SecretsSettings, secureKeys: ReadonlyMap<string, readonly string[]>, stack: string): string[] {
  const problems: string[] = [];
  const { encryptionsalt, secretsprovider, encryptedkey } = settings;
  const provider = secretsprovider === undefined || secretsprovider === null ? "passphrase" : secretsprovider;
  if (typeof provider !== "string" || (provider !== "passphrase" && provider !== "default" && !CLOUD_PROVIDER.test(provider))) {
    problems.push(
      "secretsprovider: is not a secrets provider this project can use; expected passphrase (the default) or awskms://, azurekeyvault://, gcpkms://, hashivault:// with encryptedkey",
    );
    return problems;
  }
  const cloud = CLOUD_PROVIDER.test(provider);
  if (cloud && (typeof encryptedkey !== "string" || base64Bytes(encryptedkey) === undefined))
    problems.push(
      `encryptedkey: is ${encryptedkey === undefined ? "missing" : "not base64"}; the ${provider.split(":")[0]} provider keeps its data key there (to write it again: ${secretsProviderFix(stack, provider)})`,
    );
  if (!cloud && encryptionsalt !== undefined && (typeof encryptionsalt !== "string" || !isEncryptionSalt(encryptionsalt)))
    problems.push(
      "encryptionsalt: is not one Pulumi wrote; expected v1:<base64 salt>:v1:<base64 nonce>:<base64 ciphertext> (restore it from version control)",
    );
  if (secureKeys.size === 0) return problems;
  if (!cloud && encryptionsalt === undefined) {
    problems.push(
      `secure values (${[...secureKeys.keys()].join(", ")}) but no encryptionsalt: the salt the passphrase encrypted them with is missing; restore it from version control, or remove the values and set them again: ${[...secureKeys.keys()].map((key) => setSecretFix(stack, key)).join("; ")}`,
    );
    return problems;
  }
  for (const [key, texts] of secureKeys) {
    if (texts.some((text) => !isSymmetricCiphertext(text)))
      problems.push(
        `${key}: is a secure value that is not a ciphertext of this stack's secrets provider (expected v1:<base64 nonce>:<base64 ciphertext>); remove it, then ${setSecretFix(stack, key)}`,
      );
  }
  return problems;
}
