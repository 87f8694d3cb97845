import { generateKeyPairSync } from "node:crypto";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { INVALID_TOKEN_CHALLENGE, insufficientScopeChallenge } from "../../infra/azure/policy-xml";
import { buildTenantSpec } from "../../infra/config/build";
import { rawConfigFrom } from "../../infra/config/raw";
import { loadStackSpec, readStackConfig } from "../../stacks/stack-config";
import { CONFIGURATION_LIFETIME_SECONDS, REFRESH_INTERVAL_SECONDS } from "../../local/apim/validate-jwt";
import { decodeToken, patchClaims, signRsa } from "../support/validate-jwt/forged-tokens";
import {
  bearer,
  gatewayFor,
  now,
  operationOf,
  pathOf,
  send,
  sendRaw,
  startFixture,
  stopFixture,
  withClaims,
  type Fixture,
} from "../support/validate-jwt/gateway-fixture";

/**
 * Deny by default, through the Auth0 stand-in's own tokens and keys: the API policy alone
 * decides every operation, declared or not, and the model's key handling follows the
 * validate-jwt reference (refetch on an unknown kid, at most once per 5 minutes; an hour's
 * cache).
 */

const everyPermission = (f: Fixture): string[] => f.spec.api.permissions.map((permission) => permission.name);

describe("the prod gateway", () => {
  let f: Fixture;
  beforeAll(async () => {
    f = await startFixture(loadStackSpec("prod"));
  });
  afterAll(() => stopFixture(f));

  test("an operation held in API Management but not declared (portal, OpenAPI import) is refused to every token", async () => {
    const exportOperation = { id: "export-timesheets", method: "GET", urlTemplate: "/exports/timesheets" };
    const gateway = gatewayFor(f.spec, f.fetch, { extraOperations: [exportOperation] });
    const allPowerful = await f.tenant.token(await f.tenant.clientWith(everyPermission(f)));
    for (const token of [f.importJobToken, allPowerful]) {
      const response = await sendRaw(gateway, "GET", "/exports/timesheets", bearer(token));
      expect(response.operationId).toBe("export-timesheets");
      expect(response.status).toBe(403);
      // No challenge: no token would open an operation nobody declared.
      expect(response.headers["www-authenticate"]).toBeUndefined();
    }
    expect((await sendRaw(gateway, "GET", "/exports/timesheets")).status).toBe(401);
  });

  test("every declared operation, none with a policy of its own, still refuses the import job's token without its permission", async () => {
    for (const operation of f.spec.gateway?.operations ?? []) {
      const response = await send(f, operation.id, bearer(f.importJobToken));
      if (operation.permission === "batch:upload") expect(response.status, operation.id).toBe(200);
      else {
        expect(response.status, operation.id).toBe(403);
        expect(response.headers["www-authenticate"]).toEqual([insufficientScopeChallenge(operation.permission)]);
      }
    }
  });

  test("a request that matches no operation is 404, and no policy runs for it", async () => {
    for (const [method, path] of [
      ["GET", "/nothing-here"],
      ["PATCH", "/timesheets/42"],
      ["GET", "/timesheets/42/approve"],
    ] as const) {
      const response = await sendRaw(f.gateway, method, path, bearer(f.importJobToken));
      expect(response.status, `${method} ${path}`).toBe(404);
      expect(response.operationId).toBeUndefined();
      expect(response.lastError?.reason).toBe("OperationNotFound");
      expect(response.headers["www-authenticate"]).toBeUndefined();
    }
  });

  test("a user's token: array audience with /userinfo, scope with openid profile and one permission", async () => {
    const userToken = await signRsa(
      f.genuine,
      patchClaims(f.genuine.claims, {
        sub: "auth0|5f7c8ec7c33c6c004bbafe82",
        aud: [f.spec.api.identifier, `https://${f.spec.tenant.domain}/userinfo`],
        scope: "openid profile email read:timesheets",
        gty: undefined,
      }),
      f.tenantKey,
    );
    for (const id of ["list-timesheets", "get-timesheet"]) expect((await send(f, id, bearer(userToken))).status, id).toBe(200);
    const create = await send(f, "create-timesheet", bearer(userToken));
    expect(create.status).toBe(403);
    expect(create.headers["www-authenticate"]).toEqual([insufficientScopeChallenge("create:timesheets")]);
    // Only the userinfo audience: not a token for this API.
    const userinfoOnly = await withClaims(f, { aud: [`https://${f.spec.tenant.domain}/userinfo`], scope: "openid read:timesheets" });
    const refused = await send(f, "list-timesheets", bearer(userinfoOnly));
    expect(refused.status).toBe(401);
    expect(refused.lastError?.reason).toBe("TokenAudienceNotAllowed");
  });

  describe("exp and nbf at the clock-skew boundaries, on a fixed clock", () => {
    const at = 1_900_000_000;
    const cases = [
      { name: "exp = now - skew", claims: (skew: number) => ({ exp: at - skew }), status: 200 },
      { name: "exp = now - skew - 1", claims: (skew: number) => ({ exp: at - skew - 1 }), status: 401, reason: "TokenExpired" },
      { name: "nbf = now + skew", claims: (skew: number) => ({ nbf: at + skew, exp: at + 3600 }), status: 200 },
      {
        name: "nbf = now + skew + 1",
        claims: (skew: number) => ({ nbf: at + skew + 1, exp: at + 3600 }),
        status: 401,
        reason: "JwtInvalid",
      },
    ];
    test.each(cases)("$name: $status", async ({ claims, status, reason }) => {
      const gateway = gatewayFor(f.spec, f.fetch, { now: () => at });
      const token = await withClaims(f, { iat: at - 60, ...claims(f.skew) });
      const response = await send(f, "upload-timesheets", bearer(token), gateway);
      expect(response.status).toBe(status);
      expect(response.lastError?.reason).toBe(reason);
      if (status === 401) expect(response.headers["www-authenticate"]).toEqual([INVALID_TOKEN_CHALLENGE]);
    });
  });

  test("the documented algorithms only: RS512 with the tenant's key verifies; RS384, PS384, PS512 do not", async () => {
    const sign = (alg: string) => signRsa(f.genuine, f.genuine.claims, f.tenantKey, { alg });
    expect((await send(f, "upload-timesheets", bearer(await sign("RS512")))).status).toBe(200);
    for (const alg of ["RS384", "PS384", "PS512"]) {
      const response = await send(f, "upload-timesheets", bearer(await sign(alg)));
      expect(response.status, alg).toBe(401);
      expect(response.lastError?.reason, alg).toBe("TokenSignatureInvalid");
    }
  });
});

