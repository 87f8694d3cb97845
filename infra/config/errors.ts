import { CONFIG_NAMESPACE } from "./schema";

export interface ConfigProblem {
  /**
   * The key as a user writes it after `timesheets:`, e.g. `domain` or `apim.backendUrl`; a key
   * of another namespace is given in full (`auth0:clientSecret`).
   */
  readonly key: string;
  readonly message: string;
}

/** A problem's key as written in the stack file. */
export function fullKey(problem: ConfigProblem): string {
  return problem.key.includes(":") ? problem.key : `${CONFIG_NAMESPACE}:${problem.key}`;
}

/** Invalid stack config: every problem found, each naming its file and key. */
export class TenantConfigError extends Error {
  constructor(
    readonly stackName: string,
    readonly problems: readonly ConfigProblem[],
  ) {
    super(
      [
        `Stack "${stackName}" has invalid config in Pulumi.${stackName}.yaml (nothing was changed):`,
        ...problems.map((p) => `  ${fullKey(p)}: ${p.message}`),
      ].join("\n"),
    );
    this.name = "TenantConfigError";
  }
}
