import { accessSync, constants } from "node:fs";
import path from "node:path";

/** The one line a user without the Pulumi CLI sees, from every entry of local mode. */
export const NO_PULUMI_CLI =
  "error: the Pulumi CLI is not on PATH, and npm run local deploys with it: install it from https://www.pulumi.com/docs/install/ (or serve without deploying: npm run local -- --serve-only)";

/** Whether an executable `pulumi` is on PATH: looked up before anything is started, the way a shell would find it. */
export function pulumiOnPath(env: NodeJS.ProcessEnv): boolean {
  const names = process.platform === "win32" ? ["pulumi.exe", "pulumi.cmd"] : ["pulumi"];
  for (const folder of (env.PATH ?? "").split(path.delimiter)) {
    if (folder === "") continue;
    for (const name of names) {
      try {
        accessSync(path.join(folder, name), constants.X_OK);
        return true;
      } catch {
        // Not here.
      }
    }
  }
  return false;
}
