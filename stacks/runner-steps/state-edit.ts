import type { PendingPlan } from "./pending-decision";

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json => typeof value === "object" && value !== null && !Array.isArray(value);

/**
 * The stack's state with its interrupted creates settled, as `pulumi stack import` takes it: each
 * adopted create becomes a resource of the state with the tenant's id (its inputs, parent,
 * provider and dependencies as the create recorded them; its outputs are read by the refresh that
 * follows), and each create to be made again is dropped. Every other field and pending operation
 * stays as exported. Pure.
 *
 * Why not `pulumi refresh --import-pending-creates URN ID`: the pinned CLI (v3.248.0) turns the
 * create into a pending import and the refresh then drops it without reading it, so the object
 * is not in the state and the update would create a second one
 * (test/engine/pending-creates.engine.ts shows both).
 */
export function settledState(exported: string, plan: PendingPlan): string {
  const parsed: unknown = JSON.parse(exported);
  if (!isObject(parsed) || !isObject(parsed.deployment)) throw new Error("`pulumi stack export` printed no deployment");
  const deployment = parsed.deployment;
  const operations = Array.isArray(deployment.pending_operations) ? (deployment.pending_operations as unknown[]) : [];
  const adoptedIds = new Map(plan.adopt.map(({ urn, id }) => [urn, id]));
  const settled = new Set([...plan.adopt, ...plan.create].map(({ urn }) => urn));
  const creates = (op: unknown): op is { type: "creating"; resource: Json & { urn: string } } =>
    isObject(op) && op.type === "creating" && isObject(op.resource) && typeof op.resource.urn === "string";
  // In the order the engine started them, so that what one depends on comes before it.
  const adopted = operations
    .filter(creates)
    .filter((op) => adoptedIds.has(op.resource.urn))
    .map((op) => ({ ...op.resource, custom: true, id: adoptedIds.get(op.resource.urn) }));
  const pending = operations.filter((op) => !(creates(op) && settled.has(op.resource.urn)));
  const resources = Array.isArray(deployment.resources) ? (deployment.resources as unknown[]) : [];
  return JSON.stringify({ ...parsed, deployment: { ...deployment, resources: [...resources, ...adopted], pending_operations: pending } });
}
