import { readdirSync } from "node:fs";
import * as pulumi from "@pulumi/pulumi";
import type * as random from "@pulumi/random";
import { describe, expect, test } from "vitest";
import { loadTenantSpec } from "../../infra/config/load";
import { DEFAULT_PERMISSIONS } from "../../infra/config/permissions";
import { declareTimesheetsTenant } from "../../infra/program";
import { engineConfigFor, listStacks, loadStackSpec, REPO_ROOT } from "../../stacks/stack-config";
import { testPublicPem } from "../support/test-keys";
import { runFailingProgram, runProgram, secretInput, valueOf, type ProgramRun, type RegisteredResource } from "../support/pulumi-program";

const T = {
  provider: "pulumi:providers:auth0",
  resourceServer: "auth0:index/resourceServer:ResourceServer",
  scopes: "auth0:index/resourceServerScopes:ResourceServerScopes",
  client: "auth0:index/client:Client",
  credentials: "auth0:index/clientCredentials:ClientCredentials",
  grant: "auth0:index/clientGrant:ClientGrant",
  connection: "auth0:index/connection:Connection",
  connectionClients: "auth0:index/connectionClients:ConnectionClients",
  user: "auth0:index/user:User",
  password: "random:index/randomPassword:RandomPassword",
  role: "auth0:index/role:Role",
  rolePermissions: "auth0:index/rolePermissions:RolePermissions",
  userRoles: "auth0:index/userRoles:UserRoles",
};

/** One resource by logical name: dev and staging declare two clients, two credentials and two grants. */
function named(program: ProgramRun<unknown>, name: string): RegisteredResource {
  const found = program.resources.find((resource) => resource.name === name);
  if (found === undefined) throw new Error(`no resource named ${name}`);
  return found;
}

/** The value the random provider generated for a RandomPassword of the program. */
function generated(program: ProgramRun<unknown>, name: string): Promise<string> {
  return valueOf((named(program, name).resource as random.RandomPassword).result);
}

function runWith(stack: string, config: Record<string, string>, secretKeys: string[] = []) {
  return runProgram(stack, config, () => declareTimesheetsTenant(loadTenantSpec()), { secretKeys });
}

// A committed stack runs once per file, as it is committed; the tests only read the recording.
const committedRuns = new Map<string, ReturnType<typeof runWith>>();
function run(stack: string): ReturnType<typeof runWith> {
  const cached = committedRuns.get(stack) ?? runWith(stack, engineConfigFor(stack));
  committedRuns.set(stack, cached);
  return cached;
}

test("every stack file beside Pulumi.yaml is a stack the tests run over", () => {
  // Any name at all, so that a file the stack list would skip (a dot, a space) is caught here.
  const files = readdirSync(REPO_ROOT).filter((file) => /^Pulumi\..+\.ya?ml$/.test(file) && file !== "Pulumi.yaml");
  expect(files.sort()).toEqual(listStacks().map((stack) => `Pulumi.${stack}.yaml`));
  expect(listStacks().length).toBeGreaterThan(0);
});

