import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { buildTenantSpec } from "../../infra/config/build";
import { rawConfigFrom } from "../../infra/config/raw";
import type { TenantSpec } from "../../infra/config/spec";
import { type Auth0StandIn } from "../../local/auth0/index.js";
import { startAuth0StandIn } from "../support/stand-in";
import { readStackConfig } from "../../stacks/stack-config";
import { api } from "./stand-in/helpers.js";

/*
 * The config's name rules against the local Auth0's (which models the Management API's request
 * schemas): whatever name a stack file gets past the config is one Auth0 takes, so no deploy
 * stops midway on a 400. The config may be stricter (it also refuses invisible characters).
 */

let auth0: Auth0StandIn;
let token: string;
beforeAll(async () => {
  auth0 = await startAuth0StandIn();
  token = await auth0.managementToken();
});
afterAll(() => auth0.close());

const dev = rawConfigFrom(readStackConfig("dev"), "wrap-secrets");

function specWith(key: string, value: unknown): TenantSpec | undefined {
  try {
    return buildTenantSpec({ ...dev, [key]: value }, "dev");
  } catch {
    return undefined;
  }
}

/** Names a careless hand or a copy-paste might produce. */
const name = (max: number) =>
  fc.oneof(
    fc.string({ minLength: 0, maxLength: max + 20 }),
    fc.string({ unit: "grapheme", minLength: 1, maxLength: 12 }),
    fc.constantFrom("<b>", "a>b", "Timesheets <API>", "x".repeat(max), "x".repeat(max + 1), "a\u200bb", "a\nb", "  ", "-a", "a-"),
  );

let unique = 0;

describe("every name the config accepts, Auth0 accepts", () => {
  test("the API's name (resource server name)", async () => {
    let accepted = 0;
    await fc.assert(
      fc.asyncProperty(name(200), async (value) => {
        const spec = specWith("apiName", value);
        if (spec === undefined) return;
        accepted += 1;
        const created = await api(auth0, token, "POST", "/resource-servers", {
          name: spec.api.name,
          identifier: `https://names.exampleco.com/${(unique += 1)}`,
        });
        expect(created.status, JSON.stringify(spec.api.name)).toBe(201);
      }),
      { seed: 2201, numRuns: 120 },
    );
    expect(accepted).toBeGreaterThan(10);
  });

  test("the permissions (scope values and descriptions)", async () => {
    await fc.assert(
      fc.asyncProperty(name(280), name(500), async (value, description) => {
        const spec = specWith("permissions", [{ name: value, description }]);
        if (spec === undefined) return;
        const created = await api(auth0, token, "POST", "/resource-servers", {
          name: "Timesheets API",
          identifier: `https://names.exampleco.com/${(unique += 1)}`,
          scopes: spec.api.permissions.map((p) => ({ value: p.name, description: p.description })),
        });
        expect(created.status, JSON.stringify(spec.api.permissions)).toBe(201);
      }),
      { seed: 2202, numRuns: 120 },
    );
  });

  test("the connection's name", async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(name(128), fc.stringMatching(/^[a-zA-Z0-9-]{1,130}$/)), async (value) => {
        const spec = specWith("connectionName", value);
        if (spec === undefined) return;
        const created = await api(auth0, token, "POST", "/connections", { name: spec.connection.name, strategy: "auth0" });
        // 409: an earlier run made the same name, which Auth0 took.
        expect([201, 409], JSON.stringify(spec.connection.name)).toContain(created.status);
      }),
      { seed: 2203, numRuns: 120 },
    );
  });
});
