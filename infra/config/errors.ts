import { CONFIG_NAMESPACE } from "./schema";

export interface ConfigProblem {
  /** The key as a user writes it in `pulumi config set`, e.g. `domain` or `apim.backendUrl`. */
  readonly key: string;
  readonly message: string;
}

/** Invalid stack config: every problem found, each naming its key. */
export class TenantConfigError extends Error {
  constructor(
    readonly stackName: string,
    readonly problems: readonly ConfigProblem[],
  ) {
    super(
      [
        `Stack "${stackName}" has invalid config (nothing was changed):`,
        ...problems.map((p) => `  ${CONFIG_NAMESPACE}:${p.key}: ${p.message}`),
      ].join("\n"),
    );
    this.name = "TenantConfigError";
  }
}
