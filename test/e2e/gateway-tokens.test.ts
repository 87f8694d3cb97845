import { generateKeyPairSync } from "node:crypto";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { INVALID_TOKEN_CHALLENGE, insufficientScopeChallenge, NO_TOKEN_CHALLENGE } from "../../infra/azure/policy-xml";
import { loadStackSpec } from "../../stacks/stack-config";
import { patchClaims, signHs256, signRsa, tampered, unsigned } from "../support/validate-jwt/forged-tokens";
import {
  bearer,
  now,
  operationOf,
  OTHER_API,
  send,
  startFixture,
  stopFixture,
  withClaims,
  type Fixture,
  type TestRequest,
} from "../support/validate-jwt/gateway-fixture";
import type { ValidationReason } from "../../local/apim/validate-jwt";
import { seedTenantFromSpec } from "../support/validate-jwt/tenant-from-spec";

/**
 * The rendered policies, interpreted by the validate-jwt model, against tokens the Auth0
 * stand-in issues for each stack's own tenant config: dev (Auth0's token profile) and
 * staging (RFC 9068: header typ at+jwt, client_id instead of azp).
 */

interface TokenCase {
  readonly name: string;
  readonly operation: string;
  readonly status: 200 | 401 | 403;
  /**
   * `context.LastError.Reason` of a 401, as Microsoft's error reference names it. A 403 is
   * the policy's own `return-response`, not an error: it sets no LastError.
   */
  readonly reason?: ValidationReason;
  readonly request: (f: Fixture) => Promise<TestRequest>;
}

const cases: TokenCase[] = [
  {
    name: "the import job's genuine token, on upload",
    operation: "upload-timesheets",
    status: 200,
    request: async (f) => bearer(f.importJobToken),
  },
  {
    name: "the import job's genuine token, on create",
    operation: "create-timesheet",
    status: 403,
    request: async (f) => bearer(f.importJobToken),
  },
  {
    name: "a genuine token with every permission, on approve",
    operation: "approve-timesheet",
    status: 200,
    request: async (f) => bearer(await f.tenant.token(await f.tenant.clientWith(f.spec.api.permissions.map((p) => p.name)))),
  },
  { name: "no token at all", operation: "upload-timesheets", status: 401, reason: "TokenNotPresent", request: async () => ({}) },
  {
    name: "the token only in the query string",
    operation: "upload-timesheets",
    status: 401,
    reason: "TokenNotPresent",
    request: async (f) => ({ query: `?access_token=${f.importJobToken}` }),
  },
  {
    name: "the token without the Bearer scheme",
    operation: "upload-timesheets",
    status: 401,
    reason: "TokenNotPresent",
    request: async (f) => ({ headers: { Authorization: f.importJobToken } }),
  },
  {
    name: "the token under another scheme",
    operation: "upload-timesheets",
    status: 401,
    reason: "TokenNotPresent",
    request: async (f) => ({ headers: { Authorization: `Token ${f.importJobToken}` } }),
  },
  {
    name: "a genuine token for another API (wrong audience)",
    operation: "upload-timesheets",
    status: 401,
    reason: "TokenAudienceNotAllowed",
    request: async (f) => {
      await f.standIn.createResourceServer({
        identifier: OTHER_API,
        name: "Reports API",
        scopes: [{ value: "batch:upload", description: "Upload" }],
      });
      await f.standIn.createClientGrant({
        client_id: f.tenant.importJob.clientId,
        audience: OTHER_API,
        scope: ["batch:upload"],
        subject_type: "client",
      });
      return bearer(await f.tenant.token(f.tenant.importJob, OTHER_API));
    },
  },
  {
    name: "the issuer without its trailing slash",
    operation: "upload-timesheets",
    status: 401,
    reason: "TokenIssuerNotAllowed",
    request: async (f) => bearer(await withClaims(f, { iss: f.spec.tenant.issuer.replace(/\/$/, "") })),
  },
  {
    name: "expired beyond the clock skew",
    operation: "upload-timesheets",
    status: 401,
    reason: "TokenExpired",
    request: async (f) => bearer(await withClaims(f, { iat: now() - 7200, exp: now() - f.skew - 60 })),
  },
  {
    name: "expired within the clock skew",
    operation: "upload-timesheets",
    status: 200,
    request: async (f) => bearer(await withClaims(f, { iat: now() - 7200, exp: now() - Math.floor(f.skew / 2) })),
  },
  {
    name: "not yet valid beyond the clock skew",
    operation: "upload-timesheets",
    status: 401,
    reason: "JwtInvalid",
    request: async (f) => bearer(await withClaims(f, { nbf: now() + f.skew + 60 })),
  },
  {
    name: "not yet valid within the clock skew",
    operation: "upload-timesheets",
    status: 200,
    request: async (f) => bearer(await withClaims(f, { nbf: now() + Math.floor(f.skew / 2) })),
  },
  {
    name: "no expiration time",
    operation: "upload-timesheets",
    status: 401,
    reason: "JwtInvalid",
    request: async (f) => bearer(await withClaims(f, { exp: undefined })),
  },
  {
    name: "signed by another key under the tenant's kid",
    operation: "upload-timesheets",
    status: 401,
    reason: "TokenSignatureInvalid",
    request: async (f) =>
      bearer(await signRsa(f.genuine, f.genuine.claims, generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey)),
  },
  {
    name: "alg none",
    operation: "upload-timesheets",
    status: 401,
    reason: "TokenSignatureInvalid",
    request: async (f) => bearer(unsigned(f.genuine, f.genuine.claims)),
  },
  {
    name: "HS256 signed with the tenant's RSA public key as secret",
    operation: "upload-timesheets",
    status: 401,
    reason: "TokenSignatureKeyNotFound",
    request: async (f) => bearer(await signHs256(f.genuine, f.genuine.claims, Buffer.from(f.tenantPublicKeyPem))),
  },
  {
    name: "a genuine signature over claims widened to create:timesheets",
    operation: "create-timesheet",
    status: 401,
    reason: "TokenSignatureInvalid",
    request: async (f) => bearer(tampered(f.importJobToken, patchClaims(f.genuine.claims, { scope: "batch:upload create:timesheets" }))),
  },
  {
    name: "a genuine token for a client granted no permission",
    operation: "upload-timesheets",
    status: 403,
    request: async (f) => bearer(await f.tenant.token(await f.tenant.clientWith([]))),
  },
  {
    name: "no scope claim",
    operation: "upload-timesheets",
    status: 403,
    request: async (f) => bearer(await withClaims(f, { scope: undefined })),
  },
  {
    name: "a scope that merely contains the permission (batch:uploads)",
    operation: "upload-timesheets",
    status: 403,
    request: async (f) => bearer(await withClaims(f, { scope: "read:timesheets batch:uploads" })),
  },
  {
    name: "the permission as a prefix of a longer word",
    operation: "upload-timesheets",
    status: 403,
    request: async (f) => bearer(await withClaims(f, { scope: "batch:upload:all" })),
  },
  {
    name: "the permissions comma-separated",
    operation: "upload-timesheets",
    status: 403,
    request: async (f) => bearer(await withClaims(f, { scope: "batch:upload,read:timesheets" })),
  },
  {
    name: "the permission in another claim (permissions, scp)",
    operation: "upload-timesheets",
    status: 403,
    request: async (f) => bearer(await withClaims(f, { scope: undefined, permissions: ["batch:upload"], scp: "batch:upload" })),
  },
  {
    name: "a genuine token from another Auth0 tenant, same audience (its kid is unknown here, even after a refetch)",
    operation: "upload-timesheets",
    status: 401,
    reason: "TokenSignatureKeyNotFound",
    request: async (f) => {
      const foreign = await seedTenantFromSpec(f.foreignTenant, f.spec);
      return bearer(await foreign.token(foreign.importJob));
    },
  },
];

