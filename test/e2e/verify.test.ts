import { generateKeyPairSync } from "node:crypto";
import { afterAll, beforeAll, beforeEach, describe, expect, test } from "vitest";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { parse, stringify } from "yaml";
import { loadStackSpec, stackFilePath } from "../../stacks/stack-config";
import type { VerifyReport } from "../../stacks/verify/report";
import { type Auth0StandIn } from "../../local/auth0";
import { startAuth0StandIn } from "../support/stand-in";
import { startGatewayServer, type GatewayServer } from "../../local/apim/gateway-server";
import { tenantsFetch } from "../support/validate-jwt/gateway-fixture";
import { managementApi, runVerify, seedForVerify, type VerifySeed } from "./verify-seed";

// Deploys nothing: the stand-in is seeded as the program leaves the dev tenant, a local gateway
// serves dev's rendered policies, and verify runs against both as it would after `npm run up`.

const spec = loadStackSpec("dev");
let standIn: Auth0StandIn;
let gateway: GatewayServer;
let seed: VerifySeed;

/** Verify's view of the network: the tenant's domain is the stand-in, 127.0.0.1 is the local gateway, nothing else. */
function verifyFetch(): typeof fetch {
  const tenant = tenantsFetch(standIn);
  return (input, init) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    if (url.hostname === "127.0.0.1") return fetch(input, init);
    return tenant(input, init);
  };
}

async function verify(against: GatewayServer = gateway, format = "json") {
  const run = await runVerify(["--stack", "dev", "--format", format], {
    env: { VERIFY_GATEWAY_URL: against.url },
    fetch: verifyFetch(),
    readOutputs: (stack) => (stack === "dev" ? Promise.resolve(seed.outputs) : Promise.reject(new Error(`no stack ${stack}`))),
  });
  return { ...run, report: format === "json" ? (JSON.parse(run.stdout) as VerifyReport) : undefined };
}

const failing = (report: VerifyReport | undefined): string[] =>
  (report?.stacks ?? []).flatMap((stack) => stack.rows.filter((row) => !row.pass).map((row) => row.check));

beforeAll(async () => {
  standIn = await startAuth0StandIn({ domain: spec.tenant.domain });
  gateway = await startGatewayServer({ spec, fetch: tenantsFetch(standIn) });
});

afterAll(async () => {
  await Promise.all([standIn?.close(), gateway?.close()]);
});

beforeEach(async () => {
  standIn.reset();
  seed = await seedForVerify(standIn, spec);
});

describe("verify against the dev tenant as the program leaves it", () => {
  test("every check passes and verify exits 0", async () => {
    const { code, report, stderr } = await verify();
    expect(stderr).toBe("");
    expect(failing(report)).toEqual([]);
    expect(code).toBe(0);
    const checks = report?.stacks[0]?.rows.map((row) => row.check) ?? [];
    // The three subjects of the issue: the import job, the test user and the gateway, each operation.
    expect(checks).toEqual(expect.arrayContaining(["import-job.scope", "import-job.least-privilege", "test-user.scope", "test-user.azp"]));
    // dev has a developer portal: its application authenticates, may exchange codes, and may do nothing else.
    expect(checks).toEqual(
      expect.arrayContaining(["developer-portal.code-exchange", "developer-portal.no-client-credentials", "developer-portal.no-password"]),
    );
    // Auth0 refuses a request for a permission outside the grant; verify sees the refusal as the pass.
    const leastPrivilege = report?.stacks[0]?.rows.find((row) => row.check === "import-job.least-privilege");
    expect(leastPrivilege).toMatchObject({ pass: true, actual: "each refused: 403 access_denied" });
    for (const operation of spec.gateway?.operations ?? []) {
      expect(checks).toEqual(
        expect.arrayContaining([
          `gateway.no-token.${operation.id}`,
          `gateway.import-job.${operation.id}`,
          `gateway.test-user.${operation.id}`,
        ]),
      );
    }
    // What passed the gateway reached the backend: the import job's upload and the test user's reads, nothing else.
    const reached = gateway.backendRequests.map((request) => `${request.method} ${request.path.replace(/\/[^/]*verify[^/]*$/, "/{id}")}`);
    expect(new Set(reached)).toEqual(new Set(["POST /timesheets/upload", "GET /timesheets", "GET /timesheets/{id}"]));
  });

  test("the output carries claims, never a secret or a token", async () => {
    for (const format of ["text", "markdown", "json"]) {
      const { stdout } = await verify(gateway, format);
      const secrets = [
        seed.outputs.importJobClientSecret,
        seed.outputs.testClientSecret,
        seed.outputs.testUserPassword,
        seed.outputs.portalClientSecret,
      ];
      for (const secret of secrets) {
        expect(stdout).not.toContain(String(secret));
      }
      expect(stdout).not.toMatch(/eyJ[\w-]+\.[\w-]+\.[\w-]+/);
    }
  });

  test("the Markdown report is a table per stack, for the job summary", async () => {
    const { stdout, code } = await verify(gateway, "markdown");
    expect(code).toBe(0);
    expect(stdout).toContain("### ✅ dev: all checks pass");
    expect(stdout).toContain("| ✅ pass | import-job.scope | exactly batch:upload | ` batch:upload ` |");
  });
});

