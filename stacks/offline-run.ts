import { createHash } from "node:crypto";
import * as pulumi from "@pulumi/pulumi";

/** One resource the program registered, as the engine would see it. */
export interface RegisteredResource {
  readonly type: string;
  readonly name: string;
  /** Inputs as the engine receives them: Outputs resolved, secrets in Pulumi's wire form (read them with `secretInput`). */
  readonly inputs: Record<string, unknown>;
  readonly protect: boolean;
  readonly replaceOnChanges: readonly string[];
  /** The replacement order the program asks for; undefined leaves it to the provider (the bridge deletes first where a name is set). */
  readonly deleteBeforeReplace: boolean | undefined;
  /** The id given in the `import` option: an existing object adopted instead of created. */
  readonly importId: string | undefined;
  /** Outputs the program asks the engine to encrypt beyond those the provider marks. */
  readonly additionalSecretOutputs: readonly string[];
  readonly parentName: string | undefined;
  /** The provider reference the engine would use, e.g. `urn:...::auth0::auth0-id`; undefined for components. */
  readonly provider: string | undefined;
  /** The resource object, for reading its outputs (urn, provider-computed values). */
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

export interface RunOptions {
  /** Full config keys (`timesheets:key`) the engine would hand over as secrets. */
  readonly secretKeys?: readonly string[];
  /**
   * How values only a provider knows after creating a resource (a client id, a generated
   * secret) are filled in: `fixed` gives stable stand-ins that tests can assert on,
   * `placeholders` says plainly that the value is known only after a deployment.
   */
  readonly computed?: "fixed" | "placeholders";
  /**
   * What the provider answers for every resource of a type, over the inputs and computed values:
   * e.g. a read that cannot see a client's secret (`{ clientSecret: "" }` for ClientCredentials).
   */
  readonly providerAnswers?: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
}

/**
 * Runs a program under Pulumi's in-process mocks, as the engine would run it inside
 * the stack, and records every resource with its inputs and options. Nothing leaves
 * the process: no CLI, no state, no cloud. Mock ids and outputs echo the inputs, with
 * the provider-computed values filled in as `options.computed` says.
 */
export async function runProgram<T>(
  stack: string,
  config: Readonly<Record<string, string>>,
  program: () => T | Promise<T>,
  options: RunOptions = {},
): Promise<ProgramRun<T>> {
  const attempt = await attemptProgram(stack, config, program, options);
  if (attempt.failure !== undefined) throw attempt.failure.error;
  const resources = attempt.resources;
  const ofType = (type: string) => resources.filter((r) => r.type === type);
  return {
    resources,
    outputs: attempt.outputs as T,
    ofType,
    one(type) {
      const found = ofType(type);
      if (found.length !== 1) throw new Error(`expected one ${type}, found ${found.length}: ${found.map((r) => r.name).join(", ")}`);
      return found[0] as RegisteredResource;
    },
  };
}

/** A program that is expected to fail: its error, and how many resources reached the engine before it did. */
export async function runFailingProgram(
  stack: string,
  config: Readonly<Record<string, string>>,
  program: () => unknown,
): Promise<{ error: unknown; registeredCount: number }> {
  const attempt = await attemptProgram(stack, config, program, {});
  if (attempt.failure === undefined)
    throw new Error(`the program succeeded with ${attempt.resources.length} resources; expected it to fail`);
  return { error: attempt.failure.error, registeredCount: attempt.registeredCount };
}

async function attemptProgram<T>(
  stack: string,
  config: Readonly<Record<string, string>>,
  program: () => T | Promise<T>,
  options: RunOptions,
): Promise<{ resources: RegisteredResource[]; outputs: T | undefined; registeredCount: number; failure: { error: unknown } | undefined }> {
  const registered = new Map<string, { inputs: Record<string, unknown>; provider: string | undefined }>();
  const recorded: Omit<RegisteredResource, "inputs" | "provider">[] = [];

  await pulumi.runtime.setMocks(
    {
      newResource(args: pulumi.runtime.MockResourceArgs) {
        registered.set(`${args.type}::${args.name}`, { inputs: args.inputs as Record<string, unknown>, provider: args.provider });
        const computed = options.computed === "placeholders" ? placeholderState(args) : computedState(args);
        const answered = options.providerAnswers?.[args.type] ?? {};
        return { id: `${args.name}-id`, state: { ...args.inputs, ...computed, ...answered } };
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
  let failure: { error: unknown } | undefined;
  await pulumi.runtime.runInPulumiStack(async () => {
    pulumi.runtime.registerStackTransformation((args) => {
      recorded.push({
        type: args.type,
        name: args.name,
        protect: args.opts.protect === true,
        replaceOnChanges: args.opts.replaceOnChanges ?? [],
        deleteBeforeReplace: (args.opts as pulumi.CustomResourceOptions).deleteBeforeReplace,
        importId: (args.opts as pulumi.CustomResourceOptions).import,
        additionalSecretOutputs: (args.opts as pulumi.CustomResourceOptions).additionalSecretOutputs ?? [],
        parentName: (args.opts.parent as { __name?: string } | undefined)?.__name,
        resource: args.resource,
      });
      return undefined;
    });
    try {
      outputs = await program();
    } catch (error) {
      failure = { error };
    }
    return undefined;
  });
  // Let every pending registration reach the mocks.
  await settle();

  const resources = recorded.map((r) => {
    const seen = registered.get(`${r.type}::${r.name}`);
    return { ...r, inputs: seen?.inputs ?? {}, provider: seen?.provider };
  });
  const registeredCount = [...registered.keys()].filter((key) => !key.startsWith("pulumi:pulumi:Stack::")).length;
  return { resources, outputs, registeredCount, failure };
}

/** Values the provider computes on create, filled in as Auth0 would, so outputs that depend on them resolve. */
function computedState(args: pulumi.runtime.MockResourceArgs): Record<string, unknown> {
  switch (args.type) {
    case "auth0:index/client:Client":
      return { clientId: `${args.name}-client-id` };
    case "auth0:index/clientCredentials:ClientCredentials":
      // A secret the program sets is the one Auth0 keeps; without one, Auth0 generates it.
      return args.inputs.authenticationMethod === "private_key_jwt" || args.inputs.clientSecret !== undefined
        ? {}
        : { clientSecret: `${args.name}-generated-secret` };
    case "random:index/randomPassword:RandomPassword":
      return { result: standInPassword(args.name, args.inputs) };
    case "auth0:index/resourceServer:ResourceServer":
      // Auth0 generates an HS256 API's signing secret; no other algorithm has one.
      return args.inputs.signingAlg === "HS256" && args.inputs.signingSecret === undefined
        ? { signingSecret: `${args.name}-generated-signing-secret` }
        : {};
    default:
      return {};
  }
}

/**
 * What the random provider would generate, of the length and alphabet asked for: letters and
 * digits of each kind, a special character only where allowed. Derived from the name, so that
 * every run gives the same value and a test can tell which password went where.
 */
function standInPassword(name: string, inputs: Record<string, unknown>): string {
  const length = typeof inputs.length === "number" ? inputs.length : 16;
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  let seed = createHash("sha256").update(name).digest();
  let body = "";
  while (body.length < length) {
    body += [...seed].map((byte) => alphabet[byte % alphabet.length]).join("");
    seed = createHash("sha256").update(seed).digest();
  }
  const kinds = inputs.special === false ? "Aa1" : "Aa1!";
  return `${kinds}${body}`.slice(0, length);
}

/** The same values as `computedState`, saying what they are instead of inventing them. */
function placeholderState(args: pulumi.runtime.MockResourceArgs): Record<string, unknown> {
  return Object.fromEntries(Object.keys(computedState(args)).map((key) => [key, `(${args.name}.${key}: known after deployment)`]));
}

async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
}

/** Resolves an Output's value (`.promise()` is internal). */
export function valueOf<T>(output: pulumi.Output<T>): Promise<T> {
  return new Promise((resolve) => output.apply(resolve));
}

/** Pulumi's wire format marks a secret as `{ [specialSigKey]: specialSecretSig, value }`; mocks receive inputs in that format. */
const SIG_KEY = pulumi.runtime.specialSigKey;
const SECRET_SIG = pulumi.runtime.specialSecretSig;

/** Reads an input as the engine received it: whether it was sent as a secret, and its plain value. */
export function secretInput(input: unknown): { secret: boolean; value: unknown } {
  if (typeof input === "object" && input !== null && (input as Record<string, unknown>)[SIG_KEY] === SECRET_SIG) {
    return { secret: true, value: (input as { value?: unknown }).value };
  }
  return { secret: false, value: input };
}