/** RFC 6750 section 3.1: no error code without a token; invalid_token for one that failed validation. */
const challenge401 = (reason: ValidationReason | undefined): string[] =>
  reason === "TokenNotPresent" ? [NO_TOKEN_CHALLENGE] : [INVALID_TOKEN_CHALLENGE];

describe.each([
  { stack: "dev", profile: "auth0", typ: "JWT", clientClaim: "azp" },
  { stack: "staging", profile: "rfc9068", typ: "at+jwt", clientClaim: "client_id" },
])("the $stack gateway with $profile tokens", ({ stack, profile, typ, clientClaim }) => {
  let f: Fixture;
  beforeAll(async () => {
    f = await startFixture(loadStackSpec(stack));
  });
  afterAll(() => stopFixture(f));

  test(`the stand-in issues ${profile} tokens for this stack's config`, () => {
    expect(f.spec.api.tokenProfile).toBe(profile);
    expect(f.genuine.header.typ).toBe(typ);
    expect(f.genuine.claims[clientClaim]).toBe(f.tenant.importJob.clientId);
    expect(f.genuine.claims).toMatchObject({ iss: f.spec.tenant.issuer, aud: f.spec.api.identifier, scope: "batch:upload" });
  });

  test.each(cases)("$name on $operation: $status", async ({ operation, status, reason, request }) => {
    const response = await send(f, operation, await request(f));
    expect(response.status, JSON.stringify(response.lastError)).toBe(status);
    expect(response.lastError?.reason).toBe(reason);
    expect(response.operationId).toBe(operation);
    if (status === 401) expect(response.headers["www-authenticate"]).toEqual(challenge401(reason));
    if (status === 403)
      expect(response.headers["www-authenticate"]).toEqual([insufficientScopeChallenge(operationOf(f.spec, operation).permission)]);
    if (status === 200) expect(response.headers["www-authenticate"]).toBeUndefined();
  });

  test("the import job's token is accepted on upload only, and answered 403 everywhere else", async () => {
    const operations = f.spec.gateway?.operations ?? [];
    expect(operations).toHaveLength(6);
    for (const operation of operations) {
      const response = await send(f, operation.id, bearer(f.importJobToken));
      expect(response.status, operation.id).toBe(operation.id === "upload-timesheets" ? 200 : 403);
    }
  });

  test("the stand-in saw no internal error", () => {
    expect(f.standIn.internalErrors).toEqual([]);
  });
});

test("the table holds at least 15 cases, accepted and refused, 401 and 403", () => {
  expect(cases.length).toBeGreaterThanOrEqual(15);
  expect(new Set(cases.map((c) => c.status))).toEqual(new Set([200, 401, 403]));
});
