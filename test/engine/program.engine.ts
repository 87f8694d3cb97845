import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { LocalWorkspace, PulumiCommand, type EngineEvent } from "@pulumi/pulumi/automation";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { parseDocument } from "yaml";
import { loadTenantSpec } from "../../infra/config/load";
import { declareTimesheetsTenant } from "../../infra/program";
import { createWorkspace, ENGINE_DIR, npmPackageVersion, REPO_ROOT, requireBuiltEngine, RUN_TIMEOUT_MS, type Workspace } from "./engine";

// The real engine running the real program. The Node.js language host cannot be built here
// (docs/engine.md), so the program runs inline: the Automation API of the program's
// own @pulumi/pulumi serves the language runtime in this process, and the CLI built by
// `npm run engine:build` drives it (`pulumi preview --client=...`) with the stack's config,
// decrypted by the engine. The first resource the program registers is its auth0 provider,
// whose plugin cannot be built here either, so a preview gets exactly that far: the program's
// config loading and validation under the real engine, up to the first provider call.

let workspace: Workspace | undefined;
afterEach(async () => {
  await workspace?.dispose();
  workspace = undefined;
});

async function editYaml(file: string, edit: (document: ReturnType<typeof parseDocument>) => void): Promise<void> {
  const document = parseDocument(await readFile(file, "utf8"));
  edit(document);
  await writeFile(file, document.toString());
}

interface Preview {
  readonly failure: string | undefined;
  readonly events: EngineEvent[];
  /** What the CLI printed. */
  readonly output: string;
}

/** Previews `stack` (its committed file with `values` set and without `apim`) with the inline program. */
async function previewInline(stack: string, values: Record<string, unknown> = {}, policyPacks: string[] = []): Promise<Preview> {
  const ws = (workspace = await createWorkspace([`Pulumi.${stack}.yaml`]));
  await editYaml(path.join(ws.projectDir, `Pulumi.${stack}.yaml`), (document) => {
    document.deleteIn(["config", "timesheets:apim"]);
    for (const [key, value] of Object.entries(values)) document.setIn(["config", key], value);
  });
  const pulumiCommand = await PulumiCommand.get({ root: ENGINE_DIR, skipVersionCheck: true });
  const automation = await LocalWorkspace.createOrSelectStack(
    {
      stackName: stack,
      projectName: "timesheets",
      program: async () => {
        declareTimesheetsTenant(loadTenantSpec());
      },
    },
    { workDir: ws.projectDir, envVars: ws.env, pulumiCommand },
  );
  const events: EngineEvent[] = [];
  let output = "";
  try {
    await automation.preview({
      policyPacks,
      // The same deadline as every other CLI run: a hung engine fails the test, it does not hang it.
      signal: AbortSignal.timeout(RUN_TIMEOUT_MS),
      onEvent: (event) => events.push(event),
      onOutput: (text) => (output += text),
    });
    return { failure: undefined, events, output };
  } catch (error) {
    return { failure: error instanceof Error ? error.message : String(error), events, output };
  }
}

const registeredTypes = (events: readonly EngineEvent[]): string[] =>
  events.flatMap((event) => (event.resourcePreEvent ? [event.resourcePreEvent.metadata.type] : []));

/** The resources the engine reported an error for, by URN. */
const erroredUrns = (events: readonly EngineEvent[]): string[] =>
  events.flatMap((event) => (event.diagnosticEvent?.severity === "error" && event.diagnosticEvent.urn ? [event.diagnosticEvent.urn] : []));

describe("the real engine running the program inline", () => {
  beforeAll(requireBuiltEngine);

  it("loads dev's config and reaches the first provider call: the auth0 plugin at @pulumi/auth0's version", async () => {
    const preview = await previewInline("dev");
    const auth0Version = await npmPackageVersion("@pulumi/auth0");
    expect(preview.failure).toContain(`no resource plugin 'pulumi-resource-auth0' found in the workspace at version v${auth0Version}`);
    // The config was accepted: the program went on to declare its resources, and the one the
    // engine stopped at is the program's auth0 provider.
    expect(preview.failure).not.toMatch(/timesheets:\w+:/);
    expect(registeredTypes(preview.events)).toContain("pulumi:pulumi:Stack");
    expect(erroredUrns(preview.events)).toEqual(["urn:pulumi:dev::timesheets::pulumi:providers:auth0::auth0"]);
  });

  it("loads the policy pack with `--policy-pack policy` through @pulumi/pulumi's own runner", async () => {
    const pack = JSON.parse(await readFile(path.join(REPO_ROOT, "policy", "package.json"), "utf8")) as { name: string; version: string };
    const preview = await previewInline("dev", {}, [path.join(REPO_ROOT, "policy")]);
    expect(preview.output).toContain(`${pack.name}@v${pack.version}`);
    expect(preview.output).not.toMatch(/could not start policy pack|policy pack .* failed/i);
    // No policy has a resource to judge yet: the engine stops at the same provider as without the pack.
    expect(erroredUrns(preview.events)).toEqual(["urn:pulumi:dev::timesheets::pulumi:providers:auth0::auth0"]);
  });

  it("refuses HS256 in a prod copy with the program's message, before any provider", async () => {
    const preview = await previewInline("prod", { "timesheets:signingAlg": "HS256" });
    expect(preview.failure).toContain('"HS256" is refused in prod');
    expect(erroredUrns(preview.events).filter((urn) => urn.includes("pulumi:providers:"))).toEqual([]);
    expect(registeredTypes(preview.events).filter((type) => type.startsWith("pulumi:providers:"))).toEqual([]);
  });
});
