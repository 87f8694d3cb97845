import type { Capture } from "../../stacks/runner-steps/pulumi-cli";

/** What `pulumi stack export` prints for a stack with no resource and nothing pending. */
export const EMPTY_STATE = JSON.stringify({ version: 3, deployment: { manifest: {}, resources: [] } });

/** A stand-in CLI's `capture` for a test that plays the CLI's deploys: its export is a stack with nothing pending. */
export const exportsEmptyState: Capture = () => Promise.resolve({ code: 0, stdout: EMPTY_STATE });
