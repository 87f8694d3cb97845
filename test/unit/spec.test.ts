import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { inspect } from "node:util";
import { describe, expect, test } from "vitest";
import { parse } from "yaml";
import { buildTenantSpec } from "../../infra/config/build";
import { TenantConfigError } from "../../infra/config/errors";
import { DEFAULT_OPERATIONS } from "../../infra/config/gateway-schema";
import { CONFIG_KEYS, CONFIG_NAMESPACE, SECRET_KEYS, type ConfigKey } from "../../infra/config/schema";
import { SecretValue } from "../../infra/config/secret";
import { ALL_SECRET_KEYS, PROVIDER_KEYS } from "../../infra/config/stack-keys";
import { listStacks, loadStackSpec, readStackConfig, REPO_ROOT } from "../../stacks/stack-config";

const minimal = { environment: "dev", domain: "exampleco-dev.eu.auth0.com", apiIdentifier: "https://timesheets.dev.exampleco.com/api" };

describe("buildTenantSpec", () => {
  test("applies the documented defaults to a minimal config", () => {
    const spec = buildTenantSpec(minimal, "dev");
    expect(spec.api).toMatchObject({
      name: "Timesheets API",
      signingAlg: "RS256",
      tokenProfile: "auth0",
      tokenDialect: "access_token",
      enforcePolicies: false,
      tokenLifetime: 86_400,
      allowOfflineAccess: false,
      clientPolicy: "require_client_grant",
    });
    expect(spec.api.permissions.map((p) => p.name)).toEqual([
      "batch:upload",
      "read:timesheets",
      "create:timesheets",
      "delete:timesheets",
      "approve:timesheets",
    ]);
    expect(spec.importJob.grant).toEqual({ audience: minimal.apiIdentifier, scopes: ["batch:upload"], subjectType: "client" });
    expect(spec.importJob.authentication).toEqual({ method: "client_secret_post" });
    expect(spec.connection).toEqual({
      name: "timesheets-users",
      strategy: "auth0",
      passwordPolicy: "good",
      bruteForceProtection: true,
      disableSignup: true,
    });
    expect(spec.testUser).toBeUndefined();
    expect(spec.gateway).toBeUndefined();
    expect(spec.protect).toBe(false);
  });

  test("derives the tenant's endpoints from the domain, with the issuer's trailing slash", () => {
    expect(buildTenantSpec(minimal, "dev").tenant).toEqual({
      domain: "exampleco-dev.eu.auth0.com",
      issuer: "https://exampleco-dev.eu.auth0.com/",
      tokenEndpoint: "https://exampleco-dev.eu.auth0.com/oauth/token",
      jwksUri: "https://exampleco-dev.eu.auth0.com/.well-known/jwks.json",
      openIdConfigurationUrl: "https://exampleco-dev.eu.auth0.com/.well-known/openid-configuration",
      managementApiAudience: "https://exampleco-dev.eu.auth0.com/api/v2/",
    });
  });

  test.each([
    ["auth0", false, "access_token"],
    ["auth0", true, "access_token_authz"],
    ["rfc9068", false, "rfc9068_profile"],
    ["rfc9068", true, "rfc9068_profile_authz"],
  ])("token profile %s with rbac %s is Auth0's %s dialect", (tokenProfile, rbac, dialect) => {
    const spec = buildTenantSpec({ ...minimal, tokenProfile, rbac: String(rbac) }, "dev");
    expect(spec.api.tokenDialect).toBe(dialect);
    expect(spec.api.enforcePolicies).toBe(rbac);
  });

  test("accepts values typed by YAML and values as the engine's strings alike", () => {
    const typed = buildTenantSpec({ ...minimal, tokenLifetime: 600, allowSignups: true, importJobScopes: ["batch:upload"] }, "dev");
    const strings = buildTenantSpec({ ...minimal, tokenLifetime: "600", allowSignups: "true", importJobScopes: '["batch:upload"]' }, "dev");
    expect(strings).toEqual(typed);
  });

  test("HS256 is accepted outside prod with the opt-in", () => {
    expect(buildTenantSpec({ ...minimal, signingAlg: "HS256", allowHs256: "true" }, "dev").api.signingAlg).toBe("HS256");
  });

  test("reports every problem of a config at once, each naming its key", () => {
    const error = (() => {
      try {
        buildTenantSpec({ environment: "dev", domain: "https://x.auth0.com", tokenProfile: "jwt" }, "dev");
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(TenantConfigError);
    const problems = (error as TenantConfigError).problems.map((p) => p.key);
    expect(problems).toEqual(expect.arrayContaining(["domain", "apiIdentifier", "tokenProfile"]));
  });

  test("an existing APIM service may not carry settings that only creating one uses", () => {
    const apim = {
      mode: "existing",
      resourceGroupName: "rg",
      serviceName: "apim-x",
      backendUrl: "https://backend.exampleco.com",
      sku: "Premium",
    };
    expect(() => buildTenantSpec({ ...minimal, apim }, "dev")).toThrow(/timesheets:apim.sku: applies only when apim.mode is "create"/);
  });

  test("the gateway maps each operation to one permission by default", () => {
    const apim = { resourceGroupName: "rg", serviceName: "apim-x", backendUrl: "https://backend.exampleco.com" };
    const gateway = buildTenantSpec({ ...minimal, apim }, "dev").gateway;
    expect(gateway?.operations.map((o) => [o.method, o.urlTemplate, o.permission])).toEqual([
      ["POST", "/timesheets/upload", "batch:upload"],
      ["GET", "/timesheets", "read:timesheets"],
      ["GET", "/timesheets/{id}", "read:timesheets"],
      ["POST", "/timesheets", "create:timesheets"],
      ["DELETE", "/timesheets/{id}", "delete:timesheets"],
      ["POST", "/timesheets/{id}/approve", "approve:timesheets"],
    ]);
    expect(gateway?.operations).toHaveLength(DEFAULT_OPERATIONS.length);
  });
});

describe("secrets in config", () => {
  test("a secret never prints, serialises or inspects as its value", () => {
    const secret = SecretValue.of("hunter2-Passw0rd");
    const spec = buildTenantSpec({ ...minimal, testUserEmail: "t@exampleco.com", testUserPassword: secret }, "dev");
    expect(JSON.stringify(spec)).not.toContain("hunter2");
    expect(inspect(spec, { depth: 10 })).not.toContain("hunter2");
    expect(`${secret}`).toBe("[secret]");
    expect(spec.testUser?.password?.reveal()).toBe("hunter2-Passw0rd");
  });

  function stackFile(body: string): string {
    const dir = mkdtempSync(path.join(tmpdir(), "stack-"));
    writeFileSync(path.join(dir, "Pulumi.dev.yaml"), body);
    return dir;
  }

  test("a stack file's encrypted value reads as a secret whose value is not known", () => {
    const dir = stackFile(
      // A salt and a ciphertext as the passphrase provider writes them (made with the real CLI).
      `encryptionsalt: v1:FG1Bi9NtijQ=:v1:AVPq7SuDhweWoX9v:Dvewmu7S5nXIGsyAs/Qogm/Slhexwg==\nconfig:\n  timesheets:environment: dev\n  timesheets:domain: exampleco-dev.eu.auth0.com\n  timesheets:apiIdentifier: https://t.exampleco.com/api\n  timesheets:testUserEmail: t@exampleco.com\n  timesheets:testUserPassword:\n    secure: v1:31YgyCmdBvL42XsM:nWjkPmFub+6BHdDTexQP0F0wUtlmBQE=\n`,
    );
    const spec = loadStackSpec("dev", dir);
    expect(spec.testUser?.password?.isKnown).toBe(false);
    expect(() => spec.testUser?.password?.reveal()).toThrow(/secrets provider/);
  });

  test("a password written in plain text in a stack file is refused", () => {
    const dir = stackFile(
      `config:\n  timesheets:environment: dev\n  timesheets:domain: exampleco-dev.eu.auth0.com\n  timesheets:apiIdentifier: https://t.exampleco.com/api\n  timesheets:testUserEmail: t@exampleco.com\n  timesheets:testUserPassword: hunter2\n`,
    );
    expect(() => loadStackSpec("dev", dir)).toThrow(
      /timesheets:testUserPassword: is plain text but is a secret; .*run `pulumi config set --secret timesheets:testUserPassword`/,
    );
  });

  test("a missing stack file names the stacks there are", () => {
    expect(() => readStackConfig("qa")).toThrow(
      /no stack "qa": there is no Pulumi.qa.yaml beside Pulumi.yaml; the stacks of this repository are dev, prod, staging/,
    );
  });
});

describe("Pulumi.yaml", () => {
  const project = parse(readFileSync(path.join(REPO_ROOT, "Pulumi.yaml"), "utf8")) as {
    name: string;
    config: Record<string, { description?: string; secret?: boolean }>;
  };

  test("is the project whose namespace the program reads", () => {
    expect(project.name).toBe(CONFIG_NAMESPACE);
  });

  const optionalKeys = (Object.keys(CONFIG_KEYS) as ConfigKey[]).filter((key) => CONFIG_KEYS[key].schema.safeParse(undefined).success);
  const requiredKeys = (Object.keys(CONFIG_KEYS) as ConfigKey[]).filter((key) => !optionalKeys.includes(key));
  const commentLines = readFileSync(path.join(REPO_ROOT, "Pulumi.yaml"), "utf8")
    .split("\n")
    .filter((line) => line.startsWith("#"));

  // The Pulumi CLI requires every key declared without a default (pulumi/pulumi#21797), and a
  // default would reach the program as a value the stack set: only required keys are declared.
  test("declares exactly the keys every stack must set, each with a description", () => {
    expect(Object.keys(project.config).sort()).toEqual(requiredKeys.map((key) => `${CONFIG_NAMESPACE}:${key}`).sort());
    expect(requiredKeys.sort()).toEqual(["apiIdentifier", "domain", "environment"]);
    for (const [key, declaration] of Object.entries(project.config)) {
      expect(declaration.description, key).toMatch(/\w{3,}/);
      expect(declaration, key).not.toHaveProperty("default");
    }
  });

  test("documents every optional key in its comments, with a description, and says which are secret", () => {
    const documented = commentLines
      .map((line) => /^#\s{3}timesheets:(\w+) \(([^)]*)\): \S/.exec(line))
      .filter((match): match is RegExpExecArray => match !== null);
    expect(documented.map((match) => match[1]).sort()).toEqual([...optionalKeys].sort());
    const documentedSecret = documented.filter((match) => (match[2] ?? "").endsWith(", secret")).map((match) => match[1]);
    expect(documentedSecret).toEqual(SECRET_KEYS);
    expect(documentedSecret).toContain("testUserPassword");
  });

  test("every committed stack file builds a spec, and only prod protects", () => {
    for (const stack of listStacks()) expect(loadStackSpec(stack).protect, stack).toBe(loadStackSpec(stack).environment === "prod");
  });

  test("lists in its comments, as docs/configuration.md does, exactly the provider settings a stack file may hold", () => {
    const comments = readFileSync(path.join(REPO_ROOT, "Pulumi.yaml"), "utf8")
      .split("\n")
      .filter((line) => line.startsWith("#"))
      .join(" ");
    const configurationDoc = readFileSync(path.join(REPO_ROOT, "docs", "configuration.md"), "utf8");
    for (const [provider, keys] of Object.entries(PROVIDER_KEYS)) {
      const listed = new RegExp(`${provider}: ([^;]*?)(?:\\(|;|$)`).exec(comments)?.[1] ?? "";
      expect(
        listed
          .split(/[\s,#]+/)
          .filter(Boolean)
          .sort(),
        provider,
      ).toEqual([...keys].sort());
      for (const key of keys) expect(configurationDoc, `${provider}:${key}`).toContain(`\`${key}\``);
    }
    for (const key of ALL_SECRET_KEYS) expect(comments, key).toContain(key.replace(/^timesheets:/, ""));
  });

  test("the provider settings are those the provider SDKs document, and credentials are among the secrets", () => {
    for (const [provider, keys] of Object.entries(PROVIDER_KEYS)) {
      const typings = readFileSync(path.join(REPO_ROOT, "node_modules", "@pulumi", provider, "config", "vars.d.ts"), "utf8");
      const documented = [...typings.matchAll(/^export declare const (\w+):/gm)].map((m) => m[1]).sort();
      expect([...keys].sort(), provider).toEqual(documented);
    }
    expect(existsSync(path.join(REPO_ROOT, "node_modules", "@pulumi", "random", "config"))).toBe(false);
    for (const key of ["auth0:clientSecret", "auth0:apiToken", "azure-native:clientSecret"]) expect(ALL_SECRET_KEYS).toContain(key);
  });
});

describe("testUserPermissions", () => {
  const base = { environment: "dev", domain: "exampleco-dev.eu.auth0.com", apiIdentifier: "https://t.exampleco.com/api" };

  test("defaults to read:timesheets where there is a test user", () => {
    const spec = buildTenantSpec({ ...base, testUserEmail: "t@exampleco.com" }, "dev");
    expect(spec.testUser?.permissions).toEqual(["read:timesheets"]);
    expect(spec.testUser?.application.grant).toEqual({ audience: base.apiIdentifier, scopes: ["read:timesheets"], subjectType: "user" });
    expect(spec.api.userPolicy).toBe("require_client_grant");
  });

  test("refuses a permission the API does not have, and the key without a test user", () => {
    expect(() => buildTenantSpec({ ...base, testUserEmail: "t@exampleco.com", testUserPermissions: ["read:everything"] }, "dev")).toThrow(
      /testUserPermissions: "read:everything" is not one of the API's permissions/,
    );
    expect(() => buildTenantSpec({ ...base, testUserPermissions: ["read:timesheets"] }, "dev")).toThrow(
      /testUserPermissions: is set but testUserEmail is not/,
    );
  });

  test("no test user, no application and no user access policy", () => {
    const spec = buildTenantSpec(base, "dev");
    expect(spec.testUser).toBeUndefined();
    expect(spec.api.userPolicy).toBeUndefined();
  });
});
