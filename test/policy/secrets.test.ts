import { describe, expect, test } from "vitest";
import { secretsNotInPlainText, secretsNotSupplied } from "../../policy/rules";
import { CLIENT_SECRET_LENGTH } from "../../policy/rules/secrets";
import {
  messages,
  policyProps,
  UNKNOWN,
  validateResource,
  validateStack,
  wireSecret,
  type StackResourceInput,
} from "./support/policy-args";
import { T, apiPolicy, auth0Provider, gatewayApi, namedValue, policyXml, resourceServer } from "./support/fixtures";

const SIGNING_SECRET = "a-generated-signing-secret-0123456789";
const SIGNING_KEY = Buffer.from(SIGNING_SECRET, "utf8").toString("base64");
const hs256Xml = policyXml({ keys: "<issuer-signing-keys><key>{{signing-key}}</key></issuer-signing-keys>" });
const hs256Server = resourceServer({ signingAlg: "HS256", signingSecret: wireSecret(SIGNING_SECRET) });

test("a secret reaches a policy as plain text, indistinguishable from any other value (why the rules below check what they check)", () => {
  const props = policyProps({ password: wireSecret("from-secret-config"), email: "plain@exampleco.com" });
  expect(props["password"]).toBe("from-secret-config");
  expect(typeof props["password"]).toBe(typeof props["email"]);
});

describe("secrets-not-supplied", () => {
  test("accepts credentials and resource servers that leave their secrets to Auth0", async () => {
    const credentials = {
      type: T.credentials,
      name: "import-job-credentials",
      props: { clientId: "id", authenticationMethod: "client_secret_post" },
    };
    expect(await validateResource(secretsNotSupplied, credentials)).not.toHaveBeenCalled();
    expect(await validateResource(secretsNotSupplied, resourceServer())).not.toHaveBeenCalled();
  });

  const credentialsWith = (props: Record<string, unknown>) => ({
    type: T.credentials,
    name: "import-job-credentials",
    props: { clientId: "id", authenticationMethod: "client_secret_post", ...props },
  });
  const ownedSecret = "Aa1".padEnd(CLIENT_SECRET_LENGTH, "x7Q");

  test("accepts the client secret the program generates, known or not yet known", async () => {
    for (const clientSecret of [ownedSecret, wireSecret(ownedSecret), UNKNOWN]) {
      expect(await validateResource(secretsNotSupplied, credentialsWith({ clientSecret }))).not.toHaveBeenCalled();
    }
  });

  test("refuses a client secret not of the shape the program generates, whether passed as a secret or not: the policy cannot tell", async () => {
    for (const clientSecret of ["plain-text-secret", wireSecret("a-secret-secret"), `${ownedSecret.slice(1)}!`]) {
      const report = await validateResource(secretsNotSupplied, credentialsWith({ clientSecret }));
      expect(messages(report)).toEqual([
        expect.stringMatching(
          /^clientSecret is not a secret the program generated \(\d+ characters\); expected 64 or more letters and digits/,
        ),
      ]);
    }
  });

  test("refuses a write-only client secret: the stack could not publish what the client holds", async () => {
    const report = await validateResource(secretsNotSupplied, credentialsWith({ clientSecretWo: wireSecret(ownedSecret) }));
    expect(messages(report)).toEqual([
      "clientSecretWo is supplied by the program; the program owns the client secret as clientSecret, from a random.RandomPassword kept in state",
    ]);
  });

  test("refuses a supplied signing secret, even one not known until the update", async () => {
    const report = await validateResource(secretsNotSupplied, resourceServer({ signingAlg: "HS256", signingSecret: UNKNOWN }));
    expect(messages(report)).toEqual([
      "signingSecret is supplied by the program; Auth0 generates the signing secret for HS256, and no other algorithm uses one",
    ]);
  });
});

