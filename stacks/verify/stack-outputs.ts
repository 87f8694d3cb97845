import { LocalWorkspace } from "@pulumi/pulumi/automation";
import { backendEnvironment } from "../runner";
import { REPO_ROOT } from "../stack-config";

/** A stack's outputs by name, secrets decrypted: held in memory, never printed. */
export type StackOutputs = Readonly<Record<string, unknown>>;
export type ReadOutputs = (stack: string) => Promise<StackOutputs>;

/**
 * Reads a deployed stack's outputs through the Automation API: this repository as a local
 * program, the stack selected (never created), on the backend `npm run up` uses (the local
 * file backend unless PULUMI_BACKEND_URL names another). Decrypting the secret outputs takes
 * what the stack's secrets provider needs (PULUMI_CONFIG_PASSPHRASE, or the cloud key's access).
 */
export function stackOutputsReader(env: NodeJS.ProcessEnv): ReadOutputs {
  const envVars = Object.fromEntries(
    Object.entries(backendEnvironment(env)).filter((entry): entry is [string, string] => entry[1] !== undefined),
  );
  return async (stack) => {
    const selected = await LocalWorkspace.selectStack({ stackName: stack, workDir: REPO_ROOT }, { envVars });
    const outputs = await selected.outputs();
    return Object.fromEntries(Object.entries(outputs).map(([name, output]) => [name, output.value as unknown]));
  };
}
