import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { LocalMode } from "../../../local/local-mode";
import { main, type LocalIo } from "../../../stacks/local/main";
import { exportsEmptyState } from "../../support/empty-state";

/** A folder of its own for one test's `.local/`, so that tests never share a tenant or a port. */
export function localFolder(): string {
  return mkdtempSync(path.join(tmpdir(), "local-mode-"));
}

export interface LocalRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  /** What served, while it served (undefined where nothing was started). */
  readonly local: LocalMode | undefined;
}

/** `npm run local -- <args>` in-process, on any free ports (0) unless the args name others. */
export async function runLocal(args: readonly string[], io: Partial<LocalIo> & { folder: string }): Promise<LocalRun> {
  let stdout = "";
  let stderr = "";
  let local: LocalMode | undefined;
  const code = await main(["--auth0-port", "0", "--gateway-port", "0", ...args], {
    env: {},
    // A test that plays the CLI's deploys plays its export too: a stack with no interrupted operation.
    ...(io.exec === undefined ? {} : { capture: exportsEmptyState }),
    ...io,
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text) },
    onServing: (started) => {
      local = started;
      io.onServing?.(started);
    },
  });
  return { code, stdout, stderr, local };
}