describe.each(listStacks())("the %s stack", (stack) => {
  const spec = loadStackSpec(stack);

  test("talks to its own tenant through one explicit Auth0 provider", async () => {
    const program = await run(stack);
    expect(program.one(T.provider).inputs.domain).toBe(spec.tenant.domain);
    const auth0Resources = program.resources.filter((r) => r.type.startsWith("auth0:"));
    const expected = [T.resourceServer, T.scopes, T.client, T.credentials, T.grant, T.connection, T.connectionClients];
    // A test user comes with the integration-test application: a client, its credentials and its user grant.
    const testUserResources = spec.testUser === undefined ? [] : [T.user, T.client, T.credentials, T.grant];
    // The developer portal comes with its application: a client, its credentials and its user grant.
    const portalResources = spec.gateway?.developerPortal === undefined ? [] : [T.client, T.credentials, T.grant];
    expect(auth0Resources.map((r) => r.type).sort()).toEqual([...expected, ...testUserResources, ...portalResources].sort());
    for (const resource of auth0Resources) expect(resource.provider, resource.name).toContain("::auth0::");
  });

  test("declares the Timesheets API with its identifier, RS256 and the stack's token settings", async () => {
    const program = await run(stack);
    const api = program.one(T.resourceServer);
    expect(api.inputs).toMatchObject({
      name: "Timesheets API",
      identifier: spec.api.identifier,
      signingAlg: "RS256",
      tokenDialect: spec.api.tokenProfile === "auth0" ? "access_token" : "rfc9068_profile",
      enforcePolicies: false,
      tokenLifetime: spec.api.tokenLifetime,
      allowOfflineAccess: false,
      subjectTypeAuthorization: { client: { policy: "require_client_grant" } },
    });
    // Auth0 never changes an identifier in place: a new one must preview as a replacement.
    expect(api.replaceOnChanges).toContain("identifier");
    // An HS256 API's signing secret would otherwise sit in state in plain text.
    expect(api.additionalSecretOutputs).toContain("signingSecret");
    expect(api.parentName).toBe("timesheets-api");
  });

  test("a new identifier replaces the API, its permissions and the grants on it new-first, so the old API serves until the new one exists", async () => {
    const program = await run(stack);
    // Every Auth0 resource whose inputs name the identifier is replaced with it (Auth0 changes none in place).
    const carriers = program.resources.filter(
      (r) => r.type.startsWith("auth0:") && JSON.stringify(r.inputs).includes(JSON.stringify(spec.api.identifier)),
    );
    expect(carriers.map((r) => r.type).sort()).toEqual(
      [
        T.resourceServer,
        T.scopes,
        T.grant,
        ...(spec.testUser === undefined ? [] : [T.grant]),
        ...(spec.gateway?.developerPortal === undefined ? [] : [T.grant]),
      ].sort(),
    );
    // Explicitly false: left unset, the bridge deletes first wherever a name is set.
    for (const resource of carriers) expect(resource.deleteBeforeReplace, resource.name).toBe(false);
  });

  test("declares the five permissions as one authoritative set on that API", async () => {
    const program = await run(stack);
    expect(program.ofType("auth0:index/resourceServerScope:ResourceServerScope")).toHaveLength(0);
    const scopes = program.one(T.scopes);
    expect(scopes.inputs.resourceServerIdentifier).toBe(spec.api.identifier);
    expect(scopes.inputs.scopes).toEqual(DEFAULT_PERMISSIONS.map((p) => ({ name: p.name, description: p.description })));
  });

  test("declares the import job as a machine-to-machine client with no browser surface", async () => {
    const program = await run(stack);
    expect(named(program, "import-job-client").inputs).toEqual({
      name: "Timesheets Import Job",
      description: expect.stringContaining("timesheets") as unknown,
      appType: "non_interactive",
      grantTypes: ["client_credentials"],
      isFirstParty: true,
      oidcConformant: true,
      jwtConfiguration: { alg: "RS256" },
      callbacks: [],
      allowedOrigins: [],
      webOrigins: [],
      allowedLogoutUrls: [],
    });
    expect(named(program, "import-job-credentials").inputs).toEqual({
      clientId: "import-job-client-client-id",
      authenticationMethod: "client_secret_post",
      clientSecret: expect.anything() as unknown,
    });
    expect(secretInput(named(program, "import-job-credentials").inputs.clientSecret)).toEqual({
      secret: true,
      value: await generated(program, "import-job-client-secret"),
    });
  });

  test("grants the import job batch:upload on the API and nothing else", async () => {
    const program = await run(stack);
    expect(named(program, "import-job-grant").inputs).toEqual({
      clientId: "import-job-client-client-id",
      audience: spec.api.identifier,
      scopes: ["batch:upload"],
      subjectType: "client",
    });
  });

  test("declares the user store enabled for the import job and, with a test user, the integration-test application, with the developer portal, its application", async () => {
    const program = await run(stack);
    expect(program.one(T.connection).inputs).toEqual({
      name: "timesheets-users",
      strategy: "auth0",
      options: { passwordPolicy: spec.connection.passwordPolicy, bruteForceProtection: true, disableSignup: true },
    });
    expect(program.one(T.connectionClients).inputs).toEqual({
      connectionId: "user-store-connection-id",
      enabledClients: [
        "import-job-client-client-id",
        ...(spec.testUser === undefined ? [] : ["integration-test-client-client-id"]),
        ...(spec.gateway?.developerPortal === undefined ? [] : ["developer-portal-client-client-id"]),
      ],
    });
  });

  test("exports what clients need, with the client secret as a secret", async () => {
    const program = await run(stack);
    const { outputs } = program;
    expect(await valueOf(outputs.audience)).toBe(spec.api.identifier);
    expect(outputs.issuer).toBe(`https://${spec.tenant.domain}/`);
    expect(outputs.tokenEndpoint).toBe(`https://${spec.tenant.domain}/oauth/token`);
    expect(await valueOf(outputs.importJobClientId)).toBe("import-job-client-client-id");
    expect(await valueOf(outputs.connectionName)).toBe("timesheets-users");
    expect(await pulumi.isSecret(outputs.importJobClientSecret)).toBe(true);
    // The secret the program owns, not the provider's read of it.
    expect(await valueOf(outputs.importJobClientSecret)).toBe(await generated(program, "import-job-client-secret"));
  });
});