describe("secrets-not-in-plain-text", () => {
  const check = (resources: StackResourceInput[]) => validateStack(secretsNotInPlainText, resources);

  test("accepts an HS256 key kept in a secret named value", async () => {
    const resources = [
      hs256Server,
      gatewayApi(),
      apiPolicy(hs256Xml),
      namedValue("signing-key", { secret: true, value: wireSecret(SIGNING_KEY) }),
    ];
    expect(await check(resources)).not.toHaveBeenCalled();
  });

  test("refuses the key in a named value that is not secret, naming the secret and not printing it", async () => {
    const report = await check([
      hs256Server,
      gatewayApi(),
      apiPolicy(hs256Xml),
      namedValue("signing-key", { secret: false, value: SIGNING_KEY }),
    ]);
    expect(messages(report)).toEqual([
      'NamedValue "gateway-signing-key" holds a validate-jwt key but is not secret; set secret: true or keep it in Key Vault',
      'NamedValue "gateway-signing-key" holds the signing secret of ResourceServer "timesheets-api-resource-server" in plain text; set secret: true or keep it in Key Vault',
    ]);
    expect(messages(report).join("\n")).not.toContain(SIGNING_KEY);
  });

  test("accepts a key from Key Vault", async () => {
    const fromVault = namedValue("signing-key", { keyVault: { secretIdentifier: "https://vault.vault.azure.net/secrets/signing-key" } });
    expect(await check([hs256Server, gatewayApi(), apiPolicy(hs256Xml), fromVault])).not.toHaveBeenCalled();
  });

  test("refuses a key written into the policy document", async () => {
    const inline = policyXml({ keys: `<issuer-signing-keys><key>${SIGNING_KEY}</key></issuer-signing-keys>` });
    expect(messages(await check([hs256Server, gatewayApi(), apiPolicy(inline)]))).toEqual([
      'ApiPolicy "gateway-api-policy" contains the signing secret of ResourceServer "timesheets-api-resource-server" in plain text',
      'ApiPolicy "gateway-api-policy" writes a validate-jwt key inline; keep it in a secret named value and write {{name}}',
    ]);
  });

  test("finds a client secret or a password pasted anywhere in a policy document", async () => {
    const credentials = {
      type: T.credentials,
      name: "import-job-credentials",
      props: { clientSecret: wireSecret("generated-client-secret-xyz") },
    };
    const xml = policyXml().replace(
      "<base />",
      '<base /><set-header name="X-Client-Secret"><value>generated-client-secret-xyz</value></set-header>',
    );
    expect(messages(await check([resourceServer(), credentials, gatewayApi(), apiPolicy(xml)]))).toEqual([
      'ApiPolicy "gateway-api-policy" contains the client secret of ClientCredentials "import-job-credentials" in plain text',
    ]);
  });

  test("skips secrets not known until the update instead of failing the preview", async () => {
    const previewServer = resourceServer({ signingAlg: "HS256", signingSecret: UNKNOWN });
    expect(
      await check([previewServer, gatewayApi(), apiPolicy(hs256Xml), namedValue("signing-key", { secret: true, value: UNKNOWN })]),
    ).not.toHaveBeenCalled();
  });

  test("refuses Auth0 credentials given to the provider as inputs", async () => {
    const withSecret = {
      ...auth0Provider(),
      props: { domain: "exampleco-dev.eu.auth0.com", clientId: "id", clientSecret: wireSecret("provider-secret") },
    };
    const providerResource = { type: T.provider, name: "auth0", props: { domain: "exampleco-dev.eu.auth0.com", apiToken: "token" } };
    expect(messages(await check([{ ...resourceServer(), provider: withSecret }]))).toEqual([
      'the Auth0 provider "auth0" takes clientSecret as an input, which the state keeps; set AUTH0_CLIENT_SECRET in the environment instead',
    ]);
    expect(messages(await check([providerResource]))).toEqual([
      'the Auth0 provider "auth0" takes apiToken as an input, which the state keeps; set AUTH0_API_TOKEN in the environment instead',
    ]);
  });
});
