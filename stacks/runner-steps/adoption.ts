import type { AdoptionSpec } from "../../infra/config/spec";

/** The ids of `timesheets:adopt`, each with the key that names it. */
function adoptedIds(adopt: AdoptionSpec): { key: string; id: string }[] {
  return Object.entries(adopt)
    .filter((entry): entry is [string, string] => typeof entry[1] === "string")
    .map(([key, id]) => ({ key: `adopt.${key}`, id }));
}

/** The ids of the custom resources in a `pulumi stack export`, and how many there are; undefined when it cannot be read. */
export function stateIds(exported: string): { ids: Set<string>; resources: number } | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(exported);
  } catch {
    return undefined;
  }
  const resources = (parsed as { deployment?: { resources?: unknown } }).deployment?.resources;
  if (!Array.isArray(resources)) return { ids: new Set(), resources: 0 };
  const custom = resources.filter(
    (r): r is { id: string; type: string } =>
      typeof r === "object" && r !== null && typeof (r as { id?: unknown }).id === "string" && (r as { custom?: unknown }).custom === true,
  );
  // Providers are custom resources of the engine's own, not the tenant's.
  const tenant = custom.filter((r) => !r.type.startsWith("pulumi:providers:"));
  return { ids: new Set(tenant.map((r) => r.id)), resources: tenant.length };
}

/**
 * What the runner says about a `timesheets:adopt` block, from the stack's state. Pulumi imports
 * an id only while no resource of the state holds it; once every adopted object is in the state
 * the block does nothing, until one of them is deleted in Auth0 and a refresh drops it: then the
 * block asks for an import of an object that no longer exists, and `up` fails.
 */
export function adoptionNotes(stack: string, adopt: AdoptionSpec, state: { ids: Set<string>; resources: number }): string[] {
  const adopted = adoptedIds(adopt);
  if (adopted.length === 0) return [];
  const file = `Pulumi.${stack}.yaml`;
  const missing = adopted.filter(({ id }) => !state.ids.has(id));
  if (missing.length === 0) {
    return [
      `note: the adoption is done: every id under timesheets:adopt is in the state of ${stack}. Remove the timesheets:adopt block from ${file}: left in place, an adopted object later deleted in Auth0 and refreshed out of the state would make \`up\` import it again and fail ("does not exist")`,
    ];
  }
  // A stack with nothing in its state is adopting now: the imports are what is wanted.
  if (state.resources === 0) return [];
  return missing.map(
    ({ key, id }) =>
      `warning: timesheets:${key} (${id}) is not in the state of ${stack}, which has been deployed: if the object was deleted in Auth0 (and a refresh dropped it), remove ${key} from ${file}, or \`up\` fails importing it ("does not exist"); without the key, \`up\` creates it`,
  );
}
