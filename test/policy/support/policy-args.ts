import { createRequire } from "node:module";
import * as pulumi from "@pulumi/pulumi";
import {
  unknownCheckingProxy,
  type Policy,
  type PolicyProviderResource,
  type PolicyResource,
  type PolicyResourceOptions,
  type ReportViolation,
  type ResourceValidationArgs,
  type ResourceValidationPolicy,
  type StackValidationArgs,
  type StackValidationPolicy,
} from "@pulumi/policy";
import { vi, type Mock } from "vitest";

/**
 * Validation arguments built the way @pulumi/policy's analyzer server builds them
 * (server.js: makeAnalyzeRpcFun / makeAnalyzeStackRpcFun), so a rule under test sees
 * what it sees under `pulumi preview --policy-pack`: properties deserialized by the
 * SDK's own code (secrets unwrapped), behind its unknown-checking proxy, and config
 * reconciled as the engine does it (schema defaults, then the file's entry).
 */

const load = createRequire(__filename);
// Internal modules without declarations: typed here with just what is used.
const { deserializeProperties } = load("@pulumi/policy/deserialize") as {
  deserializeProperties(struct: unknown, proxySecrets: boolean): Record<string, unknown>;
};
const { Struct } = load("google-protobuf/google/protobuf/struct_pb") as {
  Struct: { fromJavaScript(value: Record<string, unknown>): unknown };
};

/** The wire value of a property the engine does not know yet (a new resource's output, in preview). */
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

/** A JSON object as the engine would send it: undefined dropped, secrets in their wire form. */
export type WireProps = Record<string, unknown>;

/** Properties exactly as a policy receives them. */
export function policyProps(wire: WireProps): Record<string, unknown> {
  const json = JSON.parse(JSON.stringify(wire)) as Record<string, unknown>;
  return unknownCheckingProxy(deserializeProperties(Struct.fromJavaScript(json), false)) as Record<string, unknown>;
}

/** A secret in the form the engine sends it (what `pulumi.secret(value)` becomes on the wire). */
export function wireSecret(value: unknown): Record<string, unknown> {
  return { [pulumi.runtime.specialSigKey]: pulumi.runtime.specialSecretSig, value };
}

/** A policy config file's content: policy name → enforcement level or { enforcementLevel?, ...properties }. */
export type PolicyConfigFile = Readonly<Record<string, unknown>>;

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** What `args.getConfig()` returns for `policy` under `file` (ReconcilePolicyPackConfig in the engine). */
export function configFor(policy: Policy, file: PolicyConfigFile = {}): Record<string, unknown> {
  const config: Record<string, unknown> = {};
  for (const [key, schema] of Object.entries(policy.configSchema?.properties ?? {})) {
    if (isObject(schema) && schema["default"] !== undefined) config[key] = schema["default"];
  }
  const entry = file[policy.name];
  if (isObject(entry)) for (const [key, value] of Object.entries(entry)) if (key !== "enforcementLevel") config[key] = value;
  return config;
}

export function urnOf(stack: string, type: string, name: string): string {
  return `urn:pulumi:${stack}::timesheets::${type}::${name}`;
}

class NotApplicable extends Error {}
const notApplicable = (reason?: string): never => {
  throw new NotApplicable(reason);
};

function isTypeOf(type: string) {
  return (resourceClass: unknown): boolean => (resourceClass as { __pulumiType?: unknown }).__pulumiType === type;
}
const asTypeUnused = (): never => {
  throw new Error("asType is not used by this pack's rules");
};

function options(protect: boolean, parent?: string): PolicyResourceOptions {
  return {
    protect,
    ignoreChanges: [],
    aliases: [],
    additionalSecretOutputs: [],
    customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
    ...(parent === undefined ? {} : { parent }),
  };
}

export interface ResourceInput {
  readonly type: string;
  readonly name: string;
  readonly props?: WireProps;
  readonly protect?: boolean;
  readonly provider?: PolicyProviderResource;
  /** The stack in the URN; "dev" unless given. */
  readonly stack?: string;
}

export function resourceArgs(policy: Policy, input: ResourceInput, file?: PolicyConfigFile): ResourceValidationArgs {
  const config = configFor(policy, file);
  return {
    type: input.type,
    name: input.name,
    urn: urnOf(input.stack ?? "dev", input.type, input.name),
    props: policyProps(input.props ?? {}),
    opts: options(input.protect ?? false),
    ...(input.provider === undefined ? {} : { provider: input.provider }),
    stackTags: new Map(),
    isType: isTypeOf(input.type),
    asType: asTypeUnused,
    getConfig: <T extends object>() => config as T,
    notApplicable,
  };
}

export type ReportSpy = Mock<ReportViolation>;

/** Runs a resource policy's validations on one resource; the spy records every violation. */
export async function validateResource(
  policy: ResourceValidationPolicy,
  input: ResourceInput,
  file?: PolicyConfigFile,
): Promise<ReportSpy> {
  const report: ReportSpy = vi.fn<ReportViolation>();
  const validations = policy.validateResource === undefined ? [] : [policy.validateResource].flat();
  for (const validation of validations) await validation(resourceArgs(policy, input, file), report);
  return report;
}

export interface StackResourceInput extends ResourceInput {
  /** The parent's logical name. */
  readonly parent?: string;
  /** Logical names of the resources this one depends on. */
  readonly dependsOn?: readonly string[];
  readonly propertyDependencies?: Readonly<Record<string, readonly string[]>>;
}

export function stackArgs(policy: Policy, inputs: readonly StackResourceInput[], file?: PolicyConfigFile): StackValidationArgs {
  const config = configFor(policy, file);
  const byName = new Map<string, PolicyResource>();
  const resources = inputs.map((input) => {
    const resource: PolicyResource = {
      type: input.type,
      name: input.name,
      urn: urnOf(input.stack ?? "dev", input.type, input.name),
      props: policyProps(input.props ?? {}),
      opts: options(input.protect ?? false),
      ...(input.provider === undefined ? {} : { provider: input.provider }),
      dependencies: [],
      propertyDependencies: {},
      isType: isTypeOf(input.type),
      asType: asTypeUnused,
    };
    byName.set(input.name, resource);
    return resource;
  });
  const named = (name: string): PolicyResource => {
    const found = byName.get(name);
    if (found === undefined) throw new Error(`no resource named ${name} in this test stack`);
    return found;
  };
  inputs.forEach((input, index) => {
    const resource = resources[index] as PolicyResource;
    if (input.parent !== undefined) {
      resource.parent = named(input.parent);
      resource.opts.parent = resource.parent.urn;
    }
    resource.dependencies = (input.dependsOn ?? []).map(named);
    for (const [key, names] of Object.entries(input.propertyDependencies ?? {})) resource.propertyDependencies[key] = names.map(named);
  });
  return { resources, stackTags: new Map(), getConfig: <T extends object>() => config as T, notApplicable };
}

/** Runs a stack policy once over the given resources; the spy records every violation (message, urn). */
export async function validateStack(
  policy: StackValidationPolicy,
  inputs: readonly StackResourceInput[],
  file?: PolicyConfigFile,
): Promise<ReportSpy> {
  const report: ReportSpy = vi.fn<ReportViolation>();
  await policy.validateStack(stackArgs(policy, inputs, file), report);
  return report;
}

/** The messages a spy recorded, in order. */
export function messages(report: ReportSpy): string[] {
  return report.mock.calls.map(([message]) => message);
}
