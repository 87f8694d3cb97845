import type * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";

/**
 * The length of a client secret the program sets. Auth0's own secrets are 64 characters of a
 * URL-safe alphabet (letters, digits, `-`, `_`); ours are as long, of letters and digits only,
 * a subset of that alphabet. Auth0 documents no rule for a secret set through
 * `PATCH /api/v2/clients/{id}` (it needs `update:client_keys`); that one shaped like its own
 * is accepted is inferred, not verified against a real tenant.
 */
export const CLIENT_SECRET_LENGTH = 64;

/** The random inputs of a client secret: every character a letter or a digit, all three kinds present. */
export function clientSecretArgs(): random.RandomPasswordArgs {
  return { length: CLIENT_SECRET_LENGTH, special: false, upper: true, lower: true, numeric: true, minUpper: 1, minLower: 1, minNumeric: 1 };
}

/**
 * A client secret the program owns. The state keeps it as the random provider generated it,
 * so a read of the client that cannot see its secret (the previewer has no `read:client_keys`)
 * shows a difference that the next `up` writes back, instead of replacing the secret with the
 * empty string it read. Rotate it by replacing this resource (see the README).
 */
export function ownedClientSecret(name: string, parent: pulumi.Resource): random.RandomPassword {
  return new random.RandomPassword(`${name}-client-secret`, clientSecretArgs(), {
    parent,
    // The provider marks `result` secret, but only on a real engine; the state must hold it encrypted on every path.
    additionalSecretOutputs: ["result"],
  });
}
