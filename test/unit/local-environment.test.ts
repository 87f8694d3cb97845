import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { buildTenantSpec } from "../../infra/config/build";
import { TenantConfigError } from "../../infra/config/errors";
import { main as audit } from "../../stacks/audit/main";
import { main as render } from "../../stacks/render";
import { main as runner } from "../../stacks/runner";
import { listStacks, loadStackSpec, REPO_ROOT } from "../../stacks/stack-config";
import { main as verify } from "../../stacks/verify/main";

// The local environment's one privilege, a tenant and a gateway on this machine, and its one
// duty, never to point at a real tenant. Every command builds its spec through buildTenantSpec,
// so these refusals are every command's.

const dev = { environment: "dev", domain: "exampleco-dev.eu.auth0.com", apiIdentifier: "https://timesheets.dev.exampleco.com/api" };
const local = { environment: "local", domain: "127.0.0.1:7443", apiIdentifier: "https://timesheets.local.exampleco.com/api" };

function problems(raw: Record<string, unknown>, stack: string): string[] {
  try {
    buildTenantSpec(raw, stack);
    return [];
  } catch (error) {
    if (error instanceof TenantConfigError) return error.message.split("\n").slice(1);
    throw error;
  }
}

describe("a loopback domain", () => {
  test("is the committed local stack's tenant, whose gateway is the local gateway and which is never prod", () => {
    const spec = loadStackSpec("local");
    expect(spec.environment).toBe("local");
    expect(spec.tenant.issuer).toBe("https://127.0.0.1:7443/");
    expect(spec.protect).toBe(false);
    expect(spec.gateway?.service).toEqual({ mode: "local", address: "127.0.0.1:7444" });
  });

  test.each(["dev", "staging", "prod"])("is refused in %s, naming the key, the address and the rule", (environment) => {
    const found = problems({ ...dev, environment, domain: "127.0.0.1:7443" }, environment);
    expect(found).toContainEqual(
      expect.stringMatching(
        /timesheets:domain: "127\.0\.0\.1:7443" is this machine .*accepted only in environment local, and this stack is /,
      ),
    );
  });

  test("any loopback spelling and port outside local is refused; in local, any is accepted", () => {
    fc.assert(
      fc.property(
        fc.constantFrom("127.0.0.1", "localhost", "[::1]"),
        fc.integer({ min: 1, max: 65535 }),
        fc.constantFrom("dev", "staging", "prod"),
        (host, port, environment) => {
          const domain = `${host}:${port}`;
          expect(problems({ ...dev, environment, domain }, "qa").some((line) => line.includes("is this machine"))).toBe(true);
          expect(problems({ ...local, domain }, "local")).toEqual([]);
        },
      ),
      { seed: 19, numRuns: 60 },
    );
  });

  test("environment local refuses a real tenant's domain and an Azure gateway", () => {
    expect(problems({ ...local, domain: "exampleco-dev.eu.auth0.com" }, "local")).toEqual([
      expect.stringMatching(
        /timesheets:domain: "exampleco-dev.eu.auth0.com" is not this machine; environment local deploys only into the local Auth0/,
      ),
    ]);
    const azure = { mode: "existing", resourceGroupName: "rg", serviceName: "apim-x", backendUrl: "https://b.exampleco.com" };
    expect(problems({ ...local, apim: azure }, "local")).toEqual([expect.stringMatching(/apim.mode: is "existing" \(Azure\)/)]);
  });

  test("the local gateway mode takes an address on this machine and nothing of Azure's", () => {
    expect(problems({ ...local, apim: { mode: "local" } }, "local")).toEqual([expect.stringMatching(/apim.address: is required/)]);
    expect(problems({ ...local, apim: { mode: "local", address: "10.0.0.1:7444" } }, "local")).toEqual([
      expect.stringMatching(/apim.address: .*on this machine/),
    ]);
    expect(problems({ ...local, apim: { mode: "local", address: "127.0.0.1:7444", serviceName: "apim-x" } }, "local")).toEqual([
      expect.stringMatching(/apim.serviceName: applies only to Azure/),
    ]);
  });
});

describe("every command refuses a loopback tenant outside local, before anything runs", () => {
  /** A copy of the repository's stack files plus `qa`, staging's shape pointed at this machine. */
  function rootWithLoopbackQa(): string {
    const root = mkdtempSync(path.join(tmpdir(), "loopback-"));
    for (const file of ["Pulumi.yaml", ...listStacks().map((stack) => `Pulumi.${stack}.yaml`)])
      copyFileSync(path.join(REPO_ROOT, file), path.join(root, file));
    const staging = readFileSync(path.join(REPO_ROOT, "Pulumi.staging.yaml"), "utf8")
      .replace(/timesheets:domain: .*/, "timesheets:domain: 127.0.0.1:7443")
      .replace(/timesheets:apiIdentifier: .*/, "timesheets:apiIdentifier: https://timesheets.qa.exampleco.com/api")
      .replace(/timesheets:testUserEmail: .*/, "timesheets:testUserEmail: timesheets-test@qa.exampleco.com");
    writeFileSync(path.join(root, "Pulumi.qa.yaml"), staging);
    return root;
  }

  test("render, up, preview, verify and audit each exit 1 naming the domain rule", async () => {
    const root = rootWithLoopbackQa();
    const rule = /timesheets:domain: "127\.0\.0\.1:7443" is this machine .*accepted only in environment local, and this stack is staging/;
    let out = "";
    const write = (text: string) => {
      out += `${text}\n`;
      return true;
    };
    const runs: Array<() => Promise<number>> = [
      () => render(["--stack", "qa"], { stdout: write, stderr: write, root }),
      () =>
        runner(["up", "--stack", "qa", "--yes"], { env: {}, stderr: write, root, exec: () => Promise.reject(new Error("reached Pulumi")) }),
      () => runner(["preview", "--stack", "qa"], { env: {}, stderr: write, root, exec: () => Promise.reject(new Error("reached Pulumi")) }),
      () => verify(["--stack", "qa"], { env: {}, stdout: { write }, stderr: { write }, root }),
      () => audit(["--stack", "qa"], {}, { stdout: { write }, stderr: { write }, root }),
    ];
    for (const run of runs) {
      out = "";
      expect(await run()).toBe(1);
      expect(out).toMatch(rule);
    }
  });
});
