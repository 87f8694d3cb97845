import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import path from "node:path";
import { connectionAnswer, grantAnswer, resourceServerAnswer, userAnswer } from "../../stacks/auth0/answers";
import { liveConnection, liveGrant, liveResourceServer, liveUser } from "../../stacks/auth0/from-auth0";
import { markdownTable, paintFor, textTable } from "../../stacks/terminal";
import { DEFAULT_RECORDINGS_DIR } from "../e2e/stand-in/recordings";

// Documents as a real tenant answered them: Management API traffic recorded by the Auth0
// Terraform provider's acceptance tests (test/data/recordings, MPL-2.0), trimmed to the fields
// that matter here.

const recordedResourceServer = {
  id: "69a006dadf17864010da22e6",
  name: "Acceptance Test - testaccresourceserverscopes",
  identifier: "https://uat.api.terraform-provider-auth0.com/testaccresourceserverscopes",
  allow_offline_access: false,
  skip_consent_for_verifiable_first_party_clients: false,
  subject_type_authorization: { client: { policy: "require_client_grant" }, user: { policy: "allow_all" } },
  token_lifetime: 86400,
  token_lifetime_for_web: 7200,
  signing_alg: "RS256",
};

const recordedGrant = {
  id: "cgr_k94SUL6Z7KVumcl7",
  client_id: "II4cjr41OACNh5YaeqCLQtkDZPkEtjCg",
  audience: "https://uat.tf.terraform-provider-auth0.com/client-grant/TestAccClientGrant",
  scope: [],
  subject_type: "user",
  authorization_details_types: ["payment"],
};

const recordedConnection = {
  id: "con_fTLLrSb9nEmOVHRV",
  options: { passwordPolicy: "fair", brute_force_protection: true, disable_signup: false, requires_username: true, strategy_version: 2 },
  strategy: "auth0",
  name: "Acceptance-Test-Connection-TestAccConnection",
  enabled_clients: [],
};

const recordedUser = {
  email: "testaccuser@acceptance.test.com",
  identities: [{ user_id: "testaccuser", connection: "Username-Password-Authentication", provider: "auth0", isSocial: false }],
  user_id: "auth0|testaccuser",
};

describe("Auth0's documents in the audit's words", () => {
  it("a resource server without scopes or token_dialect (Auth0 omits the defaults)", () => {
    expect(liveResourceServer(resourceServerAnswer.parse(recordedResourceServer))).toEqual({
      id: "69a006dadf17864010da22e6",
      identifier: "https://uat.api.terraform-provider-auth0.com/testaccresourceserverscopes",
      name: "Acceptance Test - testaccresourceserverscopes",
      signingAlg: "RS256",
      tokenDialect: undefined,
      tokenLifetime: 86400,
      allowOfflineAccess: false,
      enforcePolicies: undefined,
      clientPolicy: "require_client_grant",
      permissions: [],
    });
  });

  it("scopes become permissions", () => {
    const live = liveResourceServer(
      resourceServerAnswer.parse({ ...recordedResourceServer, scopes: [{ value: "batch:upload", description: "Upload" }] }),
    );
    expect(live.permissions).toEqual([{ name: "batch:upload", description: "Upload" }]);
  });

  it("a grant keeps its subject type and no allow_all_scopes", () => {
    expect(liveGrant(grantAnswer.parse(recordedGrant))).toMatchObject({
      clientId: "II4cjr41OACNh5YaeqCLQtkDZPkEtjCg",
      scopes: [],
      subjectType: "user",
      allowAllScopes: false,
      defaultFor: undefined,
    });
  });

  it("a database connection's options, under Auth0's mixed-case names", () => {
    expect(liveConnection(connectionAnswer.parse(recordedConnection))).toEqual({
      id: "con_fTLLrSb9nEmOVHRV",
      name: "Acceptance-Test-Connection-TestAccConnection",
      strategy: "auth0",
      passwordPolicy: "fair",
      passwordOptions: undefined,
      bruteForceProtection: true,
      disableSignup: false,
    });
  });

  it("disable_signup decides whether sign-ups are closed; signup_behavior, present or not, is not read either way", () => {
    const withOptions = (options: Record<string, unknown>) =>
      liveConnection(connectionAnswer.parse({ ...recordedConnection, options: { ...recordedConnection.options, ...options } }));
    const password = (signup?: string) => ({
      authentication_methods: { password: { enabled: true, api_behavior: "required", ...(signup ? { signup_behavior: signup } : {}) } },
    });
    for (const signup of [undefined, "allow", "block"]) {
      expect(withOptions({ disable_signup: true, ...password(signup) }).disableSignup, `closed, ${signup}`).toBe(true);
      expect(withOptions({ disable_signup: false, ...password(signup) }).disableSignup, `open, ${signup}`).toBe(false);
    }
  });

  it("Auth0's current shape: password_options, and sign-ups under authentication_methods", () => {
    // The connection as Auth0 answered GET /api/v2/connections/{id} in 2026 (recorded).
    const recording = readFileSync(path.join(DEFAULT_RECORDINGS_DIR, "extended/TestAccConnectionPasswordOptions.yaml"), "utf8");
    const body = /body: '(\{"id":"con_[^']*"options":\{"passkey_options"[^']*)'/.exec(recording)?.[1];
    expect(body).toBeDefined();
    const live = liveConnection(connectionAnswer.parse(JSON.parse(body ?? "{}")));
    // No disable_signup: open, as Auth0 leaves it out when sign-ups are allowed.
    expect(live).toMatchObject({ passwordPolicy: undefined, bruteForceProtection: false, disableSignup: undefined });
    expect(live.passwordOptions).toEqual({
      minLength: 14,
      characterTypes: ["lowercase", "number", "special", "uppercase"],
      characterTypeRule: "three_of_four",
      identicalCharacters: "block",
      sequentialCharacters: "block",
      historySize: 8,
      dictionary: true,
      profileData: true,
    });
  });

  it("a user's connections come from its identities", () => {
    expect(liveUser(userAnswer.parse(recordedUser))).toEqual({
      userId: "auth0|testaccuser",
      email: "testaccuser@acceptance.test.com",
      connections: ["Username-Password-Authentication"],
    });
  });
});

describe("terminal output", () => {
  it("colour only on a terminal, and never with NO_COLOR", () => {
    expect(paintFor({ write: () => 0, isTTY: true }, {})("red", "x")).toBe("\u001b[31mx\u001b[39m");
    expect(paintFor({ write: () => 0, isTTY: true }, { NO_COLOR: "1" })("red", "x")).toBe("x");
    expect(paintFor({ write: () => 0 }, {})("red", "x")).toBe("x");
  });

  it("columns line up whatever the colour codes", () => {
    const paint = paintFor({ write: () => 0, isTTY: true }, {});
    const table = textTable(
      ["A", "B"],
      [
        [paint("red", "high"), "x"],
        ["low", "y"],
      ],
      paint,
      "",
    );
    const plainLines = table.replace(new RegExp(String.raw`\u001b\[[0-9;]*m`, "g"), "").split("\n");
    expect(plainLines).toEqual(["A     B", "────  ─", "high  x", "low   y"]);
  });

  it("Markdown cells cannot break the table", () => {
    expect(markdownTable(["a"], [["x | y\nz"]]).split("\n")[2]).toBe("| x \\| y<br>z |");
  });
});
