import { generateKeyPairSync } from "node:crypto";
import * as pulumi from "@pulumi/pulumi";
import { describe, expect, test } from "vitest";
import { engineConfigFor } from "../../stacks/stack-config";
import { loadTenantSpec } from "../../infra/config/load";
import { declareTimesheetsTenant } from "../../infra/program";
import { runFailingProgram } from "../support/pulumi-program";

const keys = generateKeyPairSync("rsa", { modulusLength: 2048 });
const privatePem = keys.privateKey.export({ type: "pkcs8", format: "pem" }).toString();
const publicPem = keys.publicKey.export({ type: "spki", format: "pem" }).toString();
const ecPublicPem = generateKeyPairSync("ec", { namedCurve: "P-256" }).publicKey.export({ type: "spki", format: "pem" }).toString();

const devApim = JSON.parse(engineConfigFor("dev")["timesheets:apim"] ?? "{}") as Record<string, unknown>;
const apim = (changes: Record<string, unknown>) => JSON.stringify({ ...devApim, ...changes });

interface BadConfig {
  readonly name: string;
  readonly stack?: "dev" | "prod";
  /** Keys to set (without namespace); `undefined` removes the key. */
  readonly set: Readonly<Record<string, string | undefined>>;
  readonly key: string;
  readonly message: RegExp;
}

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
];

describe("invalid stack config is refused before any resource is declared", () => {
  test.each(cases)("$name", async ({ stack = "dev", set, key, message }) => {
    const changed = Object.fromEntries(Object.entries(set).map(([bareKey, value]) => [`timesheets:${bareKey}`, value]));
    const config = Object.fromEntries(
      Object.entries({ ...engineConfigFor(stack), ...changed }).filter((entry): entry is [string, string] => entry[1] !== undefined),
    );

    const { error, registeredCount } = await runFailingProgram(stack, config, () => declareTimesheetsTenant(loadTenantSpec()));

    // A RunError is printed by the CLI as its message alone, without a stack trace.
    expect(pulumi.RunError.isInstance(error)).toBe(true);
    const text = (error as Error).message;
    const line = text.split("\n").find((l) => l.trimStart().startsWith(`timesheets:${key}:`));
    expect(line, `no line for timesheets:${key} in:\n${text}`).toBeDefined();
    expect(line).toMatch(message);
    expect(text).toContain(`Stack "${stack}" has invalid config`);
    expect(registeredCount).toBe(0);
  });

  test("there are at least 25 cases", () => {
    expect(cases.length).toBeGreaterThanOrEqual(25);
  });
});
