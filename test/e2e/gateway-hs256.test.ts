import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { buildTenantSpec } from "../../infra/config/build";
import { rawConfigFrom } from "../../infra/config/raw";
import { readStackConfig } from "../../stacks/stack-config";
import { signHs256, signRsa, unsigned } from "../support/validate-jwt/forged-tokens";
import { bearer, send, startFixture, stopFixture, type Fixture } from "../support/validate-jwt/gateway-fixture";

/**
 * dev, opted in to HS256: the stand-in signs with the resource server's generated secret,
 * and the gateway verifies with the named value the program would create from it.
 */
const spec = buildTenantSpec({ ...rawConfigFrom(readStackConfig("dev"), "plain"), signingAlg: "HS256", allowHs256: true }, "dev");

describe("the dev gateway with HS256 tokens", () => {
  let f: Fixture;
  beforeAll(async () => {
    f = await startFixture(spec);
  });
  afterAll(() => stopFixture(f));

  test("the stand-in issues HS256 tokens for this config", () => {
    expect(f.genuine.header.alg).toBe("HS256");
    expect(f.tenant.signingSecret).toBeDefined();
  });

  test("the import job's token is accepted on upload only, and answered 403 everywhere else", async () => {
    for (const operation of spec.gateway?.operations ?? []) {
      const response = await send(f, operation.id, bearer(f.importJobToken));
      expect(response.status, operation.id).toBe(operation.id === "upload-timesheets" ? 200 : 403);
    }
  });

  test.each([
    {
      name: "HS256 with another secret",
      token: (x: Fixture) => signHs256(x.genuine, x.genuine.claims, Buffer.from("not-the-resource-servers-secret")),
    },
    {
      name: "HS256 with the secret's base64 (the named value) as the key",
      token: (x: Fixture) =>
        signHs256(x.genuine, x.genuine.claims, Buffer.from(Buffer.from(x.tenant.signingSecret ?? "").toString("base64"))),
    },
    {
      name: "RS256 with the tenant's own key: the gateway holds no RSA key here",
      token: (x: Fixture) => signRsa(x.genuine, x.genuine.claims, x.tenantKey, { alg: "RS256" }),
    },
    { name: "alg none", token: async (x: Fixture) => unsigned(x.genuine, x.genuine.claims) },
  ])("refuses $name with 401", async ({ token }) => {
    const response = await send(f, "upload-timesheets", bearer(await token(f)));
    expect(response.status).toBe(401);
    expect(response.headers["www-authenticate"]).toEqual(['Bearer error="invalid_token"']);
  });
});
