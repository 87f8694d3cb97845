import * as pulumi from "@pulumi/pulumi";
import type { Policy, PolicyProviderResource, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import type { PolicyConfigFile, StackResourceInput, WireProps } from "./policy-args";
import { messages, validateResource, validateStack } from "./policy-args";
import { valueOf, type RegisteredResource } from "../../support/pulumi-program";

/**
 * A program's resources under mocks, as the engine would hand them to the pack: each
 * resource's inputs (what validateResource sees), its outputs (what validateStack sees:
 * the mock's state, i.e. the inputs plus what the mock provider computed), its protect
 * flag, parent and provider. The harness does not record dependencies, so stack rules
 * link resources here by property values alone.
 */
export interface ProgramResource {
  readonly input: StackResourceInput;
  readonly output: StackResourceInput;
}

function providerReferenceUrn(reference: string | undefined): string | undefined {
  // A provider reference is "<urn>::<id>".
  return reference === undefined || reference === "" ? undefined : reference.slice(0, reference.lastIndexOf("::"));
}

/** A resource's declared output properties, resolved (mocks resolve every one). */
async function outputsOf(resource: pulumi.Resource): Promise<WireProps> {
  const outputs: WireProps = {};
  for (const [key, value] of Object.entries(resource)) {
    if (key === "urn" || key === "id" || key.startsWith("__") || !pulumi.Output.isInstance(value)) continue;
    const resolved: unknown = await valueOf(value);
    if (resolved !== undefined) outputs[key] = resolved;
  }
  return outputs;
}

export async function programResources(registered: readonly RegisteredResource[], stack: string): Promise<ProgramResource[]> {
  const urns = await Promise.all(registered.map((resource) => valueOf(resource.resource.urn)));
  const byUrn = new Map(registered.map((resource, index) => [urns[index], resource]));
  return Promise.all(
    registered.map(async (resource) => {
      const providerResource = byUrn.get(providerReferenceUrn(resource.provider));
      const provider: PolicyProviderResource | undefined =
        providerResource === undefined
          ? undefined
          : {
              type: providerResource.type,
              name: providerResource.name,
              urn: await valueOf(providerResource.resource.urn),
              props: providerResource.inputs,
            };
      const base = {
        type: resource.type,
        name: resource.name,
        stack,
        protect: resource.protect,
        ...(provider === undefined ? {} : { provider }),
        ...(resource.parentName === undefined ? {} : { parent: resource.parentName }),
      };
      return {
        input: { ...base, props: resource.inputs },
        output: { ...base, props: { ...resource.inputs, ...(await outputsOf(resource.resource)) } },
      };
    }),
  );
}

export interface Violation {
  readonly policy: string;
  readonly level: string;
  readonly resource: string | undefined;
  readonly message: string;
}

function levelOf(policy: Policy, file: PolicyConfigFile): string {
  const entry = file[policy.name];
  const configured = typeof entry === "string" ? entry : (entry as { enforcementLevel?: string } | undefined)?.enforcementLevel;
  return configured ?? policy.enforcementLevel ?? "advisory";
}

function isStackPolicy(policy: Policy): policy is StackValidationPolicy {
  return "validateStack" in policy;
}

/** Every rule over every resource, as `pulumi preview --policy-pack policy --policy-pack-config <file>` would run them. */
export async function runPack(
  policies: readonly Policy[],
  resources: readonly ProgramResource[],
  file: PolicyConfigFile,
): Promise<Violation[]> {
  const violations: Violation[] = [];
  for (const policy of policies) {
    const level = levelOf(policy, file);
    if (isStackPolicy(policy)) {
      const report = await validateStack(
        policy,
        resources.map((resource) => resource.output),
        file,
      );
      for (const [message, urn] of report.mock.calls)
        violations.push({ policy: policy.name, level, resource: urn?.split("::").pop(), message });
      continue;
    }
    for (const { input } of resources) {
      const report = await validateResource(policy as ResourceValidationPolicy, input, file);
      for (const message of messages(report)) violations.push({ policy: policy.name, level, resource: input.name, message });
    }
  }
  return violations;
}
