import { readFileSync } from "node:fs";
import { gatewayUrl } from "../../infra/azure/gateway-args";
import type { TenantSpec } from "../../infra/config/spec";
import { fileReason, pulumiProblem } from "../problems";
import type { ReadOutputs, StackOutputs } from "./stack-outputs";

/** How the import job proves who it is at the token endpoint. */
export type ImportJobAuth =
  | { readonly method: "client_secret_post" | "client_secret_basic"; readonly secret: string }
  | { readonly method: "private_key_jwt"; readonly privateKeyPem: string; readonly algorithm: string };

/** What verify needs beyond the spec: identifiers and credentials of the deployed stack. Never printed. */
export interface VerifyInputs {
  readonly importJob: { readonly clientId: string; readonly auth: ImportJobAuth };
  /** Stacks with a test user only. */
  readonly testUser?: { readonly clientId: string; readonly clientSecret: string; readonly email: string; readonly password: string };
  /** Stacks with a gateway only. */
  readonly gatewayUrl?: string;
  /** Stacks with a developer portal only: the application API Management's authorization server holds. */
  readonly portalClient?: { readonly clientId: string; readonly clientSecret: string };
}

/** Values given on the command line; secrets never are (a process list would show them). */
export interface InputFlags {
  readonly importJobClientId?: string;
  readonly importJobKeyFile?: string;
  readonly gatewayUrl?: string;
}

export type Env = Readonly<Record<string, string | undefined>>;

/** One thing verify needs, and every place it may come from, in the order they are tried. */
interface Need {
  readonly what: string;
  readonly variable: string;
  readonly flag?: keyof InputFlags;
  readonly output?: string;
  /** A further source, described as such. */
  readonly also?: string;
}

const NEEDS = {
  importJobClientId: {
    what: "the import job's client id",
    variable: "VERIFY_IMPORT_JOB_CLIENT_ID",
    flag: "importJobClientId",
    output: "importJobClientId",
  },
  importJobClientSecret: {
    what: "the import job's client secret",
    variable: "VERIFY_IMPORT_JOB_CLIENT_SECRET",
    output: "importJobClientSecret",
  },
  importJobPrivateKey: {
    what: "the import job's private key (PEM)",
    variable: "VERIFY_IMPORT_JOB_PRIVATE_KEY",
    also: "--import-job-key-file <path>",
  },
  testClientId: { what: "the integration-test application's client id", variable: "VERIFY_TEST_CLIENT_ID", output: "testClientId" },
  testClientSecret: {
    what: "the integration-test application's client secret",
    variable: "VERIFY_TEST_CLIENT_SECRET",
    output: "testClientSecret",
  },
  testUserPassword: { what: "the test user's password", variable: "VERIFY_TEST_USER_PASSWORD", output: "testUserPassword" },
  portalClientId: { what: "the developer portal application's client id", variable: "VERIFY_PORTAL_CLIENT_ID", output: "portalClientId" },
  portalClientSecret: {
    what: "the developer portal application's client secret",
    variable: "VERIFY_PORTAL_CLIENT_SECRET",
    output: "portalClientSecret",
  },
} as const satisfies Record<string, Need>;

type NeedName = keyof typeof NEEDS;

/** `VERIFY_X_DEV` for the dev stack wins over `VERIFY_X`, which only a single-stack run reads. */
function fromEnv(env: Env, variable: string, stack: string, several: boolean): string | undefined {
  const suffixed = env[`${variable}_${stack.toUpperCase().replace(/[^A-Z0-9]/g, "_")}`];
  if (suffixed !== undefined && suffixed !== "") return suffixed;
  const plainValue = several ? undefined : env[variable];
  return plainValue === undefined || plainValue === "" ? undefined : plainValue;
}

/** One missing value on a line of its own: what it is, then where it may come from. */
function describe(need: Need, stack: string): string {
  const sources = [
    ...(need.output === undefined ? [] : [`the stack output ${need.output}`]),
    `${need.variable} (or ${need.variable}_${stack.toUpperCase().replace(/[^A-Z0-9]/g, "_")})`,
    ...(need.flag === undefined ? [] : [`--${need.flag.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`]),
    ...(need.also === undefined ? [] : [need.also]),
  ];
  return `- ${need.what}: ${sources.join(", ")}`;
}

