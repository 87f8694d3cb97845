import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, test } from "vitest";
import { loadTenantSpec } from "../../infra/config/load";
import { declareTimesheetsTenant } from "../../infra/program";
import { rules } from "../../policy/rules";
import { engineConfigFor, listStacks, loadStackSpec, REPO_ROOT } from "../../stacks/stack-config";
import { runProgram } from "../support/pulumi-program";
import { configFileProblems, POLICY_DIR } from "./support/config-files";
import type { PolicyConfigFile } from "./support/policy-args";
import { programResources, runPack } from "./support/program-stack";

/**
 * docs/runbooks.md, "Adding an environment", steps 2 and 3, as written, for a new `qa` stack: copy the
 * nearest stack file and its policy config, set the tenant's values, and the new stack builds,
 * runs and passes every rule of the pack under its own policy config. Done in a copy of the
 * repository's stack files, so the checkout is left as it is.
 */
function followRunbook(edit: (stackFile: string) => string, editPolicy: (file: Record<string, Record<string, unknown>>) => void) {
  const root = mkdtempSync(path.join(tmpdir(), "runbook-"));
  for (const file of ["Pulumi.yaml", ...listStacks().map((stack) => `Pulumi.${stack}.yaml`)])
    copyFileSync(path.join(REPO_ROOT, file), path.join(root, file));
  // cp Pulumi.staging.yaml Pulumi.qa.yaml, then set domain, apiIdentifier and apim.
  const stackFile = readFileSync(path.join(root, "Pulumi.staging.yaml"), "utf8")
    .replace(/timesheets:domain: .*/, "timesheets:domain: exampleco-qa.eu.auth0.com")
    .replace(/timesheets:apiIdentifier: .*/, "timesheets:apiIdentifier: https://timesheets.qa.exampleco.com/api")
    .replace(/timesheets:testUserEmail: .*/, "timesheets:testUserEmail: timesheets-test@qa.exampleco.com")
    .replace(/resourceGroupName: .*/, "resourceGroupName: rg-platform-qa")
    .replace(/serviceName: .*/, "serviceName: apim-exampleco-qa")
    .replace(/backendUrl: .*/, "backendUrl: https://timesheets-backend-qa.azurewebsites.net");
  writeFileSync(path.join(root, "Pulumi.qa.yaml"), edit(stackFile));
  // cp policy/config/staging.json policy/config/qa.json, and set its values to match.
  const policy = JSON.parse(readFileSync(path.join(POLICY_DIR, "config", "staging.json"), "utf8")) as Record<
    string,
    Record<string, unknown>
  >;
  for (const entry of Object.values(policy)) if ("apiIdentifier" in entry) entry.apiIdentifier = "https://timesheets.qa.exampleco.com/api";
  editPolicy(policy);
  mkdirSync(path.join(root, "policy", "config"), { recursive: true });
  writeFileSync(path.join(root, "policy", "config", "qa.json"), JSON.stringify(policy, null, 2));
  return { root, policy: policy as PolicyConfigFile };
}

async function preview(root: string, policy: PolicyConfigFile) {
  const run = await runProgram("qa", engineConfigFor("qa", {}, root), () => declareTimesheetsTenant(loadTenantSpec()));
  return runPack(rules, await programResources(run.resources, "qa"), policy);
}

describe("runbook (docs/runbooks.md): adding an environment (qa)", () => {
  test("the copied stack is discovered, builds its spec and passes every rule under its policy config", async () => {
    const { root, policy } = followRunbook(
      (file) => file,
      () => undefined,
    );
    expect(listStacks(root)).toContain("qa");
    const spec = loadStackSpec("qa", root);
    expect(spec.tenant.issuer).toBe("https://exampleco-qa.eu.auth0.com/");
    expect(configFileProblems(policy, rules)).toEqual([]);
    expect(await preview(root, policy)).toEqual([]);
  });

  test("a copy that sets neither a token lifetime nor a maximum passes too: the defaults agree", async () => {
    const { root, policy } = followRunbook(
      (file) => file.replace(/^ {2}timesheets:tokenLifetime: .*\n/m, ""),
      (file) => {
        delete file["timesheets-api-tokens"]?.maxTokenLifetime;
      },
    );
    expect(readFileSync(path.join(root, "Pulumi.qa.yaml"), "utf8")).not.toContain("tokenLifetime");
    expect(loadStackSpec("qa", root).api.tokenLifetime).toBe(86_400);
    expect(await preview(root, policy)).toEqual([]);
  });
});
