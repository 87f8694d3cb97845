import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { buildTenantSpec } from "../../infra/config/build";
import { TenantConfigError } from "../../infra/config/errors";
import { isThisMachine } from "../../infra/config/loopback";
import { otherHost, thisMachineHost } from "../support/host-spellings";

const RUNS = { seed: 6761, numRuns: 300 };

describe("is this host this machine: decided on the parsed host", () => {
  test("every spelling of this machine is this machine", () => {
    fc.assert(
      fc.property(thisMachineHost, (host) => {
        expect(isThisMachine(host), host).toBe(true);
      }),
      RUNS,
    );
  });

  test("no other host is", () => {
    fc.assert(
      fc.property(otherHost, (host) => {
        expect(isThisMachine(host), host).toBe(false);
      }),
      RUNS,
    );
  });

  test("the spellings of the issue: 2130706433, 0x7f.1, 127.1, ::ffff:127.0.0.1, exampleco-qa3.localhost", () => {
    for (const host of ["2130706433", "0x7f.1", "127.1", "::ffff:127.0.0.1", "[::ffff:127.0.0.1]:443", "exampleco-qa3.localhost"])
      expect(isThisMachine(host), host).toBe(true);
  });
});

/** The spec's verdict on a domain in an environment: the refusal of `domain`, or undefined. */
function domainVerdict(domain: string, environment: string): string | undefined {
  try {
    buildTenantSpec({ environment, domain, apiIdentifier: "https://timesheets.exampleco.com/api" }, `qa-${environment}`);
    return undefined;
  } catch (error) {
    if (!(error instanceof TenantConfigError)) throw error;
    return error.problems.find((p) => p.key === "domain")?.message;
  }
}

describe("a tenant on this machine is refused outside environment local", () => {
  test("exampleco-qa3.localhost is not a dev tenant", () => {
    expect(domainVerdict("exampleco-qa3.localhost", "dev")).toMatch(/is this machine/);
  });

  test("no spelling of this machine is accepted as a tenant of dev, staging or prod", () => {
    fc.assert(
      fc.property(thisMachineHost, fc.constantFrom("dev", "staging", "prod"), (host, environment) => {
        expect(domainVerdict(host, environment), host).toBeDefined();
      }),
      { seed: 6761, numRuns: 100 },
    );
  });
});
