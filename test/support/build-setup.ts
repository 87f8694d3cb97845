import { ensureBuilt } from "../../stacks/build/ensure-built";
import { REPO_ROOT } from "../../stacks/stack-config";

// The tests that run the built program and policy pack (and the engine's `--policy-pack policy`)
// see the build of the sources under test: built once here, before any test file starts.
export default async function setup(): Promise<void> {
  await ensureBuilt(REPO_ROOT);
}
