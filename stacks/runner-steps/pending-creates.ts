import { z } from "zod";

/**
 * A create Pulumi started and never saw finish (the process was killed, the runner cancelled):
 * `pulumi stack export` keeps it under `deployment.pending_operations` with `type: "creating"`
 * and the inputs it sent, but no id. The object may exist in the tenant, or not.
 */
export interface PendingCreate {
  readonly urn: string;
  /** The resource type token, e.g. `auth0:index/client:Client`. */
  readonly type: string;
  /** The inputs as the engine recorded them (secret ones stay encrypted and are never read here). */
  readonly inputs: Readonly<Record<string, unknown>>;
}

/** The interrupted operations of a stack's state. */
export interface PendingOperations {
  readonly creates: readonly PendingCreate[];
  /** Updates, deletes and others: a refresh settles these, so they are only counted. */
  readonly others: number;
}

const exportedState = z.object({
  deployment: z
    .object({
      pending_operations: z
        .array(
          z.object({
            type: z.string(),
            resource: z.object({ urn: z.string(), type: z.string(), inputs: z.record(z.string(), z.unknown()).optional() }),
          }),
        )
        .nullish(),
    })
    .nullish(),
});

/** The pending operations of a `pulumi stack export`; a text that is no export is a one-line problem. */
export function pendingOperations(exported: string): PendingOperations | { readonly error: string } {
  let json: unknown;
  try {
    json = JSON.parse(exported);
  } catch {
    return { error: "`pulumi stack export` did not print JSON" };
  }
  const parsed = exportedState.safeParse(json);
  if (!parsed.success)
    return { error: `\`pulumi stack export\` printed no state this runner can read (${parsed.error.issues[0]?.message ?? "unknown"})` };
  const operations = parsed.data.deployment?.pending_operations ?? [];
  const creates = operations
    .filter((op) => op.type === "creating")
    .map((op) => ({ urn: op.resource.urn, type: op.resource.type, inputs: op.resource.inputs ?? {} }));
  return { creates, others: operations.length - creates.length };
}

/** The resource's name in the program, the last part of its URN. */
export function resourceName(urn: string): string {
  return urn.slice(urn.lastIndexOf("::") + 2);
}
