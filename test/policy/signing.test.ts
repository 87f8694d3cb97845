import { describe, expect, test } from "vitest";
import { resourceServerSigning } from "../../policy/rules";
import { messages, validateResource } from "./support/policy-args";
import { T } from "./support/fixtures";

const server = (signingAlg: string | undefined, stack = "dev") => ({
  type: T.resourceServer,
  name: "timesheets-api-resource-server",
  stack,
  props: signingAlg === undefined ? { identifier: "https://api" } : { identifier: "https://api", signingAlg },
});

describe("resource-server-signing", () => {
  test.each(["RS256", "PS256"])("accepts %s in every environment", async (algorithm) => {
    for (const environment of ["dev", "staging", "prod"]) {
      const report = await validateResource(resourceServerSigning, server(algorithm, environment), {
        "resource-server-signing": { environment },
      });
      expect(report).not.toHaveBeenCalled();
    }
  });

  test("refuses HS256 where the policy config does not allow it", async () => {
    const report = await validateResource(resourceServerSigning, server("HS256"), { "resource-server-signing": { environment: "dev" } });
    expect(messages(report)).toEqual([
      "signingAlg is HS256, which this stack's policy config does not allow (allowHs256 is false); expected RS256 or PS256",
    ]);
  });

  test("accepts HS256 outside prod where the policy config allows it", async () => {
    const report = await validateResource(resourceServerSigning, server("HS256"), {
      "resource-server-signing": { environment: "dev", allowHs256: true },
    });
    expect(report).not.toHaveBeenCalled();
  });

  test("refuses HS256 in prod even where the policy config allows it", async () => {
    const report = await validateResource(resourceServerSigning, server("HS256", "prod"), {
      "resource-server-signing": { environment: "prod", allowHs256: true },
    });
    expect(messages(report)).toEqual([
      "signingAlg is HS256, which is refused in prod (every verifier would hold the secret that signs tokens); expected RS256 or PS256",
    ]);
  });

  test("holds a stack named prod to prod's rules whatever environment the config names", async () => {
    const report = await validateResource(resourceServerSigning, server("HS256", "prod"), {
      "resource-server-signing": { environment: "dev", allowHs256: true },
    });
    expect(messages(report)).toEqual([expect.stringContaining("refused in prod")]);
  });

  test("applies prod's rules when neither the config nor the stack's name gives an environment", async () => {
    const report = await validateResource(resourceServerSigning, server("HS256", "feature-x"), {
      "resource-server-signing": { allowHs256: true },
    });
    expect(messages(report)).toEqual([expect.stringContaining("refused in prod")]);
  });

  test("refuses another algorithm, and an unset one", async () => {
    expect(messages(await validateResource(resourceServerSigning, server("RS512")))).toEqual([
      "signingAlg is RS512; expected RS256 or PS256",
    ]);
    expect(messages(await validateResource(resourceServerSigning, server(undefined)))).toEqual([
      "signingAlg is not set; declare RS256 or PS256 so that the algorithm never follows a tenant default",
    ]);
  });

  test("looks at resource servers only", async () => {
    const report = await validateResource(resourceServerSigning, { type: T.client, name: "c", props: { signingAlg: "HS256" } });
    expect(report).not.toHaveBeenCalled();
  });
});
