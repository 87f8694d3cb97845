import * as pulumi from "@pulumi/pulumi";
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { specFromConfig } from "../../infra/config/build";
import { TenantConfigError } from "../../infra/config/errors";
import { loadTenantSpec } from "../../infra/config/load";
import { CONFIG_KEYS } from "../../infra/config/schema";
import { ALL_SECRET_KEYS } from "../../infra/config/stack-keys";
import { declareTimesheetsTenant } from "../../infra/program";
import { engineConfigFor, readStackConfig } from "../../stacks/stack-config";
import { runFailingProgram } from "../support/pulumi-program";

/*
 * The promise of docs/configuration.md: whatever a stack file holds, the answer is a spec or a refusal that
 * names the key and says what is accepted; never a crash, never a secret repeated back.
 */

const KEYS = Object.keys(CONFIG_KEYS);
const dev = readStackConfig("dev");

/** Values a careless hand or a broken tool might put in a stack file. */
const anyValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.string({ maxLength: 30 }),
  fc.constantFrom("", " ", "null", "true", "0", "-1", "1e309", "NaN", "[]", "{}", "{{", "\t", "https://", "#", "\u0000"),
  fc.integer(),
  fc.double(),
  fc.constantFrom(Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, Number.NaN),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.oneof(fc.string({ maxLength: 10 }), fc.integer()), { maxLength: 4 }),
  fc.dictionary(fc.string({ maxLength: 8 }), fc.oneof(fc.string({ maxLength: 10 }), fc.integer()), { maxKeys: 3 }),
);

function outcome(values: Record<string, unknown>, isSecret: (key: string) => boolean = () => false) {
  try {
    return { spec: specFromConfig(values, "dev", isSecret) };
  } catch (error) {
    return { error };
  }
}

describe("any value for any key", () => {
  test("gives a spec or a refusal naming that key; nothing else is thrown", () => {
    fc.assert(
      fc.property(fc.constantFrom(...KEYS), anyValue, (key, value) => {
        const result = outcome({ ...dev, [`timesheets:${key}`]: value });
        if ("spec" in result) return;
        expect(result.error).toBeInstanceOf(TenantConfigError);
        const lines = (result.error as Error).message.split("\n");
        expect(lines[0]).toBe('Stack "dev" has invalid config in Pulumi.dev.yaml (nothing was changed):');
        // The key is named; every other line names a key too, with a reason after it.
        expect(lines.slice(1).some((line) => line.startsWith(`  timesheets:${key}`))).toBe(true);
        for (const line of lines.slice(1)) expect(line).toMatch(/^ {2}[a-z-]+:\S+: \S/i);
      }),
      { seed: 1313, numRuns: 600 },
    );
  });

  test("never repeats a secret written in plain text, ours or a provider's", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...ALL_SECRET_KEYS),
        fc.string({ minLength: 6, maxLength: 30 }).map((tail) => `S3cret-${tail}`),
        (key, secret) => {
          const result = outcome({ ...dev, [key]: secret });
          expect(result).toHaveProperty("error");
          const message = (result as { error: Error }).error.message;
          expect(message).toContain(`${key}: is plain text but is a secret`);
          expect(message).toContain(`pulumi config set --secret ${key}`);
          expect(message).not.toContain(secret);
        },
      ),
      { seed: 1314, numRuns: 200 },
    );
  });

  test("any key outside timesheets: and the providers' documented settings is refused by name", () => {
    fc.assert(
      fc.property(
        fc
          .stringMatching(/^[a-z][a-z0-9-]{0,12}:[A-Za-z][A-Za-z0-9]{0,16}$/)
          .filter((key) => !/^(timesheets|auth0|azure-native):/.test(key)),
        fc.string({ maxLength: 10 }),
        (key, value) => {
          const result = outcome({ ...dev, [key]: value });
          expect((result as { error: Error }).error.message).toContain(`  ${key}: is not a setting of this project`);
        },
      ),
      { seed: 1315, numRuns: 200 },
    );
  });

  test("in the program, the refusal is a RunError (printed without a stack trace) and nothing is declared", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...KEYS),
        fc.oneof(fc.string({ maxLength: 20 }), fc.constantFrom("{{", "[1,", "-5", "Infinity")),
        async (key, value) => {
          const config = { ...engineConfigFor("dev"), [`timesheets:${key}`]: value };
          let result: { error: unknown; registeredCount: number } | undefined;
          try {
            result = await runFailingProgram("dev", config, () => declareTimesheetsTenant(loadTenantSpec()));
          } catch {
            return; // the value happened to be valid: the program ran
          }
          expect(pulumi.RunError.isInstance(result.error)).toBe(true);
          expect((result.error as Error).message).toContain(`  timesheets:${key}`);
          expect(result.registeredCount).toBe(0);
        },
      ),
      { seed: 1316, numRuns: 15 },
    );
  });
});