describe("a key rotation in the stand-in, on the gateway's own clock", () => {
  let f: Fixture;
  beforeAll(async () => {
    f = await startFixture(loadStackSpec("dev"));
  });
  afterAll(() => stopFixture(f));

  test("a new kid is accepted after one refetch; the old key is refused once revoked and the cache renewed", async () => {
    let clock = now();
    const gateway = gatewayFor(f.spec, f.fetch, { now: () => clock });
    const url = f.spec.tenant.openIdConfigurationUrl;
    const upload = (token: string) => send(f, "upload-timesheets", bearer(token), gateway);
    const lasting = (claims: Record<string, unknown>) => patchClaims(claims, { exp: clock + 3 * CONFIGURATION_LIFETIME_SECONDS });

    expect((await upload(f.importJobToken)).status).toBe(200);
    expect(gateway.configurationPulls(url)).toBe(1);
    const oldKey = f.keys.RS256;

    const newKey = await f.keys.rotate();
    expect(newKey.kid).not.toBe(oldKey.kid);
    const rotated = await f.tenant.token(f.tenant.importJob);
    expect(f.genuine.header.kid).toBe(oldKey.kid);
    clock += REFRESH_INTERVAL_SECONDS;
    expect((await upload(rotated)).status).toBe(200);
    expect(gateway.configurationPulls(url)).toBe(2);
    // Cached now: no further pull for the new key, and the old key (still published) still verifies.
    expect((await upload(rotated)).status).toBe(200);
    expect((await upload(f.importJobToken)).status).toBe(200);
    expect(gateway.configurationPulls(url)).toBe(2);

    // A kid nobody publishes, within 5 minutes of the last pull: no pull, TokenSignatureKeyNotFound.
    const stranger = generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey;
    const unknown = await signRsa(f.genuine, lasting(f.genuine.claims), stranger, { kid: "not-a-published-kid" });
    clock += 60;
    const refusedUnknown = await upload(unknown);
    expect(refusedUnknown.lastError?.reason).toBe("TokenSignatureKeyNotFound");
    expect(refusedUnknown.headers["www-authenticate"]).toEqual([INVALID_TOKEN_CHALLENGE]);
    expect(gateway.configurationPulls(url)).toBe(2);
    // After 5 minutes the same miss may pull once more (and still finds nothing).
    clock += REFRESH_INTERVAL_SECONDS;
    expect((await upload(unknown)).lastError?.reason).toBe("TokenSignatureKeyNotFound");
    expect(gateway.configurationPulls(url)).toBe(3);

    // Revoked: the cached key set still holds the old key until the hour is up, then it is gone.
    f.keys.revoke(oldKey.kid);
    const signedByOldKey = await signRsa(f.genuine, lasting(f.genuine.claims), oldKey.privateKey);
    expect((await upload(signedByOldKey)).status).toBe(200);
    clock += CONFIGURATION_LIFETIME_SECONDS;
    const refusedOld = await upload(signedByOldKey);
    expect(refusedOld.status).toBe(401);
    expect(refusedOld.lastError?.reason).toBe("TokenSignatureKeyNotFound");
    const fresh = await signRsa(decodeToken(rotated), lasting(f.genuine.claims), newKey.privateKey);
    expect((await upload(fresh)).status).toBe(200);
  });
});

