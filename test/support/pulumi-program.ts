import * as pulumi from "@pulumi/pulumi";

/** One resource the program registered, as the engine would see it. */
export interface RegisteredResource {
  readonly type: string;
  readonly name: string;
  /** Inputs after Output resolution; secrets appear in plain text here. */
  readonly inputs: Record<string, unknown>;
  readonly protect: boolean;
  readonly replaceOnChanges: readonly string[];
  readonly parentName: string | undefined;
  /** The provider reference the engine would use, e.g. `urn:...::auth0::auth0-id`; undefined for components. */
  readonly provider: string | undefined;
  /** The resource object, for `pulumi.isSecret` checks on its outputs. */
  readonly resource: pulumi.Resource;
}

export interface ProgramRun<T> {
  readonly resources: RegisteredResource[];
  readonly outputs: T;
  /** Resources of one type, by logical name. */
  ofType(type: string): RegisteredResource[];
  /** The one resource of a type; fails when there are none or several. */
  one(type: string): RegisteredResource;
}

const PROJECT = "timesheets";

/**
 * Runs a program under Pulumi's in-process mocks, as the engine would run it inside
 * the stack, and records every resource with its inputs and options. Nothing leaves
 * the process: no CLI, no state, no cloud. Mock ids and outputs echo the inputs, with
 * a few provider-computed values filled in the way Auth0 would.
 */
export async function runProgram<T>(
  stack: string,
  config: Readonly<Record<string, string>>,
  program: () => T,
  options: { secretKeys?: readonly string[] } = {},
): Promise<ProgramRun<T>> {
  const registered = new Map<string, { inputs: Record<string, unknown>; provider: string | undefined }>();
  const recorded: Omit<RegisteredResource, "inputs" | "provider">[] = [];

  await pulumi.runtime.setMocks(
    {
      newResource(args: pulumi.runtime.MockResourceArgs) {
        registered.set(`${args.type}::${args.name}`, { inputs: args.inputs as Record<string, unknown>, provider: args.provider });
        return { id: `${args.name}-id`, state: { ...args.inputs, ...computedState(args) } };
      },
      call(args: pulumi.runtime.MockCallArgs) {
        return args.inputs;
      },
    },
    PROJECT,
    stack,
    false,
  );
  pulumi.runtime.setAllConfig({ ...config }, [...(options.secretKeys ?? [])]);

  let outputs: T | undefined;
  await pulumi.runtime.runInPulumiStack(async () => {
    pulumi.runtime.registerStackTransformation((args) => {
      recorded.push({
        type: args.type,
        name: args.name,
        protect: args.opts.protect === true,
        replaceOnChanges: args.opts.replaceOnChanges ?? [],
        parentName: (args.opts.parent as { __name?: string } | undefined)?.__name,
        resource: args.resource,
      });
      return undefined;
    });
    outputs = program();
    return undefined;
  });
  // Let every pending registration reach the mocks.
  await settle();

  const resources = recorded.map((r) => {
    const seen = registered.get(`${r.type}::${r.name}`);
    return { ...r, inputs: seen?.inputs ?? {}, provider: seen?.provider };
  });
  return {
    resources,
    outputs: outputs as T,
    ofType: (type) => resources.filter((r) => r.type === type),
    one(type) {
      const found = resources.filter((r) => r.type === type);
      if (found.length !== 1) throw new Error(`expected one ${type}, found ${found.length}: ${found.map((r) => r.name).join(", ")}`);
      return found[0] as RegisteredResource;
    },
  };
}

/** Values the provider computes on create, filled in as Auth0 would, so outputs that depend on them resolve. */
function computedState(args: pulumi.runtime.MockResourceArgs): Record<string, unknown> {
  switch (args.type) {
    case "auth0:index/client:Client":
      return { clientId: `${args.name}-client-id` };
    case "auth0:index/clientCredentials:ClientCredentials":
      return args.inputs.authenticationMethod === "private_key_jwt" ? {} : { clientSecret: `${args.name}-generated-secret` };
    case "random:index/randomPassword:RandomPassword":
      return { result: "generated-Password-1!" };
    default:
      return {};
  }
}

async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
}

/** Resolves an Output's value (`.promise()` is internal). */
export function valueOf<T>(output: pulumi.Output<T>): Promise<T> {
  return new Promise((resolve) => output.apply(resolve));
}

/** Whether an Output is marked secret. */
export function isSecret(output: pulumi.Output<unknown>): Promise<boolean> {
  return pulumi.isSecret(output);
}
