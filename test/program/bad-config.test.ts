import { generateKeyPairSync } from "node:crypto";
import * as pulumi from "@pulumi/pulumi";
import { describe, expect, test } from "vitest";
import { engineConfigFor } from "../../stacks/stack-config";
import { loadTenantSpec } from "../../infra/config/load";
import { declareTimesheetsTenant } from "../../infra/program";
import { testKeyPair } from "../support/test-keys";
import { runFailingProgram, runProgram } from "../support/pulumi-program";

const keys = testKeyPair(0);
const privatePem = keys.privateKey.export({ type: "pkcs8", format: "pem" }).toString();
const publicPem = keys.publicKey.export({ type: "spki", format: "pem" }).toString();
const ecPublicPem = generateKeyPairSync("ec", { namedCurve: "P-256" }).publicKey.export({ type: "spki", format: "pem" }).toString();
const shortPkcs1Pem = generateKeyPairSync("rsa", { modulusLength: 1024 }).publicKey.export({ type: "pkcs1", format: "pem" }).toString();
const PLAIN_PASSWORD = "plain-Hunter2-password";

const devApim = JSON.parse(engineConfigFor("dev")["timesheets:apim"] ?? "{}") as Record<string, unknown>;
const apim = (changes: Record<string, unknown>) => JSON.stringify({ ...devApim, ...changes });

interface BadConfig {
  readonly name: string;
  readonly stack?: "dev" | "prod";
  /** Keys to set (without `timesheets:`; other namespaces in full); `undefined` removes the key. */
  readonly set: Readonly<Record<string, string | undefined>>;
  /** The key the refusal must name: without `timesheets:`, or in full for another namespace. */
  readonly key: string;
  readonly message: RegExp;
}

const fullKey = (key: string): string => (key.includes(":") ? key : `timesheets:${key}`);

