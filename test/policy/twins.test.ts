import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { otherHost, thisMachineHost } from "../support/host-spellings";
import { buildTenantSpec } from "../../infra/config/build";
import { DEFAULT_IMPORT_JOB_SCOPES as PROGRAM_IMPORT_JOB_SCOPES } from "../../infra/config/permissions";
import { rawConfigFrom } from "../../infra/config/raw";
import {
  CONFIG_KEYS,
  ENVIRONMENTS as PROGRAM_ENVIRONMENTS,
  PASSWORD_POLICIES as PROGRAM_PASSWORD_POLICIES,
} from "../../infra/config/schema";
import { isThisMachine as programIsThisMachine } from "../../infra/config/loopback";
import { isManagementApiAudience as programIsManagementApiAudience } from "../../infra/config/urls";
import { IMPORT_JOB_NAME, INTEGRATION_TEST_APP_NAME, PASSWORD_REALM_GRANT } from "../../infra/config/spec";
import { loadTenantSpec } from "../../infra/config/load";
import { declareTimesheetsTenant } from "../../infra/program";
import {
  DEFAULT_IMPORT_JOB_SCOPES,
  DEFAULT_MAX_TOKEN_LIFETIME,
  ENVIRONMENTS,
  isManagementApiAudience as packIsManagementApiAudience,
  isThisMachine as packIsThisMachine,
  issuerFor,
  PASSWORD_POLICIES,
  PROD_MINIMUM_PASSWORD_POLICY,
} from "../../policy/lib/config";
import { AUTH0, IMPORT_JOB, INTEGRATION_TEST_APP } from "../../policy/lib/resources";
import { databaseConnectionHardening, timesheetsApiTokens } from "../../policy/rules";
import { CLIENT_SECRET_LENGTH } from "../../policy/rules/secrets";
import { CLIENT_SECRET_LENGTH as PROGRAM_CLIENT_SECRET_LENGTH, clientSecretArgs } from "../../infra/auth0/client-secret";
import { engineConfigFor, listStacks, loadStackSpec, readStackConfig } from "../../stacks/stack-config";
import { runProgram } from "../support/pulumi-program";
import { connection, resourceServer } from "./support/fixtures";
import { messages, validateResource } from "./support/policy-args";

/*
 * The pack keeps copies of the program's rules so that it runs without the program. Each
 * test here compares a copy with its twin in infra/, by value or by behaviour, so a change
 * to either side that the other does not follow fails.
 */

const prodRaw = rawConfigFrom(readStackConfig("prod"), "plain");
const programAcceptsInProd = (passwordPolicy: string): boolean => {
  try {
    buildTenantSpec({ ...prodRaw, passwordPolicy }, "prod");
    return true;
  } catch {
    return false;
  }
};
const packAcceptsInProd = async (passwordPolicy: string): Promise<boolean> => {
  const report = await validateResource(
    databaseConnectionHardening,
    { ...connection({ passwordPolicy }), stack: "prod" },
    { "database-connection-hardening": { environment: "prod" } },
  );
  return messages(report).length === 0;
};