describe.each([
  { name: "PS256 (prod's config, as docs/gateway.md recommends)", stack: "prod", signingAlg: "PS256" },
  { name: "PS256 with RFC 9068 tokens (staging's config)", stack: "staging", signingAlg: "PS256" },
])("a $name stack", ({ stack, signingAlg }) => {
  const spec = buildTenantSpec({ ...rawConfigFrom(readStackConfig(stack), "plain"), signingAlg }, stack);
  let f: Fixture;
  beforeAll(async () => {
    f = await startFixture(spec);
  });
  afterAll(() => stopFixture(f));

  test("the stand-in signs the import job's token with its PS256 key", () => {
    expect(f.genuine.header.alg).toBe("PS256");
    expect(f.genuine.header.kid).toBeDefined();
    expect(f.genuine.header.typ).toBe(spec.api.tokenProfile === "rfc9068" ? "at+jwt" : "JWT");
  });

  test("accepted on upload only; 403 with insufficient_scope elsewhere; 401 invalid_token when signed by another key under its kid", async () => {
    for (const operation of spec.gateway?.operations ?? []) {
      const response = await send(f, operation.id, bearer(f.importJobToken));
      expect(response.status, operation.id).toBe(operation.id === "upload-timesheets" ? 200 : 403);
    }
    const keys = f.keys;
    // The tenant's RS256 key, under the PS256 key's kid: the kid selects the PS256 key, whose signature check fails.
    const forged = await signRsa(f.genuine, f.genuine.claims, keys.RS256.privateKey, { alg: "PS256" });
    const response = await send(f, "upload-timesheets", bearer(forged));
    expect(response.status).toBe(401);
    expect(response.lastError?.reason).toBe("TokenSignatureInvalid");
    expect(response.headers["www-authenticate"]).toEqual([INVALID_TOKEN_CHALLENGE]);
  });

  test("a path below a declared operation's is not that operation", async () => {
    const approve = operationOf(spec, "approve-timesheet");
    expect((await sendRaw(f.gateway, approve.method, `${pathOf(approve)}/again`, bearer(f.importJobToken))).status).toBe(404);
  });
});