describe("each deliberate break makes verify exit 2, naming the failing check", () => {
  test("a widened import-job grant", async () => {
    await managementApi(standIn)("PATCH", `/client-grants/${seed.importJobGrantId}`, { scope: ["batch:upload", "approve:timesheets"] });
    const { code, report } = await verify();
    expect(code).toBe(2);
    expect(failing(report)).toEqual(
      expect.arrayContaining(["import-job.scope", "import-job.least-privilege", "gateway.import-job.approve-timesheet"]),
    );
    // The other permissions are still refused; only the one the grant gained is issued.
    const leastPrivilege = report?.stacks[0]?.rows.find((row) => row.check === "import-job.least-privilege");
    expect(leastPrivilege?.actual).toBe("approve:timesheets: issued with it");
  });

  test("a missing permission", async () => {
    const remaining = spec.api.permissions
      .filter((p) => p.name !== "read:timesheets")
      .map((p) => ({ value: p.name, description: p.description }));
    await managementApi(standIn)("PATCH", `/resource-servers/${seed.resourceServerId}`, { scopes: remaining });
    const { code, report } = await verify();
    expect(code).toBe(2);
    expect(failing(report)).toEqual(expect.arrayContaining(["test-user.scope", "gateway.test-user.list-timesheets"]));
  });

  test("a test user given approve:timesheets", async () => {
    await managementApi(standIn)("PATCH", `/client-grants/${seed.testUserGrantId ?? ""}`, {
      scope: ["read:timesheets", "approve:timesheets"],
    });
    const { code, report } = await verify();
    expect(code).toBe(2);
    expect(failing(report)).toEqual(["test-user.scope", "gateway.test-user.approve-timesheet"]);
  });

  test("the developer portal's application given the password grant, or its secret changed outside the stack", async () => {
    const portalClientId = String(seed.outputs.portalClientId);
    await managementApi(standIn)("PATCH", `/clients/${portalClientId}`, {
      grant_types: ["authorization_code", "http://auth0.com/oauth/grant-type/password-realm"],
    });
    const widened = await verify();
    expect(widened.code).toBe(2);
    expect(failing(widened.report)).toEqual(["developer-portal.no-password"]);
    await managementApi(standIn)("PATCH", `/clients/${portalClientId}`, {
      grant_types: ["authorization_code"],
      client_secret: "x".repeat(64),
    });
    const rotated = await verify();
    expect(rotated.code).toBe(2);
    // The secret API Management holds no longer authenticates: no code could be exchanged. (That it
    // gets no token of its own, nor a password sign-in, is still true: those checks pass.)
    expect(failing(rotated.report)).toEqual(["developer-portal.code-exchange"]);
  });

  test("a gateway policy that lets every token through", async () => {
    const open = await startGatewayServer({
      spec,
      fetch: tenantsFetch(standIn),
      // Every rule of the API's policy gone: only the inherited scopes run, and they check nothing.
      edit: () =>
        "<policies><inbound><base /></inbound><backend><base /></backend><outbound><base /></outbound><on-error><base /></on-error></policies>",
    });
    try {
      const { code, report } = await verify(open);
      expect(code).toBe(2);
      const failed = failing(report);
      expect(failed.every((check) => check.startsWith("gateway."))).toBe(true);
      expect(failed).toEqual(expect.arrayContaining(["gateway.no-token.upload-timesheets", "gateway.import-job.list-timesheets"]));
    } finally {
      await open.close();
    }
  });

  test("a token lifetime changed in the tenant", async () => {
    await managementApi(standIn)("PATCH", `/resource-servers/${seed.resourceServerId}`, { token_lifetime: spec.api.tokenLifetime + 600 });
    const { code, report } = await verify();
    expect(code).toBe(2);
    expect(failing(report)).toEqual(["import-job.lifetime", "test-user.lifetime"]);
  });
});

