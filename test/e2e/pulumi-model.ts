import { isDeepStrictEqual } from "node:util";
import type { TenantSpec } from "../../infra/config/spec";
import type { Auth0StandIn } from "../../local/auth0";
import type { RefreshPreview, RefreshStep, StateWorkspace } from "../../stacks/drift/refresh-preview";
import type { Exec } from "../../stacks/runner-steps/pulumi-cli";
import { managementApi, seedTenant, type SeededTenant } from "./audit-seed";

// The Pulumi CLI's part, played over a local Auth0, for the resources a drift is made on: the
// Timesheets API, the import job and its grant. The real engine cannot run the Auth0 provider
// here (no plugin offline), so this keeps to what Pulumi documents of the three operations a
// fix runs (https://www.pulumi.com/docs/iac/cli/commands/pulumi_up/ and pulumi_refresh/):
// - `up` compares the program's goal state with the stack's *state*, and changes the cloud
//   only where those differ; the state is then the goal;
// - `up --refresh` first reads the cloud into the state, so a change made behind Pulumi's back
//   is seen and undone;
// - a refresh preview compares the state with the cloud and writes nothing.
// What the program declares for each resource is the spec's (the seed's, held to the program by
// test/e2e/seed-matches-program.test.ts); a test may change it, as a user puts a change in the code.

interface Modelled {
  readonly type: string;
  readonly name: string;
  /** The properties compared, as Auth0 answers them. */
  readonly read: () => Promise<Record<string, unknown>>;
  readonly write: (values: Record<string, unknown>) => Promise<void>;
  declared: Record<string, unknown>;
}

/** The ids the state holds for the modelled resources. */
export type ModelIds = Pick<SeededTenant, "resourceServerId" | "importJobClientId" | "importJobGrantId">;

export interface PulumiModel {
  readonly seeded: ModelIds;
  /** The CLI as the runner starts it: `stack select`, `up [--refresh]`, `preview`; every call kept. */
  readonly exec: Exec;
  readonly calls: string[][];
  /** The drift check's refresh preview. */
  readonly workspace: StateWorkspace;
  /** Puts a change in the code: what the program declares for a resource from now on. */
  declare(name: string, values: Record<string, unknown>): void;
  /** The declared values of a resource, as the program has them now. */
  declared(name: string): Record<string, unknown>;
  /** The state, as a backend keeps it between runs of the CLI. */
  readonly state: ReadonlyMap<string, Record<string, unknown>>;
}

const pick = (document: Record<string, unknown>, keys: readonly string[]): Record<string, unknown> =>
  Object.fromEntries(keys.map((key) => [key, document[key]]));

/**
 * Deploys `spec` into the stand-in (the seed; or takes over what a seed already made there) and
 * returns the CLI that manages it from then on.
 */
export async function deployedModel(
  standIn: Auth0StandIn,
  spec: TenantSpec,
  deployed?: ModelIds,
  /** The state a backend kept from an earlier run; what the tenant holds now when absent (a deployment just made). */
  kept?: ReadonlyMap<string, Record<string, unknown>>,
): Promise<PulumiModel> {
  const seeded = deployed ?? (await seedTenant(standIn, spec));
  const api = managementApi(standIn);
  const grantKeys = ["scope"] as const;
  const apiKeys = ["name", "token_lifetime", "allow_offline_access"] as const;
  const resources: Modelled[] = [
    {
      type: "auth0:index/clientGrant:ClientGrant",
      name: "import-job-grant",
      declared: { scope: [...spec.importJob.grant.scopes] },
      read: async () => {
        const grants = (await api("GET", `/client-grants?client_id=${seeded.importJobClientId}`)) as Record<string, unknown>[];
        const grant = grants.find((g) => g.id === seeded.importJobGrantId) ?? {};
        return pick(grant, grantKeys);
      },
      write: async (values) => void (await api("PATCH", `/client-grants/${seeded.importJobGrantId}`, values)),
    },
    {
      type: "auth0:index/resourceServer:ResourceServer",
      name: "timesheets-api",
      declared: { name: spec.api.name, token_lifetime: spec.api.tokenLifetime, allow_offline_access: spec.api.allowOfflineAccess },
      read: async () => pick((await api("GET", `/resource-servers/${seeded.resourceServerId}`)) as Record<string, unknown>, apiKeys),
      write: async (values) => void (await api("PATCH", `/resource-servers/${seeded.resourceServerId}`, values)),
    },
  ];
  const byName = (name: string): Modelled => {
    const found = resources.find((resource) => resource.name === name);
    if (found === undefined) throw new Error(`the model has no resource ${name}`);
    return found;
  };
  const state = new Map<string, Record<string, unknown>>(kept);
  if (kept === undefined) for (const resource of resources) state.set(resource.name, await resource.read());
  const calls: string[][] = [];
  const urn = (resource: Modelled): string => `urn:pulumi:${spec.stack}::timesheets-tenant::${resource.type}::${resource.name}`;

  async function up(refresh: boolean): Promise<void> {
    if (refresh) for (const resource of resources) state.set(resource.name, await resource.read());
    for (const resource of resources) {
      if (!isDeepStrictEqual(state.get(resource.name), resource.declared)) await resource.write(resource.declared);
      state.set(resource.name, { ...resource.declared });
    }
  }

  return {
    seeded,
    calls,
    exec: async (args) => {
      calls.push([...args]);
      if (args[0] === "up") await up(args.includes("--refresh"));
      return 0;
    },
    workspace: {
      async previewRefresh(stack): Promise<RefreshPreview> {
        if (stack !== spec.stack) throw new Error(`the model deploys ${spec.stack}, not ${stack}`);
        const steps: RefreshStep[] = [];
        for (const resource of resources) {
          const live = await resource.read();
          const known = state.get(resource.name) ?? {};
          const properties = Object.keys(live).filter((key) => !isDeepStrictEqual(live[key], known[key]));
          steps.push({ op: properties.length > 0 ? "update" : "same", urn: urn(resource), type: resource.type, properties });
        }
        const changed = steps.filter((step) => step.op === "update").length;
        return { steps, changeSummary: { same: steps.length - changed, ...(changed > 0 ? { update: changed } : {}) } };
      },
    },
    declare: (name, values) => {
      byName(name).declared = { ...values };
    },
    declared: (name) => ({ ...byName(name).declared }),
    state,
  };
}
