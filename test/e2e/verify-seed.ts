import type { TenantSpec } from "../../infra/config/spec";
import { main } from "../../stacks/verify/main";
import type { StackOutputs } from "../../stacks/verify/stack-outputs";
import type { Auth0StandIn } from "../../local/auth0";
import { seedTenant, TEST_USER_PASSWORD } from "./audit-seed";

/** The Management API of a stand-in, with every permission: how a test changes the tenant as an operator would. */
export function managementApi(standIn: Auth0StandIn) {
  return async (method: string, path: string, body?: unknown): Promise<unknown> => {
    const token = await standIn.managementToken();
    const response = await standIn.fetch(`https://${standIn.domain}/api/v2${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${text}`);
    return text === "" ? undefined : (JSON.parse(text) as unknown);
  };
}

export interface VerifySeed {
  /** The stack's outputs as `pulumi up` would have left them. */
  readonly outputs: StackOutputs;
  readonly resourceServerId: string;
  readonly importJobGrantId: string;
  /** The integration-test application's user grant; undefined without a test user. */
  readonly testUserGrantId: string | undefined;
}

/**
 * The tenant as the program leaves it for `spec`: the audit's seed (API, import job, grant,
 * connection, test user) plus, where the stack has a test user, the integration-test
 * application, its user grant, its place on the connection and the API's user access policy.
 */
export async function seedForVerify(standIn: Auth0StandIn, spec: TenantSpec): Promise<VerifySeed> {
  const seeded = await seedTenant(standIn, spec);
  const api = standIn.tenant.resourceServerByIdentifier(spec.api.identifier);
  const importJob = standIn.tenant.clients.get(seeded.importJobClientId);
  const importJobGrant = standIn.tenant.grantFor(seeded.importJobClientId, spec.api.identifier);
  if (!api || !importJob || !importJobGrant) throw new Error("the audit seed left no API, import job or grant");
  const outputs: Record<string, unknown> = {
    audience: spec.api.identifier,
    importJobClientId: seeded.importJobClientId,
    importJobClientSecret: importJob.client_secret,
    connectionName: spec.connection.name,
  };
  const testUser = spec.testUser;
  if (testUser === undefined) return { outputs, resourceServerId: api.id, importJobGrantId: importJobGrant.id, testUserGrantId: undefined };

  const management = managementApi(standIn);
  if (spec.api.userPolicy !== undefined) {
    await management("PATCH", `/resource-servers/${api.id}`, {
      subject_type_authorization: { client: { policy: spec.api.clientPolicy }, user: { policy: spec.api.userPolicy } },
    });
  }
  const { application } = testUser;
  const app = await standIn.createClient({
    name: application.name,
    description: application.description,
    app_type: application.appType,
    grant_types: [...application.grantTypes],
    is_first_party: true,
    oidc_conformant: true,
    token_endpoint_auth_method: application.authMethod,
    jwt_configuration: { alg: application.jwtAlg },
  });
  const grant = await standIn.createClientGrant({
    client_id: app.client_id,
    audience: application.grant.audience,
    scope: [...application.grant.scopes],
    subject_type: application.grant.subjectType,
  });
  await management("PATCH", `/connections/${seeded.connectionId}/clients`, [{ client_id: app.client_id, status: true }]);
  return {
    outputs: { ...outputs, testClientId: app.client_id, testClientSecret: app.client_secret, testUserPassword: TEST_USER_PASSWORD },
    resourceServerId: api.id,
    importJobGrantId: importJobGrant.id,
    testUserGrantId: grant.id,
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
