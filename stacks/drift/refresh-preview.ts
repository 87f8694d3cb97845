import type { EngineEvent, StepEventMetadata } from "@pulumi/pulumi/automation";
import { LocalWorkspace, StackNotFoundError } from "@pulumi/pulumi/automation";

/** One resource as a refresh preview saw it. */
export interface RefreshStep {
  /** What a refresh would do to the resource's state: same, update, delete, ... */
  readonly op: string;
  readonly urn: string;
  readonly type: string;
  /** Properties that differ, where the engine says. */
  readonly properties: readonly string[];
}

export interface RefreshPreview {
  readonly steps: readonly RefreshStep[];
  /** The engine's own count per operation, e.g. `{ same: 9, update: 1 }`. */
  readonly changeSummary: Readonly<Record<string, number>>;
}

/**
 * What the drift check needs of Pulumi: a refresh preview of an existing stack. Behind this
 * interface because the real one needs the Pulumi CLI and a backend; tests pass a fake.
 */
export interface StateWorkspace {
  previewRefresh(stack: string, onOutput: (text: string) => void): Promise<RefreshPreview>;
}

/** Why a refresh preview could not run, in words a person can act on (the fix is the caller's, from stacks/fixes.ts). */
export class WorkspaceError extends Error {}

/** The stack has no state in this backend: never deployed there. */
export class StackNotDeployed extends WorkspaceError {}

/** No Pulumi CLI to run the preview with. */
export class CliNotInstalled extends WorkspaceError {}

export function refreshStep(metadata: StepEventMetadata): RefreshStep {
  const properties = metadata.detailedDiff ? Object.keys(metadata.detailedDiff) : (metadata.diffs ?? []);
  return { op: metadata.op, urn: metadata.urn, type: metadata.type, properties: [...properties].sort() };
}

function stepOf(event: EngineEvent): RefreshStep | undefined {
  const metadata = event.resOutputsEvent?.metadata ?? event.resourcePreEvent?.metadata;
  return metadata === undefined ? undefined : refreshStep(metadata);
}

/**
 * This repository as a local program, through the Automation API. `selectStack` never creates
 * a stack and `previewRefresh` (`pulumi refresh --preview-only`) never writes state: a drift
 * check must leave the stack exactly as it found it.
 */
export function automationWorkspace(workDir: string, envVars: Readonly<Record<string, string>>): StateWorkspace {
  return {
    async previewRefresh(stackName, onOutput) {
      let stack;
      try {
        stack = await LocalWorkspace.selectStack({ stackName, workDir }, { envVars: { ...envVars } });
      } catch (error) {
        if (error instanceof StackNotFoundError) {
          throw new StackNotDeployed(`the stack "${stackName}" does not exist in this backend; the drift check never creates stacks`);
        }
        if (error instanceof Error && /ENOENT/.test(error.message)) {
          throw new CliNotInstalled(
            "the Pulumi CLI is not installed (or not on PATH): the state drift check runs `pulumi refresh --preview-only` through the Automation API. Install it from https://www.pulumi.com/docs/install/",
          );
        }
        throw error;
      }
      const steps: RefreshStep[] = [];
      const result = await stack.previewRefresh({
        onOutput,
        onEvent: (event) => {
          const step = stepOf(event);
          if (step !== undefined) steps.push(step);
        },
      });
      return { steps, changeSummary: result.changeSummary };
    },
  };
}
