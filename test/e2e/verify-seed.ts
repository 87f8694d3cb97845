import type { TenantSpec } from "../../infra/config/spec";
import { main } from "../../stacks/verify/main";
import type { StackOutputs } from "../../stacks/verify/stack-outputs";
import type { Auth0StandIn } from "../../local/auth0";
import { seedTenant, TEST_USER_PASSWORD, type SeededTenant } from "./audit-seed";

export { managementApi } from "./audit-seed";

export interface VerifySeed {
  /** The stack's outputs as `pulumi up` would have left them. */
  readonly outputs: StackOutputs;
  readonly resourceServerId: string;
  readonly importJobGrantId: string;
  /** The integration-test application's user grant; undefined without a test user. */
  readonly testUserGrantId: string | undefined;
  /** The developer portal application's user grant; undefined without a developer portal. */
  readonly portalGrantId: string | undefined;
  /** The test user's role and user (RBAC stacks); undefined otherwise. */
  readonly testUserRole: SeededTenant["testUserRole"];
}

/** The tenant as the program leaves it for `spec` (the one seed), and the stack's outputs as `pulumi up` would have left them. */
export async function seedForVerify(standIn: Auth0StandIn, spec: TenantSpec): Promise<VerifySeed> {
  const seeded = await seedTenant(standIn, spec);
  const importJob = standIn.tenant.clients.get(seeded.importJobClientId);
  if (!importJob) throw new Error("the seed left no import job");
  const outputs: Record<string, unknown> = {
    audience: spec.api.identifier,
    importJobClientId: seeded.importJobClientId,
    importJobClientSecret: importJob.client_secret,
    connectionName: spec.connection.name,
    ...(seeded.testApp === undefined
      ? {}
      : { testClientId: seeded.testApp.clientId, testClientSecret: seeded.testApp.clientSecret, testUserPassword: TEST_USER_PASSWORD }),
    ...(seeded.portalApp === undefined
      ? {}
      : { portalClientId: seeded.portalApp.clientId, portalClientSecret: seeded.portalApp.clientSecret }),
  };
  return {
    outputs,
    resourceServerId: seeded.resourceServerId,
    importJobGrantId: seeded.importJobGrantId,
    testUserGrantId: seeded.testApp?.grantId,
    portalGrantId: seeded.portalApp?.grantId,
    testUserRole: seeded.testUserRole,
  };
}

export interface VerifyRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `npm run verify -- <args>` in-process. */
export async function runVerify(
  args: readonly string[],
  io: { env?: Record<string, string>; fetch?: typeof fetch; readOutputs?: (stack: string) => Promise<StackOutputs>; root?: string },
): Promise<VerifyRun> {
  let stdout = "";
  let stderr = "";
  const code = await main(args, {
    env: io.env ?? {},
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text) },
    fetch: io.fetch,
    readOutputs: io.readOutputs,
    root: io.root,
  });
  return { code, stdout, stderr };
}