describe("verify against the staging tenant (RFC 9068 profile) as the program leaves it", () => {
  test("every check passes, the client claim being client_id", async () => {
    const staging = loadStackSpec("staging");
    const tenant = await startAuth0StandIn({ domain: staging.tenant.domain });
    const stagingGateway = await startGatewayServer({ spec: staging, fetch: tenantsFetch(tenant) });
    try {
      const seeded = await seedForVerify(tenant, staging);
      const toTenant = tenantsFetch(tenant);
      const run = await runVerify(["--stack", "staging", "--format", "json"], {
        env: { VERIFY_GATEWAY_URL: stagingGateway.url },
        fetch: (input, init) => (new URL(String(input)).hostname === "127.0.0.1" ? fetch(input, init) : toTenant(input, init)),
        readOutputs: () => Promise.resolve(seeded.outputs),
      });
      const report = JSON.parse(run.stdout) as VerifyReport;
      expect(failing(report)).toEqual([]);
      expect(run.code).toBe(0);
      expect(report.stacks[0]?.rows.map((row) => row.check)).toEqual(
        expect.arrayContaining(["import-job.client_id", "test-user.client_id"]),
      );
    } finally {
      await Promise.all([tenant.close(), stagingGateway.close()]);
    }
  });
});

describe("verify with a private_key_jwt import job", () => {
  test("signs its client assertion with the key from a variable; no secret is involved", async () => {
    const { publicKey, privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    const publicPem = publicKey.export({ type: "spki", format: "pem" }).toString();
    // A staging stack file whose import job authenticates with private_key_jwt.
    const root = mkdtempSync(path.join(tmpdir(), "verify-keyed-"));
    const file = parse(readFileSync(stackFilePath("staging"), "utf8")) as { config: Record<string, unknown> };
    file.config["timesheets:importJobAuthMethod"] = "private_key_jwt";
    file.config["timesheets:importJobPublicKey"] = publicPem;
    writeFileSync(stackFilePath("staging", root), stringify(file));
    const keyed = loadStackSpec("staging", root);
    const tenant = await startAuth0StandIn({ domain: keyed.tenant.domain });
    const keyedGateway = await startGatewayServer({ spec: keyed, fetch: tenantsFetch(tenant) });
    try {
      const seeded = await seedForVerify(tenant, keyed);
      const jobId = String(seeded.outputs.importJobClientId);
      const management = managementApi(tenant);
      const credential = (await management("POST", `/clients/${jobId}/credentials`, {
        credential_type: "public_key",
        pem: publicPem,
        alg: "RS256",
      })) as { id: string };
      await management("PATCH", `/clients/${jobId}`, {
        client_authentication_methods: { private_key_jwt: { credentials: [{ id: credential.id }] } },
      });
      const { importJobClientSecret: _unused, ...outputs } = seeded.outputs;
      const toTenant = tenantsFetch(tenant);
      const run = await runVerify(["--stack", "staging", "--format", "json"], {
        env: {
          VERIFY_GATEWAY_URL: keyedGateway.url,
          VERIFY_IMPORT_JOB_PRIVATE_KEY: privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
        },
        fetch: (input, init) => (new URL(String(input)).hostname === "127.0.0.1" ? fetch(input, init) : toTenant(input, init)),
        readOutputs: () => Promise.resolve(outputs),
        root,
      });
      const report = JSON.parse(run.stdout) as VerifyReport;
      expect(report.stacks[0]?.rows.find((row) => row.check === "import-job.token")).toMatchObject({ pass: true, actual: "issued" });
      expect(failing(report)).toEqual([]);
      expect(run.code).toBe(0);
    } finally {
      await Promise.all([tenant.close(), keyedGateway.close()]);
    }
  });
});