describe("environments", () => {
  test("prod protects the resource server and the connection, and nothing else", async () => {
    const program = await run("prod");
    const protectedTypes = program.resources
      .filter((r) => r.protect)
      .map((r) => r.type)
      .sort();
    expect(protectedTypes).toEqual([T.connection, T.resourceServer]);
  });

  test.each(listStacks().filter((stack) => !loadStackSpec(stack).protect))("%s protects nothing, so it can be torn down", async (stack) => {
    const program = await run(stack);
    expect(program.resources.filter((r) => r.protect)).toEqual([]);
  });

  test("prod declares no test user", async () => {
    const program = await run("prod");
    expect(program.ofType(T.user)).toHaveLength(0);
    expect(program.outputs.testUserPassword).toBeUndefined();
  });

  test("dev declares a test user with a generated password that stays secret", async () => {
    const program = await run("dev");
    const user = program.one(T.user);
    expect(user.inputs).toMatchObject({
      connectionName: "timesheets-users",
      email: "timesheets-test@dev.exampleco.com",
      // A deliberate display name, never Pulumi's auto-name ("user-store-test-user-8d28f0c").
      name: "Timesheets Test User",
      emailVerified: true,
      verifyEmail: false,
    });
    expect(named(program, "user-store-test-user-password").inputs).toMatchObject({ length: 32, special: true });
    const password = program.outputs.testUserPassword;
    expect(password).toBeDefined();
    expect(await pulumi.isSecret(password as pulumi.Output<string>)).toBe(true);
    expect(secretInput(user.inputs.password)).toEqual({ secret: true, value: await generated(program, "user-store-test-user-password") });
  });

  test("a generated test user password is as long as the connection's passwordOptions.minLength asks, above 32", async () => {
    const config = { ...engineConfigFor("dev"), "timesheets:passwordOptions": JSON.stringify({ minLength: 48 }) };
    delete (config as Record<string, string>)["timesheets:passwordPolicy"];
    const program = await runWith("dev", config);
    expect(named(program, "user-store-test-user-password").inputs).toMatchObject({ length: 48 });
    expect((await generated(program, "user-store-test-user-password")).length).toBeGreaterThanOrEqual(48);
  });

  test("a test user address written in capitals is declared in lower case, as Auth0 keeps it", async () => {
    const program = await runWith("dev", { ...engineConfigFor("dev"), "timesheets:testUserEmail": "Timesheets-Test@QA3.ExampleCo.com" });
    expect(program.one(T.user).inputs.email).toBe("timesheets-test@qa3.exampleco.com");
  });

  test("a configured test user password is used as a secret and nothing is generated", async () => {
    const config = { ...engineConfigFor("dev"), "timesheets:testUserPassword": "Configured-Passw0rd!" };
    const program = await runWith("dev", config, ["timesheets:testUserPassword"]);
    expect(program.ofType(T.password).map((r) => r.name)).not.toContain("user-store-test-user-password");
    expect(secretInput(program.one(T.user).inputs.password)).toEqual({ secret: true, value: "Configured-Passw0rd!" });
    const password = program.outputs.testUserPassword as pulumi.Output<string>;
    expect(await pulumi.isSecret(password)).toBe(true);
  });

  test("RBAC selects the _authz dialect and enforces policies", async () => {
    const program = await runWith("staging", { ...engineConfigFor("staging"), "timesheets:rbac": "true" });
    expect(program.one(T.resourceServer).inputs).toMatchObject({ tokenDialect: "rfc9068_profile_authz", enforcePolicies: true });
  });

  test("RBAC with a test user: a role holding the test user's permissions on the API, assigned to the test user", async () => {
    const permissions = ["read:timesheets", "create:timesheets"];
    const config = { ...engineConfigFor("dev"), "timesheets:rbac": "true", "timesheets:testUserPermissions": JSON.stringify(permissions) };
    const program = await runWith("dev", config);
    const spec = loadStackSpec("dev");
    const role = program.one(T.role);
    expect(role.inputs).toEqual({ name: "Timesheets Test User", description: expect.stringContaining("RBAC") as unknown });
    expect(program.one(T.rolePermissions).inputs).toEqual({
      roleId: "test-user-role-role-id",
      permissions: permissions.map((name) => ({ name, resourceServerIdentifier: spec.api.identifier })),
    });
    expect(program.one(T.userRoles).inputs).toEqual({ userId: "user-store-test-user-id", roles: ["test-user-role-role-id"] });
    // The user's token also passes through the application's user grant: the same permissions there.
    expect(named(program, "integration-test-grant").inputs.scopes).toEqual(permissions);
  });

  test("no role without RBAC, and none without a test user", async () => {
    expect((await run("dev")).ofType(T.role)).toEqual([]);
    const prodRbac = await runWith("prod", { ...engineConfigFor("prod"), "timesheets:rbac": "true" });
    expect([T.role, T.rolePermissions, T.userRoles].flatMap((type) => prodRbac.ofType(type))).toEqual([]);
  });

  // Each call a key no earlier call gave.
  let keysUsed = 0;
  const newPublicKey = () => testPublicPem(keysUsed++);
  const withKeys = (keys: Record<string, string>) => ({
    ...engineConfigFor("staging"),
    "timesheets:importJobAuthMethod": "private_key_jwt",
    ...Object.fromEntries(Object.entries(keys).map(([key, pem]) => [`timesheets:${key}`, pem])),
  });
  const credentialsOf = async (config: Record<string, string>) =>
    named(await runWith("staging", config), "import-job-credentials").inputs as {
      privateKeyJwt: { credentials: { name: string; pem: string }[] };
    };

  test("private_key_jwt registers the public key and exports no secret", async () => {
    const publicKey = newPublicKey();
    const program = await runWith("staging", withKeys({ importJobPublicKey: publicKey }));
    expect(named(program, "import-job-credentials").inputs).toEqual({
      clientId: "import-job-client-client-id",
      authenticationMethod: "private_key_jwt",
      privateKeyJwt: {
        credentials: [
          {
            name: expect.stringMatching(/^import-job-[0-9a-f]{16}$/) as unknown,
            credentialType: "public_key",
            pem: publicKey.trim(),
            algorithm: "RS256",
          },
        ],
      },
    });
    expect(await valueOf(program.outputs.importJobClientSecret)).toBeUndefined();
  });

  test("a key rotation registers both keys, and the key that stays keeps its credential's name", async () => {
    const [current, next] = [newPublicKey(), newPublicKey()];
    const during = await credentialsOf(withKeys({ importJobPublicKey: current, importJobNextPublicKey: next }));
    expect(during.privateKeyJwt.credentials.map((c) => c.pem)).toEqual([current.trim(), next.trim()]);
    const after = await credentialsOf(withKeys({ importJobPublicKey: next }));
    expect(after.privateKeyJwt.credentials).toEqual([during.privateKeyJwt.credentials[1]]);
  });

  test("the same key twice is not a rotation", async () => {
    const key = newPublicKey();
    const config = withKeys({ importJobPublicKey: key, importJobNextPublicKey: key.replace(/\n/g, "\r\n") });
    const { error, registeredCount } = await runFailingProgram("staging", config, () => declareTimesheetsTenant(loadTenantSpec()));
    expect((error as Error).message).toMatch(/timesheets:importJobNextPublicKey: is the same key as importJobPublicKey/);
    expect(registeredCount).toBe(0);
  });

  test("sign-ups follow allowSignups", async () => {
    const program = await runWith("dev", { ...engineConfigFor("dev"), "timesheets:allowSignups": "true" });
    expect(program.one(T.connection).inputs).toMatchObject({ options: { disableSignup: false } });
  });
});

