import { z } from "zod";
import { decodeCursor, encodeCursor } from "./ids.js";
import { badRequest } from "./errors.js";
import { queryBoolean, queryInteger, type JsonObject } from "./validation.js";

// Auth0 pages lists two ways. Offset pagination (`page`, `per_page`, `include_totals`) answers a
// bare array, or `{start, limit, total, <key>}` with totals. Checkpoint pagination (`from`,
// `take`) answers `{<key>, next}`, `next` being absent on the last page. Endpoints that offer
// both switch to checkpoints as soon as `from` or `take` is present (the v7 SDK sends `take`
// together with `include_totals`, and Auth0 then ignores the totals).

export const offsetQuery = {
  page: queryInteger(0, 1_000_000).optional(),
  per_page: queryInteger(1, 100).optional(),
  include_totals: queryBoolean.optional(),
};

export const checkpointQuery = {
  from: z.string().optional(),
  take: queryInteger(1, 100).optional(),
};

export const fieldsQuery = {
  fields: z.string().optional(),
  include_fields: queryBoolean.optional(),
};

export interface OffsetParams {
  page?: number | undefined;
  per_page?: number | undefined;
  include_totals?: boolean | undefined;
}

export interface EnvelopeExtras {
  /** Recorded for user searches: `length`, the number of documents on the page. */
  withLength?: boolean;
  /**
   * Recorded for client lists asked for a `page`: `length: 0` and `next: ""` beside the
   * totals, whatever the page holds. Undocumented; reproduced as recorded.
   */
  pagedClients?: boolean;
}

export function offsetPage<T>(items: readonly T[], key: string, params: OffsetParams, extras: EnvelopeExtras = {}): unknown {
  const perPage = params.per_page ?? 50;
  const page = params.page ?? 0;
  const slice = items.slice(page * perPage, page * perPage + perPage);
  if (!params.include_totals) return slice;
  const envelope: Record<string, unknown> = { start: page * perPage, limit: perPage, total: items.length, [key]: slice };
  if (extras.withLength) envelope.length = slice.length;
  if (extras.pagedClients && params.page !== undefined) Object.assign(envelope, { length: 0, next: "" });
  return envelope;
}

export interface CheckpointParams {
  from?: string | undefined;
  take?: number | undefined;
}

export function checkpointPage<T>(items: readonly T[], key: string, params: CheckpointParams): unknown {
  const start = params.from === undefined ? 0 : decodeCursor(params.from);
  if (start === undefined) throw badRequest("Invalid value for 'from' parameter", "invalid_query_string");
  const take = params.take ?? 50;
  const slice = items.slice(start, start + take);
  const next = start + take < items.length ? encodeCursor(start + take) : undefined;
  return next === undefined ? { [key]: slice } : { [key]: slice, next };
}

/**
 * Checkpoint paging keyed by id, as Auth0 documents `from` for client grants ("Id from which
 * to start selection"): items in id order, each page the next `take` items from the id the
 * cursor names. An item deleted or created between two pages moves no other item, so a change
 * during a read can only add or drop the changed item itself, never shift one out of sight.
 */
export function keyedCheckpointPage<T>(items: readonly T[], key: string, params: CheckpointParams, idOf: (item: T) => string): unknown {
  let fromId = "";
  if (params.from !== undefined) {
    const match = /^id:(.+)$/.exec(Buffer.from(params.from, "base64url").toString());
    if (match?.[1] === undefined) throw badRequest("Invalid value for 'from' parameter", "invalid_query_string");
    fromId = match[1];
  }
  const take = params.take ?? 50;
  const ordered = [...items].sort((a, b) => (idOf(a) < idOf(b) ? -1 : idOf(a) > idOf(b) ? 1 : 0)).filter((item) => idOf(item) >= fromId);
  const slice = ordered.slice(0, take);
  const following = ordered[take];
  if (following === undefined) return { [key]: slice };
  return { [key]: slice, next: Buffer.from(`id:${idOf(following)}`).toString("base64url") };
}

export const usesCheckpoints = (params: CheckpointParams): boolean => params.from !== undefined || params.take !== undefined;

export interface FieldsParams {
  fields?: string | undefined;
  include_fields?: boolean | undefined;
}

/**
 * Applies `fields`/`include_fields`. `alwaysIncluded` lists the properties Auth0 answers even
 * when they were not asked for (recorded: `signing_keys` on clients; `id`,
 * `is_domain_connection`, `authentication`, `connected_accounts` on connections).
 */
export function selectFields(document: JsonObject, params: FieldsParams, alwaysIncluded: readonly string[] = []): JsonObject {
  if (params.fields === undefined || params.fields === "") return document;
  const named = new Set(params.fields.split(",").map((field) => field.trim()));
  const include = params.include_fields ?? true;
  const selected: JsonObject = {};
  for (const [key, value] of Object.entries(document)) {
    if (named.has(key) === include || (include && alwaysIncluded.includes(key))) selected[key] = value;
  }
  return selected;
}
