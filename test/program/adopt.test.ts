import { describe, expect, test } from "vitest";
import { loadTenantSpec } from "../../infra/config/load";
import { declareTimesheetsTenant } from "../../infra/program";
import { engineConfigFor } from "../../stacks/stack-config";
import { runFailingProgram, runProgram } from "../support/pulumi-program";

const ids = {
  resourceServerId: "5f2d1a9c8b7e6d5c4b3a2f1e",
  importJobClientId: "AaiyAPdpYdesoKnqjj8HJqRn4T5titww",
  importJobGrantId: "cgr_4pI9a42haOLLWnwq",
  connectionId: "con_Dzr2ZT4EcjQRv1yo",
};

function run(adopt: Record<string, string>, stack = "prod") {
  const config = { ...engineConfigFor(stack), "timesheets:adopt": JSON.stringify(adopt) };
  return runProgram(stack, config, () => declareTimesheetsTenant(loadTenantSpec()));
}

describe("adopting a tenant set up by hand", () => {
  test("each adopted object is imported by the resource that declares it, with Auth0's id for it", async () => {
    const program = await run(ids);
    const imported = Object.fromEntries(program.resources.filter((r) => r.importId !== undefined).map((r) => [r.name, r.importId]));
    expect(imported).toEqual({
      "timesheets-api-resource-server": ids.resourceServerId,
      "timesheets-api-permissions": "https://timesheets.exampleco.com/api",
      "import-job-client": ids.importJobClientId,
      // Not the credentials: their "create" sets the program's own secret on the adopted client.
      "import-job-grant": ids.importJobGrantId,
      "user-store-connection": ids.connectionId,
      "user-store-enabled-clients": ids.connectionId,
    });
  });

  test("adopted objects keep prod's protection", async () => {
    const program = await run(ids);
    expect(
      program.resources
        .filter((r) => r.protect)
        .map((r) => r.name)
        .sort(),
    ).toEqual(["timesheets-api-resource-server", "user-store-connection"]);
  });

  test("what is not named is created as usual", async () => {
    const program = await run({ connectionId: ids.connectionId }, "staging");
    expect(program.resources.filter((r) => r.importId !== undefined).map((r) => r.name)).toEqual([
      "user-store-connection",
      "user-store-enabled-clients",
    ]);
  });

  test("a stack without adopt imports nothing", async () => {
    const program = await runProgram("dev", engineConfigFor("dev"), () => declareTimesheetsTenant(loadTenantSpec()));
    expect(program.resources.filter((r) => r.importId !== undefined)).toEqual([]);
  });

  test.each([
    [
      { resourceServerId: "https://timesheets.exampleco.com/api" },
      "adopt.resourceServerId",
      /expected the resource server's id \(24 hex digits\), not its identifier/,
    ],
    [{ importJobGrantId: ids.importJobGrantId }, "adopt.importJobGrantId", /needs adopt.importJobClientId/],
    [{ connectionId: "timesheets-users" }, "adopt.connectionId", /expected a connection id/],
    [{ clientId: ids.importJobClientId }, "adopt.clientId", /is not a known key/],
  ])("refuses %j before declaring anything", async (adopt, key, message) => {
    const config = { ...engineConfigFor("prod"), "timesheets:adopt": JSON.stringify(adopt) };
    const { error, registeredCount } = await runFailingProgram("prod", config, () => declareTimesheetsTenant(loadTenantSpec()));
    expect((error as Error).message).toMatch(new RegExp(`timesheets:${key.replace(".", "\\.")}: `));
    expect((error as Error).message).toMatch(message);
    expect(registeredCount).toBe(0);
  });
});
