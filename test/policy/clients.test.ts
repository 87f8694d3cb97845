import { describe, expect, test } from "vitest";
import { machineToMachineClients } from "../../policy/rules";
import { messages, validateResource } from "./support/policy-args";
import { T, importJobClient } from "./support/fixtures";

describe("machine-to-machine-clients", () => {
  test("accepts the import job as the program declares it", async () => {
    expect(await validateResource(machineToMachineClients, importJobClient())).not.toHaveBeenCalled();
  });

  test("refuses other grant types, and none declared", async () => {
    const withCode = await validateResource(
      machineToMachineClients,
      importJobClient({ grantTypes: ["client_credentials", "authorization_code"] }),
    );
    expect(messages(withCode)).toEqual([
      "grantTypes is [client_credentials, authorization_code]; a machine-to-machine client uses client_credentials only",
    ]);
    const unset = await validateResource(machineToMachineClients, importJobClient({ grantTypes: undefined }));
    expect(messages(unset)).toEqual(["grantTypes is not set; a machine-to-machine client declares exactly [client_credentials]"]);
  });

  test("refuses callbacks, web origins and other browser settings", async () => {
    const report = await validateResource(
      machineToMachineClients,
      importJobClient({ callbacks: ["https://app.exampleco.com/callback"], webOrigins: ["https://app.exampleco.com"] }),
    );
    expect(messages(report)).toEqual([
      "callbacks lists [https://app.exampleco.com/callback]; a machine-to-machine client has no browser flow and needs none",
      "webOrigins lists [https://app.exampleco.com]; a machine-to-machine client has no browser flow and needs none",
    ]);
  });

  test("holds the import job to non_interactive, found by its Auth0 name or by its logical name", async () => {
    const byName = await validateResource(machineToMachineClients, importJobClient({ appType: "regular_web" }, "renamed-client"));
    expect(messages(byName)).toEqual(["the import job's client has appType regular_web; expected non_interactive"]);
    const byLogicalName = await validateResource(machineToMachineClients, importJobClient({ appType: "spa", name: "Renamed Job" }));
    expect(messages(byLogicalName)).toEqual(["the import job's client has appType spa; expected non_interactive"]);
  });

  test("holds any non_interactive client to the same rules", async () => {
    const report = await validateResource(machineToMachineClients, {
      type: T.client,
      name: "reporting-client",
      props: { name: "Reporting", appType: "non_interactive", grantTypes: ["client_credentials", "password"] },
    });
    expect(messages(report)).toEqual([
      "grantTypes is [client_credentials, password]; a machine-to-machine client uses client_credentials only",
    ]);
  });

  test("leaves interactive applications alone", async () => {
    const spa = { type: T.client, name: "timesheets-spa", props: { name: "Timesheets", appType: "spa", callbacks: ["https://app/cb"] } };
    expect(await validateResource(machineToMachineClients, spa)).not.toHaveBeenCalled();
  });
});
