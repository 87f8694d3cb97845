import { describe, expect, test } from "vitest";
import { clientGrantsLeastPrivilege } from "../../policy/rules";
import { messages, UNKNOWN, urnOf, validateStack, type StackResourceInput } from "./support/policy-args";
import { API, T, grant, importJobClient, importJobComponent, resourceServer } from "./support/fixtures";

const config = { "client-grants-least-privilege": { apiIdentifier: API, importJobScopes: ["batch:upload"] } };
const stack = (...extra: StackResourceInput[]) => [resourceServer(), importJobComponent, importJobClient(), ...extra];
const grantUrn = (name: string) => urnOf("dev", T.grant, name);

describe("client-grants-least-privilege", () => {
  test("accepts the import job's grant of exactly its scopes on the Timesheets API", async () => {
    expect(
      await validateStack(clientGrantsLeastPrivilege, stack(grant("import-job-grant", {}, { parent: "import-job" })), config),
    ).not.toHaveBeenCalled();
  });

  test("refuses allowAllScopes, and a grant without a scope list", async () => {
    const report = await validateStack(
      clientGrantsLeastPrivilege,
      stack(
        grant("reporting-grant", { clientId: "reporting-client-id", allowAllScopes: true, scopes: undefined }),
        grant("audit-grant", { clientId: "audit-client-id", scopes: undefined }),
      ),
      config,
    );
    expect(report.mock.calls).toEqual([
      ['ClientGrant "reporting-grant" sets allowAllScopes; list the scopes it needs explicitly', grantUrn("reporting-grant")],
      ['ClientGrant "audit-grant" lists no scopes; list the scopes it needs explicitly', grantUrn("audit-grant")],
    ]);
  });

  test("refuses a grant on an audience no resource server of the stack declares", async () => {
    const report = await validateStack(
      clientGrantsLeastPrivilege,
      stack(grant("management-grant", { clientId: "other", audience: "https://exampleco-dev.eu.auth0.com/api/v2/" })),
      config,
    );
    expect(messages(report)).toEqual([
      `ClientGrant "management-grant" grants access to https://exampleco-dev.eu.auth0.com/api/v2/, which no resource server in this stack declares; expected one of [${API}]`,
    ]);
  });

  test("refuses an import job grant with more than its least-privilege set", async () => {
    const report = await validateStack(
      clientGrantsLeastPrivilege,
      stack(grant("import-job-grant", { scopes: ["read:timesheets", "batch:upload"] })),
      config,
    );
    expect(messages(report)).toEqual([
      `ClientGrant "import-job-grant" is the import job's grant and lists [batch:upload, read:timesheets]; its least-privilege set is exactly [batch:upload]`,
    ]);
  });

  test("recognises the import job's grant by the client's id whatever the grant is called", async () => {
    const report = await validateStack(
      clientGrantsLeastPrivilege,
      stack(grant("renamed-grant", { scopes: ["delete:timesheets"] })),
      config,
    );
    expect(messages(report)).toEqual([expect.stringContaining('"renamed-grant" is the import job\'s grant')]);
  });

  test("recognises it in preview, while the client id is unknown, by the grant's dependency on the import job's client", async () => {
    const previewGrant = grant(
      "renamed-grant",
      { clientId: UNKNOWN, scopes: ["delete:timesheets"] },
      { propertyDependencies: { clientId: ["import-job-client"] } },
    );
    const report = await validateStack(
      clientGrantsLeastPrivilege,
      [resourceServer(), importJobClient({ clientId: UNKNOWN }), previewGrant],
      config,
    );
    expect(messages(report)).toEqual([expect.stringContaining('"renamed-grant" is the import job\'s grant')]);
  });

  test("recognises it by its parent component when nothing else links it", async () => {
    const orphan = grant("renamed-grant", { clientId: UNKNOWN, scopes: ["delete:timesheets"] }, { parent: "import-job" });
    const report = await validateStack(clientGrantsLeastPrivilege, [resourceServer(), importJobComponent, orphan], config);
    expect(messages(report)).toEqual([expect.stringContaining('"renamed-grant" is the import job\'s grant')]);
  });

  test("leaves other clients' grants to their own scope lists", async () => {
    const report = await validateStack(
      clientGrantsLeastPrivilege,
      stack(grant("reporting-grant", { clientId: "reporting-client-id", scopes: ["read:timesheets"] })),
      config,
    );
    expect(report).not.toHaveBeenCalled();
  });

  test("refuses an import job grant on another API of the stack, and a second grant for the job", async () => {
    const reports = resourceServer({}, "https://reports.exampleco.com/api");
    const report = await validateStack(
      clientGrantsLeastPrivilege,
      [
        ...stack(grant("import-job-grant")),
        { ...reports, name: "reports-resource-server" },
        grant("import-job-reports-grant", { audience: "https://reports.exampleco.com/api" }),
      ],
      config,
    );
    expect(messages(report)).toEqual([
      `ClientGrant "import-job-reports-grant" is the import job's grant but its audience is https://reports.exampleco.com/api; expected the Timesheets API, ${API}`,
      'the import job has 2 client grants ("import-job-grant", "import-job-reports-grant"); it holds exactly one, on the Timesheets API',
    ]);
  });
});