describe("the pack's copies agree with the program", () => {
  test("the length and alphabet of a client secret the program owns", () => {
    expect(CLIENT_SECRET_LENGTH).toBe(PROGRAM_CLIENT_SECRET_LENGTH);
    // Letters and digits only: the pack refuses any other character.
    expect(clientSecretArgs()).toMatchObject({ length: CLIENT_SECRET_LENGTH, special: false });
  });

  test("the environments", () => {
    expect([...ENVIRONMENTS]).toEqual([...PROGRAM_ENVIRONMENTS]);
  });

  test("the rule for a tenant on this machine: every spelling, this machine or not, gets the same answer from both", () => {
    fc.assert(
      fc.property(fc.oneof(thisMachineHost, otherHost, fc.string({ maxLength: 30 })), (host) => {
        expect(packIsThisMachine(host), host).toBe(programIsThisMachine(host));
      }),
      { seed: 6761, numRuns: 300 },
    );
  });

  test("the rule for an identifier that is the tenant's Management API: the same answer from both", () => {
    fc.assert(
      fc.property(
        fc.constantFrom("exampleco-dev.eu.auth0.com", "EXAMPLECO-dev.eu.auth0.com", "127.0.0.1:7443", "exampleco-dev.eu.auth0.com:443"),
        fc.constantFrom(
          "https://exampleco-dev.eu.auth0.com",
          "HTTPS://exampleco-dev.eu.auth0.com:443",
          "http://127.0.0.1:7443",
          "https://127.0.0.1:7443",
        ),
        fc.constantFrom("/api/v2/", "/api/v2", "/api/", "/api/v2/x", ""),
        (domain, origin, suffix) => {
          const identifier = `${origin}${suffix}`;
          expect(packIsManagementApiAudience(identifier, domain), `${identifier} on ${domain}`).toBe(
            programIsManagementApiAudience(identifier, domain),
          );
        },
      ),
      { seed: 409, numRuns: 100 },
    );
  });

  test("the password policies, weakest first, and prod's floor: the same levels pass in both", async () => {
    expect([...PASSWORD_POLICIES]).toEqual([...PROGRAM_PASSWORD_POLICIES]);
    for (const level of PROGRAM_PASSWORD_POLICIES) {
      expect(await packAcceptsInProd(level), level).toBe(programAcceptsInProd(level));
    }
    expect(programAcceptsInProd(PROD_MINIMUM_PASSWORD_POLICY)).toBe(true);
    const below = PASSWORD_POLICIES[PASSWORD_POLICIES.indexOf(PROD_MINIMUM_PASSWORD_POLICY) - 1] ?? "";
    expect(programAcceptsInProd(below)).toBe(false);
  });

  test("the import job's default scopes", () => {
    expect([...DEFAULT_IMPORT_JOB_SCOPES]).toEqual([...PROGRAM_IMPORT_JOB_SCOPES]);
    expect(CONFIG_KEYS.importJobScopes.schema.parse(undefined)).toEqual([...DEFAULT_IMPORT_JOB_SCOPES]);
  });

  test("the default token lifetime: a stack that sets neither lifetime nor maximum passes", async () => {
    const programDefault = CONFIG_KEYS.tokenLifetime.schema.parse(undefined);
    expect(DEFAULT_MAX_TOKEN_LIFETIME).toBe(programDefault);
    const report = await validateResource(timesheetsApiTokens, resourceServer({ tokenLifetime: programDefault }), {});
    expect(messages(report)).toEqual([]);
  });

  test.each(listStacks())("the issuer of the %s stack's tenant", (stack) => {
    const spec = loadStackSpec(stack);
    expect(issuerFor(spec.tenant.domain)).toBe(spec.tenant.issuer);
  });

  test("the import job's names and the resource types, as the program declares them", async () => {
    const run = await runProgram("dev", engineConfigFor("dev"), () => declareTimesheetsTenant(loadTenantSpec()));
    expect(IMPORT_JOB.clientName).toBe(IMPORT_JOB_NAME);
    const clientNames = Object.fromEntries(run.ofType(AUTH0.client).map((client) => [client.name, client.inputs.name]));
    // dev has a test user and the developer portal, so it declares their applications beside the import job.
    expect(clientNames).toEqual({
      [IMPORT_JOB.clientResource]: IMPORT_JOB.clientName,
      [INTEGRATION_TEST_APP.clientResource]: INTEGRATION_TEST_APP.clientName,
      "developer-portal-client": "Timesheets Developer Portal",
    });
    expect(INTEGRATION_TEST_APP.clientName).toBe(INTEGRATION_TEST_APP_NAME);
    expect(INTEGRATION_TEST_APP.grantType).toBe(PASSWORD_REALM_GRANT);
    expect(run.ofType(AUTH0.clientGrant).map((grant) => grant.name)).toContain(IMPORT_JOB.grantResource);
    expect(run.ofType(IMPORT_JOB.component).map((r) => r.name)).toEqual(["import-job"]);
    const declaredTypes = new Set(run.resources.map((r) => r.type));
    const packTypes = Object.values(AUTH0).filter((type) => type !== AUTH0.resourceServerScope);
    // Every type the pack watches is one the program declares (the singular scope is watched so that nobody adds one).
    expect(packTypes.filter((type) => !declaredTypes.has(type))).toEqual([]);
  });
});
