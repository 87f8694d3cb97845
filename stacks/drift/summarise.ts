import type { RefreshPreview, RefreshStep } from "./refresh-preview";

/** A resource whose live state no longer matches what the stack's state says. */
export interface ResourceChange {
  readonly urn: string;
  readonly type: string;
  /** The resource's name, from its URN. */
  readonly name: string;
  /** `update`: changed out of band; `delete`: gone from the cloud. */
  readonly op: string;
  readonly properties: readonly string[];
}

export interface StateDrift {
  readonly changes: readonly ResourceChange[];
  readonly unchanged: number;
  /**
   * Changes the engine counted but sent no event for (an old CLI, a lost event): the
   * summary then says how many, even if it cannot say which.
   */
  readonly unattributed: number;
}

/** Ops that leave the state as it is: nothing drifted. */
const UNCHANGED = new Set(["same", "read", "refresh"]);
/** The stack itself is not a cloud resource; its outputs follow the others. */
const STACK_TYPE = "pulumi:pulumi:Stack";

export function nameOf(urn: string): string {
  return urn.split("::").at(-1) ?? urn;
}

/**
 * Which resources drifted. A refresh step turns into same, update or delete as the engine
 * processes it; a step still marked `refresh` counts as changed only when it names differences.
 * Each resource shows up in several events (before and after); the last word wins.
 */
export function summariseRefresh(preview: RefreshPreview): StateDrift {
  const last = new Map<string, RefreshStep>();
  for (const step of preview.steps) {
    if (step.type === STACK_TYPE) continue;
    const previous = last.get(step.urn);
    // A later event without a verdict must not hide an earlier one that had it.
    if (previous !== undefined && isChange(previous) && !isChange(step)) continue;
    last.set(step.urn, step);
  }
  const changes = [...last.values()]
    .filter(isChange)
    .map((step) => ({
      urn: step.urn,
      type: step.type,
      name: nameOf(step.urn),
      op: step.op === "refresh" ? "update" : step.op,
      properties: step.properties,
    }))
    .sort((a, b) => a.type.localeCompare(b.type) || a.name.localeCompare(b.name));
  const counted = Object.entries(preview.changeSummary)
    .filter(([op]) => !UNCHANGED.has(op))
    .reduce((sum, [, count]) => sum + count, 0);
  return {
    changes,
    unchanged: [...last.values()].length - changes.length,
    unattributed: Math.max(0, counted - changes.length),
  };
}

function isChange(step: RefreshStep): boolean {
  if (step.op === "refresh") return step.properties.length > 0;
  return !UNCHANGED.has(step.op);
}
