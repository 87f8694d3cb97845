import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { buildTenantSpec } from "../../infra/config/build";
import { TenantConfigError } from "../../infra/config/errors";

// `timesheets:apim.developerPortal`, for any value: a spec whose portal application returns only
// to the one exact redirect URI of this service and authorization server, with a user grant for
// permissions of the API alone, or a refusal that names the key; never a crash, never a wildcard.

const base = {
  environment: "dev",
  domain: "exampleco-dev.eu.auth0.com",
  apiIdentifier: "https://timesheets.dev.exampleco.com/api",
};
const apim = {
  mode: "existing",
  resourceGroupName: "rg-timesheets-dev",
  serviceName: "apim-exampleco-timesheets-dev",
  backendUrl: "https://timesheets-backend-dev.azurewebsites.net",
};
const API_PERMISSIONS = ["batch:upload", "read:timesheets", "create:timesheets", "delete:timesheets", "approve:timesheets"];

const portalValue = fc.oneof(
  fc.record(
    {
      authorizationServerId: fc.oneof(
        fc.string({ maxLength: 90 }),
        fc.stringMatching(/^[a-zA-Z0-9][a-zA-Z0-9-]{0,20}$/),
        fc.constantFrom("auth0", "*", "a/b", "a b", "-x", "x-", "https://evil.example.net"),
      ),
      permissions: fc.oneof(
        fc.array(fc.constantFrom(...API_PERMISSIONS, "export:timesheets", "", "*", "read:timesheets "), { maxLength: 6 }),
        fc.constant("read:timesheets"),
      ),
    },
    { requiredKeys: [] },
  ),
  fc.constantFrom(true, "yes", null, 0, [], "{}"),
);

describe("apim.developerPortal, any value", () => {
  test("a spec with exactly one exact https redirect URI and API permissions only, or a refusal naming the key (property)", () => {
    fc.assert(
      fc.property(portalValue, (developerPortal) => {
        let spec;
        try {
          spec = buildTenantSpec({ ...base, apim: { ...apim, developerPortal } }, "dev");
        } catch (error) {
          expect(error).toBeInstanceOf(TenantConfigError);
          expect((error as Error).message).toMatch(/timesheets:apim\.developerPortal/);
          return;
        }
        const portal = spec.gateway?.developerPortal;
        expect(portal).toBeDefined();
        const callbacks = portal?.application.callbacks ?? [];
        expect(callbacks).toHaveLength(1);
        const callback = new URL(callbacks[0] ?? "");
        expect(callback.protocol).toBe("https:");
        expect(callback.host).toBe(`${apim.serviceName}.developer.azure-api.net`);
        expect(callback.pathname).toBe(`/signin-oauth/code/callback/${portal?.authorizationServer.id ?? ""}`);
        expect(callbacks[0]).not.toMatch(/[*#?\s]/);
        expect(portal?.application.grantTypes).toEqual(["authorization_code"]);
        expect(portal?.application.webOrigins).toEqual([]);
        const scopes = portal?.application.grant.scopes ?? [];
        expect(scopes.length).toBeGreaterThan(0);
        expect(scopes.every((scope) => API_PERMISSIONS.includes(scope))).toBe(true);
        expect(new Set(scopes).size).toBe(scopes.length);
        expect(portal?.authorizationServer.defaultScope).toBe(scopes.join(" "));
        expect(spec.api.userPolicy).toBe("require_client_grant");
      }),
      { seed: 2029, numRuns: 300 },
    );
  });

  test("absent: no portal, and Auth0's user access policy left alone where no one signs in", () => {
    const spec = buildTenantSpec({ ...base, apim }, "dev");
    expect(spec.gateway?.developerPortal).toBeUndefined();
    expect(spec.api.userPolicy).toBeUndefined();
  });
});
