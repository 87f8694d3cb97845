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
  /**
   * Resources whose only differences are properties the reader cannot see (see UNREADABLE):
   * neither drift nor "unchanged", and said as such in the report.
   */
  readonly notCompared: readonly ResourceChange[];
}

/**
 * Properties a refresh by the previewer cannot read, by resource type. The previewer has no
 * `read:client_keys` (docs/credentials.md), so Auth0 leaves a client's secret out of its answer
 * and the refresh reads it as empty: a difference the reader cannot establish, not drift. The
 * secret is the program's own (a random value), so a real `up` never loses it, and
 * `npm run verify` proves the deployed secret works.
 */
export const UNREADABLE: Readonly<Record<string, readonly string[]>> = {
  "auth0:index/clientCredentials:ClientCredentials": ["clientSecret"],
};

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
  const changed = [...last.values()]
    .filter(isChange)
    .map((step) => ({
      urn: step.urn,
      type: step.type,
      name: nameOf(step.urn),
      op: step.op === "refresh" ? "update" : step.op,
      properties: step.properties,
    }))
    .sort((a, b) => a.type.localeCompare(b.type) || a.name.localeCompare(b.name));
  const changes = changed.filter((change) => !onlyUnreadable(change));
  const notCompared = changed.filter(onlyUnreadable);
  const counted = Object.entries(preview.changeSummary)
    .filter(([op]) => !UNCHANGED.has(op))
    .reduce((sum, [, count]) => sum + count, 0);
  return {
    changes,
    unchanged: [...last.values()].length - changed.length,
    unattributed: Math.max(0, counted - changed.length),
    notCompared,
  };
}

/** An update whose every named difference is a property the reader cannot see; a delete or an unnamed change is never that. */
function onlyUnreadable(change: ResourceChange): boolean {
  const unreadable = UNREADABLE[change.type] ?? [];
  return change.op === "update" && change.properties.length > 0 && change.properties.every((p) => unreadable.includes(p));
}

function isChange(step: RefreshStep): boolean {
  if (step.op === "refresh") return step.properties.length > 0;
  return !UNCHANGED.has(step.op);
}