describe("the integration-test application", () => {
  test.each(["dev", "staging"])(
    "%s declares it: password-realm only, a user grant for the test user's permissions, a secret",
    async (stack) => {
      const program = await run(stack);
      const spec = loadStackSpec(stack);
      expect(named(program, "integration-test-client").inputs).toMatchObject({
        name: "Timesheets Integration Test",
        appType: "regular_web",
        grantTypes: ["http://auth0.com/oauth/grant-type/password-realm"],
        isFirstParty: true,
        callbacks: [],
        webOrigins: [],
      });
      expect(named(program, "integration-test-grant").inputs).toEqual({
        clientId: "integration-test-client-client-id",
        audience: spec.api.identifier,
        scopes: ["read:timesheets"],
        subjectType: "user",
      });
      expect(program.one(T.resourceServer).inputs).toMatchObject({
        subjectTypeAuthorization: { client: { policy: "require_client_grant" }, user: { policy: "require_client_grant" } },
      });
      const secret = program.outputs.testClientSecret;
      expect(secret).toBeDefined();
      expect(await pulumi.isSecret(secret as pulumi.Output<string>)).toBe(true);
    },
  );

  test("testUserPermissions sets the user grant", async () => {
    const program = await runWith("dev", {
      ...engineConfigFor("dev"),
      "timesheets:testUserPermissions": '["read:timesheets","create:timesheets"]',
    });
    expect(named(program, "integration-test-grant").inputs.scopes).toEqual(["read:timesheets", "create:timesheets"]);
  });

  test("prod declares none, and leaves the API's user access policy alone", async () => {
    const program = await run("prod");
    expect(program.resources.map((resource) => resource.name)).not.toContain("integration-test-client");
    expect(program.outputs.testClientId).toBeUndefined();
    const authorization = program.one(T.resourceServer).inputs.subjectTypeAuthorization as Record<string, unknown>;
    expect(authorization).not.toHaveProperty("user");
  });
});

test("the entry point exports the stack outputs", async () => {
  const program = await runProgram(
    "staging",
    engineConfigFor("staging"),
    async () => (await import("../../infra/index.js")) as Record<string, unknown>,
  );
  expect(Object.keys(program.outputs)).toEqual(
    expect.arrayContaining(["audience", "issuer", "tokenEndpoint", "importJobClientId", "importJobClientSecret", "connectionName"]),
  );
  expect(program.outputs.issuer).toBe("https://exampleco-staging.eu.auth0.com/");
  expect(await pulumi.isSecret(program.outputs.importJobClientSecret as pulumi.Output<string>)).toBe(true);
});
