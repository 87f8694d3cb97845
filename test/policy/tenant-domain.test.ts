import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { tenantDomain } from "../../policy/rules";
import { auth0Provider, resourceServer } from "./support/fixtures";
import { messages, validateResource } from "./support/policy-args";
import { thisMachineHost } from "../support/host-spellings";

/** The rule run on a resource server whose provider names `domain`, in `stack` under `environment`'s policy config. */
async function verdict(domain: string, stack: string, environment: string | undefined) {
  const resource = { ...resourceServer(), provider: auth0Provider(domain, stack), stack };
  const config = environment === undefined ? {} : { "tenant-domain": { environment } };
  return messages(await validateResource(tenantDomain, resource, config));
}

describe("tenant-domain: a tenant on this machine only in environment local", () => {
  test("the local stack may name 127.0.0.1:PORT", async () => {
    expect(await verdict("127.0.0.1:7443", "local", "local")).toEqual([]);
  });

  test.each(["dev", "staging", "prod"])("%s may not, and the message names the environment", async (environment) => {
    expect(await verdict("127.0.0.1:7443", environment, environment)).toEqual([
      `the Auth0 domain "127.0.0.1:7443" is this machine (the local Auth0 of \`npm run local\`); a loopback domain is accepted only in environment local, and this stack is ${environment}`,
    ]);
  });

  test("a policy config that says local cannot loosen a stack named prod, nor an unnamed stack without config", async () => {
    expect(await verdict("localhost:7443", "prod", "local")).toHaveLength(1);
    expect(await verdict("[::1]:7443", "qa", undefined)).toHaveLength(1);
  });

  test("any loopback spelling with any port is refused outside local; a real tenant's domain never is", async () => {
    await fc.assert(
      fc.asyncProperty(thisMachineHost, fc.constantFrom("dev", "staging", "prod"), async (host, environment) => {
        expect(await verdict(host, environment, environment), host).toHaveLength(1);
        expect(await verdict("exampleco-dev.eu.auth0.com", environment, environment)).toEqual([]);
      }),
      { seed: 19, numRuns: 40 },
    );
  });

  test("a resource server whose identifier is the tenant's own Management API is refused in every environment", async () => {
    for (const environment of ["local", "dev", "prod"]) {
      const domain = environment === "local" ? "127.0.0.1:7443" : "exampleco-dev.eu.auth0.com";
      const resource = {
        ...resourceServer({}, `https://${domain}/api/v2/`),
        provider: auth0Provider(domain, environment),
        stack: environment,
      };
      const found = messages(await validateResource(tenantDomain, resource, { "tenant-domain": { environment } }));
      expect(
        found.filter((m) => m.includes("Management API")),
        environment,
      ).toHaveLength(1);
    }
  });
});