const cases: BadConfig[] = [
  { name: "missing domain", set: { domain: undefined }, key: "domain", message: /is required; expected the tenant's domain/ },
  { name: "empty domain", set: { domain: "" }, key: "domain", message: /is empty; expected the tenant's domain/ },
  {
    name: "domain written as a URL",
    set: { domain: "https://exampleco-dev.eu.auth0.com" },
    key: "domain",
    message: /is a URL; expected the bare domain/,
  },
  { name: "domain with a trailing slash", set: { domain: "exampleco-dev.eu.auth0.com/" }, key: "domain", message: /ends with a slash/ },
  { name: "domain that is no host name", set: { domain: "exampleco dev" }, key: "domain", message: /is not a domain name/ },
  {
    name: "identifier that is not a URL",
    set: { apiIdentifier: "timesheets-api" },
    key: "apiIdentifier",
    message: /"timesheets-api" is not accepted; expected an absolute URL/,
  },
  { name: "missing identifier", set: { apiIdentifier: undefined }, key: "apiIdentifier", message: /is required; expected an absolute URL/ },
  {
    name: "unknown token profile",
    set: { tokenProfile: "jwt" },
    key: "tokenProfile",
    message: /"jwt" is not accepted; expected one of auth0, rfc9068/,
  },
  {
    name: "unknown signing algorithm",
    set: { signingAlg: "ES256" },
    key: "signingAlg",
    message: /"ES256" is not accepted; expected one of RS256, PS256, HS256/,
  },
  {
    name: "HS256 without the opt-in",
    set: { signingAlg: "HS256" },
    key: "signingAlg",
    message: /"HS256" needs the explicit opt-in allowHs256: true/,
  },
  { name: "HS256 in prod", stack: "prod", set: { signingAlg: "HS256" }, key: "signingAlg", message: /"HS256" is refused in prod/ },
  {
    name: "HS256 opt-in in prod",
    stack: "prod",
    set: { signingAlg: "HS256", allowHs256: "true" },
    key: "allowHs256",
    message: /is true in prod/,
  },
  { name: "zero token lifetime", set: { tokenLifetime: "0" }, key: "tokenLifetime", message: /expected a whole number from 1 to 2592000/ },
  {
    name: "token lifetime over the maximum",
    set: { tokenLifetime: "2592001" },
    key: "tokenLifetime",
    message: /expected a whole number from 1 to 2592000/,
  },
  { name: "fractional token lifetime", set: { tokenLifetime: "1.5" }, key: "tokenLifetime", message: /expected a whole number/ },
  {
    name: "token lifetime as words",
    set: { tokenLifetime: "one day" },
    key: "tokenLifetime",
    message: /"one day" is not accepted; expected a whole number/,
  },
  {
    name: "duplicate permissions",
    set: {
      permissions: JSON.stringify([
        { name: "batch:upload", description: "a" },
        { name: "batch:upload", description: "b" },
      ]),
      // Without the gateway, whose operations name the permissions left out here.
      apim: undefined,
    },
    key: "permissions",
    message: /lists "batch:upload" more than once/,
  },
  {
    name: "grant scope that is no permission",
    set: { importJobScopes: '["batch:upload","write:everything"]' },
    key: "importJobScopes",
    message: /"write:everything" is not one of the API's permissions/,
  },
  { name: "empty grant", set: { importJobScopes: "[]" }, key: "importJobScopes", message: /is empty; expected at least one permission/ },
  {
    name: "unknown authentication method",
    set: { importJobAuthMethod: "client_secret_jwt" },
    key: "importJobAuthMethod",
    message: /expected one of client_secret_post, client_secret_basic, private_key_jwt/,
  },
  {
    name: "private_key_jwt without a key",
    set: { importJobAuthMethod: "private_key_jwt" },
    key: "importJobPublicKey",
    message: /is required when importJobAuthMethod is private_key_jwt/,
  },
  {
    name: "private_key_jwt with the private key",
    set: { importJobAuthMethod: "private_key_jwt", importJobPublicKey: privatePem },
    key: "importJobPublicKey",
    message: /is a private key/,
  },
  {
    name: "private_key_jwt with a non-RSA key",
    set: { importJobAuthMethod: "private_key_jwt", importJobPublicKey: ecPublicPem },
    key: "importJobPublicKey",
    message: /is a ec key; expected an RSA public key/,
  },
  {
    name: "a next key without private_key_jwt",
    set: { importJobNextPublicKey: "-----BEGIN PUBLIC KEY-----" },
    key: "importJobNextPublicKey",
    message: /is set but importJobAuthMethod is "client_secret_post"/,
  },
  {
    name: "a private key as the next key",
    set: { importJobAuthMethod: "private_key_jwt", importJobPublicKey: publicPem, importJobNextPublicKey: privatePem },
    key: "importJobNextPublicKey",
    message: /is a private key/,
  },
  {
    name: "private_key_jwt with garbage",
    set: { importJobAuthMethod: "private_key_jwt", importJobPublicKey: "not a key" },
    key: "importJobPublicKey",
    message: /is not a PEM public key/,
  },
  {
    name: "malformed test user e-mail",
    set: { testUserEmail: "timesheets-test" },
    key: "testUserEmail",
    message: /"timesheets-test" is not accepted; expected an e-mail address/,
  },
  {
    name: "test user in prod",
    stack: "prod",
    set: { testUserEmail: "test@exampleco.com" },
    key: "testUserEmail",
    message: /is set in prod/,
  },
  {
    name: "weak password policy in prod",
    stack: "prod",
    set: { passwordPolicy: "fair" },
    key: "passwordPolicy",
    message: /"fair" is too weak for prod; expected good or excellent/,
  },
  {
    name: "unknown password policy",
    set: { passwordPolicy: "strong" },
    key: "passwordPolicy",
    message: /expected one of none, low, fair, good, excellent/,
  },
  { name: "misspelt key", set: { tokenLifeTime: "3600" }, key: "tokenLifeTime", message: /is not a known key/ },
  { name: "unknown environment", set: { environment: "production" }, key: "environment", message: /expected one of dev, staging, prod/ },
  {
    name: "prod stack claiming to be dev",
    stack: "prod",
    set: { environment: "dev" },
    key: "environment",
    message: /is "dev" but the stack is "prod"/,
  },
  {
    name: "boolean written as a word",
    set: { allowSignups: "yes" },
    key: "allowSignups",
    message: /"yes" is not accepted; expected true or false/,
  },
  {
    name: "plain-http backend",
    set: { apim: apim({ backendUrl: "http://timesheets-backend-dev.azurewebsites.net" }) },
    key: "apim.backendUrl",
    message: /expected the backend's https:\/\/ URL/,
  },
  {
    name: "operation naming an unknown permission",
    set: {
      apim: apim({
        operations: [{ id: "export", method: "GET", urlTemplate: "/export", displayName: "Export", permission: "export:timesheets" }],
      }),
    },
    key: "apim.operations.0.permission",
    message: /"export:timesheets" is not one of the API's permissions/,
  },
  {
    name: "missing APIM service name",
    set: { apim: apim({ serviceName: undefined }) },
    key: "apim.serviceName",
    message: /is required; expected an API Management service name/,
  },
  {
    name: "unknown APIM SKU",
    set: { apim: apim({ sku: "Gold" }) },
    key: "apim.sku",
    message: /"Gold" is not accepted; expected one of Consumption, Developer/,
  },
  {
    name: "new APIM service without a publisher",
    set: { apim: apim({ publisherEmail: undefined }) },
    key: "apim.publisherEmail",
    message: /is required when apim.mode is "create"/,
  },
  { name: "APIM config that is not an object", set: { apim: "apim-exampleco-dev" }, key: "apim", message: /expected an object/ },
  {
    name: "identifier with a space",
    set: { apiIdentifier: "https://timesheets.exampleco.com/my api" },
    key: "apiIdentifier",
    message: /contains whitespace or an invisible or control character \(U\+0020\); expected an absolute URL.*can never be changed/,
  },
  {
    name: "identifier with a tab",
    set: { apiIdentifier: "https://timesheets.exampleco.com/my\tapi" },
    key: "apiIdentifier",
    message: /contains whitespace or an invisible or control character \(U\+0009\);.*can never be changed/,
  },
  {
    name: "identifier with credentials",
    set: { apiIdentifier: "https://user:pass@timesheets.exampleco.com/api" },
    key: "apiIdentifier",
    message: /holds a URL with credentials \(user:password@ before the host\); they are not repeated here/,
  },
  {
    name: "identifier with a fragment",
    set: { apiIdentifier: "https://timesheets.exampleco.com/api#v1" },
    key: "apiIdentifier",
    message: /has a fragment.*can never be changed/,
  },
  {
    name: "identifier that is a URL of another scheme",
    set: { apiIdentifier: "urn:timesheets:api" },
    key: "apiIdentifier",
    message: /expected an absolute http\(s\) URL/,
  },
  {
    name: "identifier longer than Auth0 takes",
    set: { apiIdentifier: `https://timesheets.exampleco.com/${"a".repeat(600)}` },
    key: "apiIdentifier",
    message: /longer than 600 characters/,
  },
  {
    name: "test user password in plain text",
    set: { testUserPassword: PLAIN_PASSWORD },
    key: "testUserPassword",
    message: /is plain text but is a secret; .*`pulumi config set --secret timesheets:testUserPassword`/,
  },
  {
    name: "Auth0 client secret in plain text",
    set: { "auth0:clientSecret": PLAIN_PASSWORD },
    key: "auth0:clientSecret",
    message: /is plain text but is a secret; .*`pulumi config set --secret auth0:clientSecret`/,
  },
  {
    name: "Azure client secret in plain text",
    set: { "azure-native:clientSecret": PLAIN_PASSWORD },
    key: "azure-native:clientSecret",
    message: /`pulumi config set --secret azure-native:clientSecret`/,
  },
  {
    name: "a misspelt namespace",
    stack: "prod",
    set: { "timesheet:passwordPolicy": "none" },
    key: "timesheet:passwordPolicy",
    message: /is not a setting of this project \(did you mean timesheets:passwordPolicy\?\)/,
  },
  {
    name: "a provider setting the provider does not document",
    set: { "azure-native:region": "westeurope" },
    key: "azure-native:region",
    message: /is not a documented setting of the azure-native provider; expected one of .*location/,
  },
  {
    name: "a provider the program does not use",
    set: { "aws:region": "eu-west-1" },
    key: "aws:region",
    message:
      /is not a setting of this project; a stack file holds timesheets: keys and the documented settings of the auth0 and azure-native providers/,
  },
  {
    name: "unbalanced URL template",
    set: {
      apim: apim({
        operations: [{ id: "get", method: "GET", urlTemplate: "/timesheets/{id", displayName: "Get", permission: "read:timesheets" }],
      }),
    },
    key: "apim.operations.0.urlTemplate",
    message: /"\/timesheets\/\{id" is not accepted; expected a URL template .* parameters are each closed and named/,
  },
  {
    name: "URL template with an empty parameter",
    set: {
      apim: apim({
        operations: [{ id: "get", method: "GET", urlTemplate: "/timesheets/{}", displayName: "Get", permission: "read:timesheets" }],
      }),
    },
    key: "apim.operations.0.urlTemplate",
    message: /parameters are each closed and named/,
  },
  {
    name: "permissions differing only in case",
    set: {
      permissions: JSON.stringify([
        { name: "read:timesheets", description: "a" },
        { name: "Read:Timesheets", description: "b" },
        { name: "batch:upload", description: "c" },
      ]),
      apim: undefined,
    },
    key: "permissions",
    message: /lists "read:timesheets" and "Read:Timesheets", which differ only in case/,
  },
  {
    name: "a PKCS#1 public key too short for Auth0",
    set: { importJobAuthMethod: "private_key_jwt", importJobPublicKey: shortPkcs1Pem },
    key: "importJobPublicKey",
    message: /is a 1024-bit RSA key; expected 2048 to 4096 bits/,
  },
  {
    name: "token lifetime of infinity (YAML .inf)",
    set: { tokenLifetime: "Infinity" },
    key: "tokenLifetime",
    message: /"Infinity" is not accepted; expected a whole number from 1 to 2592000/,
  },
  {
    name: "permissions written as plain strings",
    set: { permissions: '["batch:upload","read:timesheets"]' },
    key: "permissions.0",
    message: /"batch:upload" is not accepted; expected a permission as \{name, description\}/,
  },
];

function configFor(stack: string, set: BadConfig["set"]): Record<string, string> {
  const changed = Object.fromEntries(Object.entries(set).map(([key, value]) => [fullKey(key), value]));
  return Object.fromEntries(
    Object.entries({ ...engineConfigFor(stack), ...changed }).filter((entry): entry is [string, string] => entry[1] !== undefined),
  );
}

describe("invalid stack config is refused before any resource is declared", () => {
  test.each(cases)("$name", async ({ stack = "dev", set, key, message }) => {
    const { error, registeredCount } = await runFailingProgram(stack, configFor(stack, set), () =>
      declareTimesheetsTenant(loadTenantSpec()),
    );

    // A RunError is printed by the CLI as its message alone, without a stack trace.
    expect(pulumi.RunError.isInstance(error)).toBe(true);
    const text = (error as Error).message;
    const line = text.split("\n").find((l) => l.trimStart().startsWith(`${fullKey(key)}:`));
    expect(line, `no line for ${fullKey(key)} in:\n${text}`).toBeDefined();
    expect(line).toMatch(message);
    expect(text).toContain(`Stack "${stack}" has invalid config in Pulumi.${stack}.yaml`);
    expect(text).not.toContain(PLAIN_PASSWORD);
    expect(registeredCount).toBe(0);
  });

  test("each refusal is its case's own: the stacks it starts from are accepted as committed", async () => {
    for (const stack of new Set(cases.map((c) => c.stack ?? "dev"))) {
      const run = await runProgram(stack, engineConfigFor(stack), () => declareTimesheetsTenant(loadTenantSpec()));
      expect(run.resources.length, stack).toBeGreaterThan(0);
    }
  });

  test("each refusal names only what its case changed, or what that change implies", async () => {
    for (const { stack = "dev", set, key } of cases) {
      const { error } = await runFailingProgram(stack, configFor(stack, set), () => declareTimesheetsTenant(loadTenantSpec()));
      const named = (error as Error).message
        .split("\n")
        .slice(1)
        .map((line) => line.trim().split(": ")[0] ?? "");
      // Every line is about the key the case is about, or about a key the case set.
      const about = new Set([fullKey(key), ...Object.keys(set).map(fullKey)]);
      for (const line of named)
        expect(
          [...about].some((k) => line === k || line.startsWith(`${k}.`)),
          `${line} (${key})`,
        ).toBe(true);
    }
  });

  test("a secret set as one is accepted where the same value in plain text is not", async () => {
    const config = configFor("dev", { testUserPassword: PLAIN_PASSWORD });
    const run = await runProgram("dev", config, () => declareTimesheetsTenant(loadTenantSpec()), {
      secretKeys: ["timesheets:testUserPassword"],
    });
    expect(run.ofType("auth0:index/user:User")).toHaveLength(1);
  });

  test("an adopted API keeps the identifier Auth0 holds, URL or not", async () => {
    const config = configFor("dev", {
      apiIdentifier: "basic-calculator",
      adopt: JSON.stringify({ resourceServerId: "0123456789abcdef01234567" }),
    });
    const run = await runProgram("dev", config, () => declareTimesheetsTenant(loadTenantSpec()));
    expect(run.one("auth0:index/resourceServer:ResourceServer").inputs.identifier).toBe("basic-calculator");
  });
});
