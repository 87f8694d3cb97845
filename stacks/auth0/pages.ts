import { isDeepStrictEqual } from "node:util";
import { z } from "zod";
import { getParsed, type Answer, type GetOptions } from "./answer";
import type { ManagementSession } from "./session";

/** The largest page Auth0 serves: fewer calls for a big tenant. */
export const PAGE_SIZE = 100;
/** No tenant of ours has this many of anything; a list that claims to is not believed. */
const MAX_ITEMS = 10_000;

/**
 * A page is first checked to hold a list of at most a page's items, which costs nothing per
 * item; only then are its items parsed. The work of parsing (and of collecting what does not
 * fit) is so bounded by the page size, not by what the answer holds.
 */
function boundedPage<S extends z.ZodType>(key: string, envelope: S): z.ZodType<z.output<S>> {
  const full = envelope as unknown as z.ZodType<z.output<S>, Record<string, unknown[]>>;
  return z.looseObject({ [key]: z.array(z.unknown()).max(PAGE_SIZE) }).pipe(full);
}

const failed = (message: string): Answer<never> => ({ ok: false, notFound: false, problem: { message } });

/** A later page's problem says which page it was; the first page's is the call's. */
function onPage<T>(page: number, answer: Answer<T>): Answer<T> {
  if (answer.ok || page === 1) return answer;
  return { ...answer, problem: { ...answer.problem, message: `page ${page}: ${answer.problem.message}` } };
}

/**
 * Keeps one of each id. The same object twice (a list that moved while it was read) is kept
 * once; the same id with different contents cannot be told apart, so the list is not used.
 */
function addUnique<T>(items: Map<string, T>, page: readonly T[], id: (item: T) => string, where: string): string | undefined {
  for (const item of page) {
    const key = id(item);
    const seen = items.get(key);
    if (seen !== undefined && !isDeepStrictEqual(seen, item)) return `${key} appears twice, with different contents (${where})`;
    items.set(key, item);
  }
  return undefined;
}

/**
 * Every item of an offset-paged list read with `include_totals`: `{start, limit, total, <key>}`
 * per page. The list is complete only when each page starts where the last ended, holds as
 * many items as it should, every page says the same total, and the distinct items add up to it.
 */
export async function offsetPages<S extends z.ZodType>(
  session: ManagementSession,
  path: string,
  query: Readonly<Record<string, string | number | boolean>>,
  key: string,
  item: S,
  id: (item: z.output<S>) => string,
  options: GetOptions,
): Promise<Answer<z.output<S>[]>> {
  const envelope = boundedPage(
    key,
    z.looseObject({
      start: z.number().int().min(0),
      limit: z.number().int().min(0),
      total: z.number().int().min(0).max(MAX_ITEMS),
      [key]: z.array(item),
    }),
  );
  const items = new Map<string, z.output<S>>();
  let total: number | undefined;
  for (let page = 0; ; page += 1) {
    const answer = await getParsed(session, path, { ...query, page, per_page: PAGE_SIZE, include_totals: true }, envelope, options);
    if (!answer.ok) return onPage(page + 1, answer.notFound ? failed("404 Not Found") : answer);
    const body = answer.value as { start: number; limit: number; total: number } & Record<string, z.output<S>[]>;
    const list = body[key] ?? [];
    const where = `page ${page + 1}`;
    if (total !== undefined && body.total !== total)
      return failed(`the total changed from ${total} to ${body.total} while the list was read (${where})`);
    total = body.total;
    if (body.start !== page * PAGE_SIZE) return failed(`${where} starts at item ${body.start}, expected ${page * PAGE_SIZE}`);
    const expected = Math.max(0, Math.min(PAGE_SIZE, total - page * PAGE_SIZE));
    if (list.length !== expected)
      return failed(`${where} holds ${list.length} item(s) where a list of ${total} must hold ${expected}: the list is not complete`);
    const clash = addUnique(items, list, id, where);
    if (clash !== undefined) return failed(clash);
    if ((page + 1) * PAGE_SIZE >= total) break;
  }
  if (items.size !== total) return failed(`${items.size} distinct item(s) read where the list says ${total}: it changed while it was read`);
  return { ok: true, value: [...items.values()] };
}

/**
 * Every item of a checkpoint-paged list: `{<key>, next}` per page, `next` absent on the last.
 * A page larger than asked for, a `next` seen before, or a page with a `next` and no items
 * (it would never end) makes the list unusable.
 */
export async function checkpointPages<S extends z.ZodType>(
  session: ManagementSession,
  path: string,
  query: Readonly<Record<string, string | number | boolean>>,
  key: string,
  item: S,
  id: (item: z.output<S>) => string,
  options: GetOptions,
): Promise<Answer<z.output<S>[]>> {
  const envelope = boundedPage(key, z.looseObject({ [key]: z.array(item), next: z.string().min(1).optional() }));
  const items = new Map<string, z.output<S>>();
  const checkpoints = new Set<string>();
  let from: string | undefined;
  for (let page = 1; ; page += 1) {
    const answer = await getParsed(
      session,
      path,
      { ...query, take: PAGE_SIZE, ...(from === undefined ? {} : { from }) },
      envelope,
      options,
    );
    if (!answer.ok) return onPage(page, answer.notFound ? failed("404 Not Found") : answer);
    const body = answer.value as { next?: string } & Record<string, z.output<S>[]>;
    const list = body[key] ?? [];
    const where = `page ${page}`;
    if (list.length > PAGE_SIZE) return failed(`${where} holds ${list.length} items where at most ${PAGE_SIZE} were asked for`);
    const clash = addUnique(items, list, id, where);
    if (clash !== undefined) return failed(clash);
    if (body.next === undefined) break;
    if (list.length === 0) return failed(`${where} holds no items but points to a next page`);
    if (checkpoints.has(body.next)) return failed(`${where} points back to a page already read`);
    if (items.size > MAX_ITEMS) return failed(`the list runs past ${MAX_ITEMS} items`);
    checkpoints.add(body.next);
    from = body.next;
  }
  return { ok: true, value: [...items.values()] };
}
