import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { loadTenantSpec } from "../../infra/config/load";
import { declareTimesheetsTenant } from "../../infra/program";
import { DECLARED_PROPERTIES, NOT_AUDITED_TYPES, OUTSIDE_THE_TENANT, type Coverage } from "../../stacks/audit/declared";
import { engineConfigFor, listStacks } from "../../stacks/stack-config";
import { runProgram, type RegisteredResource } from "../support/pulumi-program";
import { testPublicPem } from "../support/test-keys";

// The audit's invariant: every property the program declares on an Auth0 object is compared
// (or said why it cannot be). The list is derived from the program itself, run under mocks for
// every stack and for the optional settings no stack file uses yet, so that a property the
// program starts to declare fails here until the audit compares it.

const PASSWORD_OPTIONS = JSON.stringify({
  minLength: 14,
  characterTypes: ["uppercase", "lowercase", "number"],
  dictionary: true,
  history: 5,
});

const withoutKey = (config: Record<string, string>, key: string): Record<string, string> =>
  Object.fromEntries(Object.entries(config).filter(([name]) => name !== key));

/** Every configuration the program can be run with that declares something another does not. */
function configurations(): Array<{ stack: string; config: Record<string, string> }> {
  const stacks = listStacks().map((stack) => ({ stack, config: engineConfigFor(stack) }));
  return [
    ...stacks,
    // RBAC with a test user: the test user's role.
    { stack: "dev", config: { ...engineConfigFor("dev"), "timesheets:rbac": "true" } },
    {
      stack: "dev",
      config: { ...withoutKey(engineConfigFor("dev"), "timesheets:passwordPolicy"), "timesheets:passwordOptions": PASSWORD_OPTIONS },
    },
    {
      stack: "staging",
      config: {
        ...engineConfigFor("staging"),
        "timesheets:importJobAuthMethod": "private_key_jwt",
        "timesheets:importJobPublicKey": testPublicPem(0),
      },
    },
  ];
}

/** An input's leaves: nested objects joined with `.`, lists and scalars as they are. */
function leaves(value: unknown, prefix: string): string[] {
  if (value !== null && typeof value === "object" && !Array.isArray(value)) {
    return Object.entries(value as Record<string, unknown>).flatMap(([key, inner]) =>
      leaves(inner, prefix === "" ? key : `${prefix}.${key}`),
    );
  }
  return [prefix];
}

/** The table entry that covers `leaf`: itself or the nearest enclosing object. */
function coverageOf(table: Readonly<Record<string, Coverage>>, leaf: string): Coverage | undefined {
  for (let key = leaf; key !== ""; key = key.includes(".") ? key.slice(0, key.lastIndexOf(".")) : "") {
    const found = table[key];
    if (found !== undefined) return found;
  }
  return undefined;
}

async function declaredResources(): Promise<RegisteredResource[]> {
  const runs = [];
  for (const { stack, config } of configurations()) {
    runs.push(await runProgram(stack, config, () => declareTimesheetsTenant(loadTenantSpec())));
  }
  return runs.flatMap((run) => run.resources);
}

const CHECKS_DIR = path.join(__dirname, "../../stacks/audit/checks");
const checkSources = readdirSync(CHECKS_DIR).map((file) => readFileSync(path.join(CHECKS_DIR, file), "utf8"));

/**
 * Whether some check can produce `kind`: written out in a check, or made from a client
 * setting's suffix (`<client>.<suffix>`) or a password rule (`connection.password-<rule>`).
 */
function produced(kind: string): boolean {
  if (checkSources.some((source) => source.includes(`"${kind}"`))) return true;
  const client = /^(import-job|integration-test-app|portal-app)\.(.+)$/.exec(kind);
  if (client && checkSources.some((source) => source.includes(`suffix: "${client[2]}"`))) return true;
  const rule = /^connection\.password-(.+)$/.exec(kind);
  return rule !== null && checkSources.some((source) => source.includes(`["${rule[1]}",`));
}

describe("what the program declares is what the audit compares", () => {
  it("every input of every Auth0 resource, in every stack, is compared, used to find the object, or said why it cannot be read", async () => {
    const unlisted = new Set<string>();
    for (const resource of await declaredResources()) {
      if (OUTSIDE_THE_TENANT.test(resource.type) || resource.type in NOT_AUDITED_TYPES) continue;
      const table = DECLARED_PROPERTIES[resource.type];
      for (const leaf of leaves(resource.inputs, "")) {
        if (table === undefined || coverageOf(table, leaf) === undefined) unlisted.add(`${resource.type} ${leaf}`);
      }
    }
    expect([...unlisted].sort()).toEqual([]);
  });

  it("the user access policy, both clients' settings and the user grant are among them (the second round's findings)", async () => {
    const resources = await declaredResources();
    const paths = new Set(resources.flatMap((r) => leaves(r.inputs, "").map((leaf) => `${r.type} ${leaf}`)));
    expect(paths).toContain("auth0:index/resourceServer:ResourceServer subjectTypeAuthorization.user.policy");
    expect(paths).toContain("auth0:index/client:Client callbacks");
    expect(paths).toContain("auth0:index/clientGrant:ClientGrant subjectType");
  });

  it("every finding kind the list names is one a check produces", () => {
    const kinds = Object.values(DECLARED_PROPERTIES).flatMap((table) =>
      Object.values(table).flatMap((coverage) => ("compared" in coverage ? coverage.compared : [])),
    );
    expect(kinds.filter((kind) => !produced(kind))).toEqual([]);
  });
});
