import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { insufficientScopeChallenge } from "../../infra/azure/policy-xml";
import { loadStackSpec } from "../../stacks/stack-config";
import {
  bearer,
  gatewayFor,
  send,
  sendRaw,
  startFixture,
  stopFixture,
  withClaims,
  type Fixture,
} from "../support/validate-jwt/gateway-fixture";

/**
 * What docs/gateway.md promises for every token, as properties (seeded, bounded): a permission
 * counts only as a whole word of the space-separated `scope`, and an operation nobody
 * declared is never open.
 */

const SEED = 1209;
const RUNS = 40;

describe("the dev gateway, for any scope", () => {
  let f: Fixture;
  beforeAll(async () => {
    f = await startFixture(loadStackSpec("dev"));
  });
  afterAll(() => stopFixture(f));

  const permissions = ["batch:upload", "read:timesheets", "create:timesheets", "delete:timesheets", "approve:timesheets"];
  // Words a scope may hold: the permissions, near misses of them, and OpenID's own scopes.
  const words = [
    ...permissions,
    "batch:uploads",
    "batch:upload:all",
    "read:timesheet",
    "openid",
    "profile",
    "batch:upload,read:timesheets",
    "",
  ];

  test("an operation answers 200 exactly when its permission is a whole word of scope, else 403 with insufficient_scope", async () => {
    const operations = f.spec.gateway?.operations ?? [];
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.constantFrom(...words), { maxLength: 5 }),
        fc.constantFrom(...operations),
        async (scopeWords, operation) => {
          const scope = scopeWords.join(" ");
          const response = await send(f, operation.id, bearer(await withClaims(f, { scope })));
          const allowed = scope.split(" ").includes(operation.permission);
          expect(response.status).toBe(allowed ? 200 : 403);
          if (!allowed) expect(response.headers["www-authenticate"]).toEqual([insufficientScopeChallenge(operation.permission)]);
        },
      ),
      { seed: SEED, numRuns: RUNS },
    );
  });

  test("an operation the spec does not declare is refused to every valid token", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc
          .stringMatching(/^[a-z][a-z-]{0,15}$/)
          .filter((id) => !(f.spec.gateway?.operations ?? []).some((operation) => operation.id === id)),
        fc.constantFrom("GET", "POST", "PUT", "PATCH", "DELETE"),
        fc.subarray(permissions),
        async (id, method, granted) => {
          const gateway = gatewayFor(f.spec, f.fetch, { extraOperations: [{ id, method, urlTemplate: `/undeclared/${id}` }] });
          const token = await withClaims(f, { scope: granted.join(" ") });
          const response = await sendRaw(gateway, method, `/undeclared/${id}`, bearer(token));
          expect(response.operationId).toBe(id);
          expect(response.status).toBe(403);
        },
      ),
      { seed: SEED, numRuns: RUNS },
    );
  });
});
