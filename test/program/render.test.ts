import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { describe, expect, test } from "vitest";
import { compareRenders, main, maskSecrets, renderStack } from "../../stacks/render";

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { stdout: (t: string) => out.push(t), stderr: (t: string) => err.push(t) }, out, err };
}

describe("offline render", () => {
  test("renders every resource a stack declares, with provider-assigned values marked as such", async () => {
    const render = await renderStack("staging");
    const types = render.resources.map((r) => r.type);
    expect(types).toEqual(
      expect.arrayContaining([
        "auth0:index/resourceServer:ResourceServer",
        "auth0:index/clientGrant:ClientGrant",
        "auth0:index/connection:Connection",
      ]),
    );
    const grant = render.resources.find((r) => r.type === "auth0:index/clientGrant:ClientGrant");
    expect(grant?.inputs).toMatchObject({ clientId: "(import-job-client.clientId: known after deployment)", scopes: ["batch:upload"] });
    expect(render.note).toMatch(/Neither Auth0 nor Azure was contacted and no state was read/);
  });

  test("masks secrets wherever they are", async () => {
    const render = await renderStack("dev");
    const user = render.resources.find((r) => r.type === "auth0:index/user:User");
    expect((user?.inputs as { password?: unknown }).password).toBe("[secret]");
    // The generated password's placeholder is itself secret-wrapped, so not even that shows.
    expect(JSON.stringify(render)).not.toContain("user-store-test-user-password.result");
    expect(maskSecrets({ a: [{ [pulumi.runtime.specialSigKey]: pulumi.runtime.specialSecretSig, value: "hunter2" }] })).toEqual({
      a: ["[secret]"],
    });
  });

  test("compares two environments property by property", async () => {
    const lines = compareRenders(await renderStack("dev"), await renderStack("prod"));
    expect(lines).toContain(
      "~ auth0:index/resourceServer:ResourceServer timesheets-api-resource-server inputs.tokenLifetime: dev 7200 | prod 3600",
    );
    expect(lines).toContain("~ auth0:index/resourceServer:ResourceServer timesheets-api-resource-server protect: dev false | prod true");
    expect(lines).toContain("- auth0:index/user:User user-store-test-user: only in dev");
    // The gateway's policy as a line diff of its XML: the audience line of each, not two escaped documents.
    expect(lines).toContain("~ azure-native:apimanagement:ApiPolicy gateway-api-policy inputs.value:");
    expect(lines).toContain("    -                <audience>https://timesheets.dev.exampleco.com/api</audience>");
    expect(lines).toContain("    +                <audience>https://timesheets.exampleco.com/api</audience>");
    expect(lines.filter((line) => line.includes("\\n") || line.includes('\\"'))).toEqual([]);
  });

  test("npm run render writes the stack under out/ and says it touched nothing", async () => {
    const outRoot = mkdtempSync(path.join(tmpdir(), "render-"));
    const { io, out, err } = capture();
    expect(await main(["--stack", "prod"], { ...io, outRoot })).toBe(0);
    expect(out.join("\n")).toContain("tokenDialect: rfc9068_profile");
    expect(err.join("\n")).toMatch(/Rendered offline/);
    const written = JSON.parse(readFileSync(path.join(outRoot, "prod", "resources.json"), "utf8")) as { stack: string };
    expect(written.stack).toBe("prod");
    expect(existsSync(path.join(outRoot, "prod", "policies"))).toBe(true);
  });

  test("refuses an unknown stack or a malformed request with exit 1", async () => {
    const { io, err } = capture();
    expect(await main(["--stack", "qa"], io)).toBe(1);
    expect(err.join("\n")).toMatch(
      /^error: no stack "qa": there is no Pulumi.qa.yaml beside Pulumi.yaml; the stacks of this repository are dev, local, prod, staging/,
    );
    expect(await main(["--compare", "dev"], capture().io)).toBe(1);
    expect(await main([], capture().io)).toBe(1);
  });
});
