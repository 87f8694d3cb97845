import fc from "fast-check";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type Auth0StandIn } from "../../../local/auth0/index.js";
import { startAuth0StandIn } from "../../support/stand-in";
import { UNMODELLED_LIST_PATHS } from "../../../local/auth0/resources/unmodelled.js";
import { api } from "./helpers.js";

// What every Management API answer promises, as properties (seeded, bounded): Auth0's rate-limit
// headers on every answer, errors included; the kinds the local tenant does not model answer an
// empty list in their envelope and refuse every write in Auth0's error shape; nothing is a 5xx.

const SEED = 20261203;
const RUNS = 150;

let auth0: Auth0StandIn;
let token: string;
let narrowToken: string;

beforeAll(async () => {
  auth0 = await startAuth0StandIn();
  token = await auth0.managementToken();
  narrowToken = await auth0.managementToken(["read:clients"]);
});
afterAll(() => auth0.close());
beforeEach(() => auth0.reset());

// A path segment as ids come (never "." or "..", which a URL resolves away before it is sent).
const segment = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9_|%.-]{0,11}$/);
/** A concrete path from a pattern, each `:name` a random segment. */
const concrete = (pattern: string) =>
  fc.array(segment, { minLength: 3, maxLength: 3 }).map((values) => {
    let next = 0;
    return pattern.replace(/:\w+/g, () => encodeURIComponent(values[next++] ?? "x"));
  });
const unmodelledList = fc.constantFrom(...UNMODELLED_LIST_PATHS).chain(concrete);
const anyPath = fc.oneof(
  unmodelledList,
  unmodelledList.chain((path) => segment.map((id) => `${path}/${encodeURIComponent(id)}`)),
  fc.constantFrom(
    "/clients",
    "/resource-servers",
    "/client-grants",
    "/connections",
    "/users",
    "/tenants/settings",
    "/branding",
    "/prompts",
  ),
  fc.array(segment, { minLength: 1, maxLength: 4 }).map((parts) => `/${parts.join("/")}`),
);
const method = fc.constantFrom("GET", "POST", "PUT", "PATCH", "DELETE");
const credential = fc.constantFrom<"full" | "narrow" | "none" | "garbage">("full", "narrow", "none", "garbage");
const body = fc.option(
  fc.oneof(fc.constant({}), fc.dictionary(segment, fc.jsonValue({ maxDepth: 2 }), { maxKeys: 3 }), fc.constant("{not json")),
  {
    nil: undefined,
  },
);
const listQuery = fc.record(
  {
    page: fc.integer({ min: 0, max: 5 }),
    per_page: fc.integer({ min: 1, max: 100 }),
    include_totals: fc.boolean(),
    from: fc.constantFrom("", "abc"),
    take: fc.integer({ min: 1, max: 100 }),
  },
  { requiredKeys: [] },
);

function bearer(kind: "full" | "narrow" | "none" | "garbage"): string | undefined {
  if (kind === "none") return undefined;
  if (kind === "garbage") return "not-a-token";
  return kind === "full" ? token : narrowToken;
}

