import * as pulumi from "@pulumi/pulumi";
import type * as random from "@pulumi/random";
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { CLIENT_SECRET_LENGTH } from "../../infra/auth0/client-secret";
import { loadTenantSpec } from "../../infra/config/load";
import { declareTimesheetsTenant } from "../../infra/program";
import { clientSecretUrn } from "../../stacks/runner-steps/rotation";
import { engineConfigFor } from "../../stacks/stack-config";
import { testPublicPem } from "../support/test-keys";
import { runProgram, secretInput, valueOf, type ProgramRun } from "../support/pulumi-program";

const CREDENTIALS = "auth0:index/clientCredentials:ClientCredentials";
const RANDOM_PASSWORD = "random:index/randomPassword:RandomPassword";

/** How Auth0 answers a read of a client by someone without `read:client_keys`: the secret is the empty string. */
const READ_WITHOUT_CLIENT_KEYS = { [CREDENTIALS]: { clientSecret: "" } };

type Outputs = ReturnType<typeof declareTimesheetsTenant>;

// One run per way the provider answers; the tests only read the recordings.
const runs = new Map<unknown, Promise<ProgramRun<Outputs>>>();
function runDev(providerAnswers?: typeof READ_WITHOUT_CLIENT_KEYS): Promise<ProgramRun<Outputs>> {
  const found =
    runs.get(providerAnswers) ??
    runProgram("dev", engineConfigFor("dev"), () => declareTimesheetsTenant(loadTenantSpec()), { providerAnswers });
  runs.set(providerAnswers, found);
  return found;
}

const generated = (program: ProgramRun<Outputs>, name: string) =>
  valueOf((resource(program, name).resource as random.RandomPassword).result);

function resource(program: ProgramRun<Outputs>, name: string) {
  const found = program.resources.find((r) => r.name === name);
  if (found === undefined) throw new Error(`no resource named ${name}`);
  return found;
}

// dev has both clients with a secret: the import job (client_secret_post) and the integration-test application.
const clients = [
  { label: "the import job", prefix: "import-job", output: "importJobClientSecret" },
  { label: "the integration-test application", prefix: "integration-test", output: "testClientSecret" },
] as const;

describe.each(clients)("$label's client secret", ({ prefix, output }) => {
  test("is owned by the program: a random secret of Auth0's length, letters and digits only", async () => {
    const program = await runDev();
    const secret = resource(program, `${prefix}-client-secret`);
    expect(secret.type).toBe(RANDOM_PASSWORD);
    expect(secret.inputs).toMatchObject({ length: CLIENT_SECRET_LENGTH, special: false, upper: true, lower: true, numeric: true });
    expect(secret.additionalSecretOutputs).toContain("result");
    expect(secret.parentName).toBe(prefix);
  });

  test("is what `npm run up -- --rotate-client-secret` replaces: the runner names its URN", async () => {
    const program = await runDev();
    expect(await valueOf(resource(program, `${prefix}-client-secret`).resource.urn)).toBe(clientSecretUrn("dev", prefix));
  });

  test("is sent to Auth0 as a secret input of the client's credentials", async () => {
    const program = await runDev();
    const credentials = resource(program, `${prefix}-credentials`);
    expect(credentials.type).toBe(CREDENTIALS);
    const value = await generated(program, `${prefix}-client-secret`);
    expect(value).toMatch(new RegExp(`^[A-Za-z0-9]{${CLIENT_SECRET_LENGTH}}$`));
    expect(secretInput(credentials.inputs.clientSecret)).toEqual({ secret: true, value });
  });

  test("is published from the program's value, kept secret, even when the provider's read returns it empty", async () => {
    for (const answers of [undefined, READ_WITHOUT_CLIENT_KEYS]) {
      const program = await runDev(answers);
      const published = program.outputs[output] as pulumi.Output<string | undefined>;
      // The provider's own view, for contrast: what a refresh without the scope would store.
      const providerView = (resource(program, `${prefix}-credentials`).resource as unknown as { clientSecret: pulumi.Output<string> })
        .clientSecret;
      const owned = await generated(program, `${prefix}-client-secret`);
      expect(await valueOf(providerView)).toBe(answers === undefined ? owned : "");
      expect(await pulumi.isSecret(published)).toBe(true);
      expect(await valueOf(published)).toBe(owned);
    }
  });
});

test("whatever a read of the credentials returns for the secret (empty, stale, another), the stack publishes the program's own, as a secret", async () => {
  await fc.assert(
    fc.asyncProperty(fc.oneof(fc.constant(""), fc.string({ maxLength: 80 })), async (read) => {
      const program = await runProgram("dev", engineConfigFor("dev"), () => declareTimesheetsTenant(loadTenantSpec()), {
        providerAnswers: { [CREDENTIALS]: { clientSecret: read } },
      });
      for (const { prefix, output } of clients) {
        const published = program.outputs[output] as pulumi.Output<string | undefined>;
        expect(await pulumi.isSecret(published)).toBe(true);
        expect(await valueOf(published)).toBe(await generated(program, `${prefix}-client-secret`));
      }
    }),
    { seed: 21, numRuns: 3 },
  );
});

test("private_key_jwt owns no secret and publishes none", async () => {
  const config = {
    ...engineConfigFor("staging"),
    "timesheets:importJobAuthMethod": "private_key_jwt",
    "timesheets:importJobPublicKey": testPublicPem(90),
  };
  const program = await runProgram("staging", config, () => declareTimesheetsTenant(loadTenantSpec()));
  expect(program.resources.some((r) => r.name === "import-job-client-secret")).toBe(false);
  expect(resource(program as ProgramRun<Outputs>, "import-job-credentials").inputs.clientSecret).toBeUndefined();
  expect(await valueOf(program.outputs.importJobClientSecret)).toBeUndefined();
});
