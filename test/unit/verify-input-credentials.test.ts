import fc from "fast-check";
import { describe, expect, test } from "vitest";
import type { VerifyInputs } from "../../stacks/verify/inputs";
import { inputCredentials } from "../../stacks/verify/verify-stack";

const token = fc.string({ minLength: 8, maxLength: 40, unit: "grapheme-ascii" });

describe("the credentials verify hides are every secret it was given, listed by no one", () => {
  test("each secret of the inputs (import job, test user, developer portal) is held; identifiers, the address and the URL are not", () => {
    fc.assert(
      fc.property(token, token, token, token, token, (jobSecret, testSecret, password, portalSecret, clientId) => {
        const inputs: VerifyInputs = {
          importJob: { clientId, auth: { method: "client_secret_post", secret: jobSecret } },
          testUser: { clientId, clientSecret: testSecret, email: "timesheets-test@dev.exampleco.com", password },
          gatewayUrl: "https://apim-dev.azure-api.net/timesheets",
          portalClient: { clientId, clientSecret: portalSecret },
        };
        // Exactly the secrets: nothing public (the ids, the address, the URL) is taken for one.
        expect(inputCredentials(inputs)).toEqual([jobSecret, testSecret, password, portalSecret]);
      }),
      { seed: 4242, numRuns: 50 },
    );
  });

  test("a private key is held by the lines of its body, not its armour", () => {
    const inputs: VerifyInputs = {
      importJob: {
        clientId: "job",
        auth: {
          method: "private_key_jwt",
          algorithm: "RS256",
          privateKeyPem: "-----BEGIN PRIVATE KEY-----\nAAAABBBB\r\nCCCCDDDD\n-----END PRIVATE KEY-----\n",
        },
      },
    };
    expect(inputCredentials(inputs)).toEqual(["AAAABBBB", "CCCCDDDD"]);
  });
});