describe("every Management API answer", () => {
  it("carries Auth0's rate-limit headers, whatever the request, and is never a 5xx", async () => {
    await fc.assert(
      fc.asyncProperty(method, anyPath, credential, body, async (verb, path, who, payload) => {
        const before = Math.floor(Date.now() / 1000);
        const answer = await api(auth0, bearer(who), verb, path, verb === "GET" || verb === "DELETE" ? undefined : payload);
        expect(answer.status).toBeLessThan(500);
        const limit = Number(answer.headers.get("x-ratelimit-limit"));
        const remaining = Number(answer.headers.get("x-ratelimit-remaining"));
        const reset = Number(answer.headers.get("x-ratelimit-reset"));
        for (const value of [limit, remaining, reset]) expect(Number.isInteger(value)).toBe(true);
        expect(limit).toBeGreaterThan(0);
        expect(remaining).toBeGreaterThanOrEqual(0);
        expect(remaining).toBeLessThan(limit);
        expect(reset).toBeGreaterThanOrEqual(before);
      }),
      { seed: SEED, numRuns: RUNS },
    );
    expect(auth0.internalErrors).toEqual([]);
  });

  it("counts requests down and is full again by the time it says", async () => {
    const first = await api(auth0, token, "GET", "/clients");
    const second = await api(auth0, token, "GET", "/clients");
    expect(Number(second.headers.get("x-ratelimit-remaining"))).toBeLessThanOrEqual(Number(first.headers.get("x-ratelimit-remaining")));
    expect(Number(second.headers.get("x-ratelimit-reset"))).toBeLessThanOrEqual(Math.ceil(Date.now() / 1000) + 1);
  });

  it("carries an injected rate limit's own headers instead, on its 429 and on the answers before it", async () => {
    auth0.faults.rateLimit({ after: 1, path: "/api/v2/clients" });
    const passed = await api(auth0, token, "GET", "/clients");
    const refused = await api(auth0, token, "GET", "/clients");
    expect(passed.headers.get("x-ratelimit-limit")).toBe("1");
    expect(refused.status).toBe(429);
    expect(refused.headers.get("x-ratelimit-remaining")).toBe("0");
  });
});

describe("kinds the local tenant does not model", () => {
  it("answer an empty list in the endpoint's envelope, whatever the paging asked for", async () => {
    await fc.assert(
      fc.asyncProperty(unmodelledList, listQuery, async (path, query) => {
        const search = new URLSearchParams(Object.entries(query).map(([key, value]): [string, string] => [key, String(value)]));
        const answer = await api<unknown>(auth0, token, "GET", `${path}?${search.toString()}`);
        expect(answer.status).toBe(200);
        if (Array.isArray(answer.body)) {
          expect(answer.body).toEqual([]);
          return;
        }
        const envelope = answer.body as Record<string, unknown>;
        const lists = Object.values(envelope).filter(Array.isArray);
        expect(lists).toEqual([[]]);
        if ("total" in envelope) expect(envelope.total).toBe(0);
        expect(envelope).not.toHaveProperty("next");
      }),
      { seed: SEED, numRuns: RUNS },
    );
  });

  it("refuse every write, to the collection or to an item, in Auth0's error shape", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom("POST", "PUT", "PATCH", "DELETE"),
        fc.oneof(
          unmodelledList.map((path) => ({ path, item: false })),
          unmodelledList.chain((list) => segment.map((id) => ({ path: `${list}/${encodeURIComponent(id)}`, item: true }))),
        ),
        body,
        async (verb, { path, item }, payload) => {
          const answer = await api<Record<string, unknown>>(auth0, token, verb, path, verb === "DELETE" ? undefined : (payload ?? {}));
          // A body that is not JSON is refused as such first, as hapi reads the payload before the handler runs.
          if (payload === "{not json" && verb !== "DELETE") {
            expect(answer.status).toBe(400);
            return;
          }
          if (verb === "DELETE" && !item) {
            // DELETE on a whole collection is no endpoint at all.
            expect(answer.body).toEqual({ statusCode: 404, error: "Not Found", message: "Not Found" });
            return;
          }
          expect(answer.status).toBe(403);
          expect(answer.body).toEqual({
            statusCode: 403,
            error: "Forbidden",
            message: expect.any(String),
            errorCode: "feature_not_enabled",
          });
        },
      ),
      { seed: SEED, numRuns: RUNS },
    );
    expect(auth0.internalErrors).toEqual([]);
  });

  it("are read with their own permission, as on Auth0", async () => {
    const refused = await api<Record<string, unknown>>(auth0, narrowToken, "GET", "/actions/actions");
    expect(refused.status).toBe(403);
    expect(refused.body).toMatchObject({ errorCode: "insufficient_scope", message: "Insufficient scope, expected any of: read:actions" });
    const allowed = await api(auth0, token, "GET", "/actions/actions");
    expect(allowed).toMatchObject({ status: 200, body: { actions: [], total: 0, page: 0, per_page: 50 } });
  });
});