export type InputsResult = { readonly ok: true; readonly inputs: VerifyInputs } | { readonly ok: false; readonly error: string };

/**
 * Gathers what verify needs for one stack: flags first, then variables, then the stack's own
 * outputs, read only when something is still missing. Fails naming everything that is.
 */
export async function verifyInputs(
  spec: TenantSpec,
  flags: InputFlags,
  env: Env,
  readOutputs: ReadOutputs,
  several: boolean,
): Promise<InputsResult> {
  const { stack } = spec;
  const privateKeyJwt = spec.importJob.authentication.method === "private_key_jwt";
  const wanted: NeedName[] = [
    "importJobClientId",
    privateKeyJwt ? "importJobPrivateKey" : "importJobClientSecret",
    ...(spec.testUser === undefined ? [] : (["testClientId", "testClientSecret", "testUserPassword"] as const)),
    ...(spec.gateway?.developerPortal === undefined ? [] : (["portalClientId", "portalClientSecret"] as const)),
  ];

  const values = new Map<NeedName, string>();
  const problems: string[] = [];
  for (const name of wanted) {
    const need: Need = NEEDS[name];
    const flag = need.flag === undefined || several ? undefined : flags[need.flag];
    const value = flag ?? fromEnv(env, need.variable, stack, several);
    if (value !== undefined) values.set(name, value);
  }
  if (privateKeyJwt && !values.has("importJobPrivateKey") && flags.importJobKeyFile !== undefined && !several) {
    try {
      values.set("importJobPrivateKey", readFileSync(flags.importJobKeyFile, "utf8"));
    } catch (error) {
      problems.push(`cannot read --import-job-key-file ${flags.importJobKeyFile}: ${fileReason(error)}`);
    }
  }

  const fromOutputs = wanted.filter((name) => !values.has(name) && (NEEDS[name] as Need).output !== undefined);
  if (fromOutputs.length > 0) {
    let outputs: StackOutputs | undefined;
    try {
      outputs = await readOutputs(stack);
    } catch (error) {
      problems.push(`could not read the stack's outputs: ${pulumiProblem(error, "give the values below by variable or flag")}`);
    }
    for (const name of fromOutputs) {
      const value = outputs?.[(NEEDS[name] as Need).output ?? ""];
      if (typeof value === "string" && value !== "") values.set(name, value);
    }
  }

  const missing = wanted.filter((name) => !values.has(name));
  if (missing.length > 0) {
    // One value a line: a list of five values and their sources on one line is unreadable.
    const lines = [
      ...problems,
      `missing ${missing.length === 1 ? "a value" : `${missing.length} values`}; give each in one of the ways listed:`,
      ...missing.map((name) => describe(NEEDS[name], stack)),
    ];
    return { ok: false, error: lines.join("\n") };
  }
  const get = (name: NeedName): string => values.get(name) ?? "";
  const { authentication } = spec.importJob;
  const auth: ImportJobAuth =
    authentication.method === "private_key_jwt"
      ? { method: "private_key_jwt", privateKeyPem: get("importJobPrivateKey"), algorithm: authentication.algorithm }
      : { method: authentication.method, secret: get("importJobClientSecret") };
  return {
    ok: true,
    inputs: {
      importJob: { clientId: get("importJobClientId"), auth },
      ...(spec.testUser === undefined
        ? {}
        : {
            testUser: {
              clientId: get("testClientId"),
              clientSecret: get("testClientSecret"),
              email: spec.testUser.email,
              password: get("testUserPassword"),
            },
          }),
      ...(spec.gateway?.developerPortal === undefined
        ? {}
        : { portalClient: { clientId: get("portalClientId"), clientSecret: get("portalClientSecret") } }),
      // The spec names the gateway's address; a flag or variable points verify at another (a local one in tests).
      ...(spec.gateway === undefined
        ? {}
        : {
            gatewayUrl:
              (several ? undefined : flags.gatewayUrl) ?? fromEnv(env, "VERIFY_GATEWAY_URL", stack, several) ?? gatewayUrl(spec.gateway),
          }),
    },
  };
}
