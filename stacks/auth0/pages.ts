import { isDeepStrictEqual } from "node:util";
import { z } from "zod";
import { getParsed, type Answer, type GetOptions } from "./answer";
import type { ManagementSession } from "./session";

/** The largest page Auth0 serves: fewer calls for a big tenant. */
export const PAGE_SIZE = 100;
/** No tenant of ours has this many of anything; a list that claims to is not believed. */
export const MAX_ITEMS = 10_000;
/** The most pages one read of a list asks for: MAX_ITEMS in full pages, never more, whatever the answers say. */
export const MAX_PAGES = MAX_ITEMS / PAGE_SIZE;

/**
 * Whether a checkpoint-paged list must stop before asking for page `page + 1`: a page that
 * brings no item not read before yet points further (the same items again, with a new
 * checkpoint each time, would be asked for until the time budget ends, against a rate limit the
 * tenant's own traffic shares), or a next page past what any list of ours needs. (An
 * offset-paged list asks for the pages its total needs and no more; its total is at most
 * MAX_ITEMS.)
 */
export function pagingStops(page: number, fresh: number): string | undefined {
  if (fresh === 0)
    return `page ${page} brings no item not read before, yet points to a next page: the list would never end; not read further`;
  if (page >= MAX_PAGES)
    return `the list points past page ${MAX_PAGES} (${MAX_ITEMS} items), more pages than any list of ours needs; not read further`;
  return undefined;
}

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
 * One pass over an offset-paged list read with `include_totals`: `{start, limit, total, <key>}`
 * per page. The pass is whole only when each page starts where the last ended, holds as many
 * items as it should, every page says the same total, and the distinct items add up to it.
 */
async function offsetPass<S extends z.ZodType>(
  session: ManagementSession,
  path: string,
  query: Readonly<Record<string, string | number | boolean>>,
  key: string,
  item: S,
  id: (item: z.output<S>) => string,
  options: GetOptions,
): Promise<{ ok: true; items: Map<string, z.output<S>>; pages: number } | { ok: false; answer: Answer<never> }> {
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
  let page = 0;
  for (; ; page += 1) {
    const answer = await getParsed(session, path, { ...query, page, per_page: PAGE_SIZE, include_totals: true }, envelope, options);
    if (!answer.ok) return { ok: false, answer: onPage(page + 1, answer.notFound ? failed("404 Not Found") : answer) };
    const body = answer.value as { start: number; limit: number; total: number } & Record<string, z.output<S>[]>;
    const list = body[key] ?? [];
    const where = `page ${page + 1}`;
    if (total !== undefined && body.total !== total)
      return { ok: false, answer: failed(`the total changed from ${total} to ${body.total} while the list was read (${where})`) };
    total = body.total;
    if (body.start !== page * PAGE_SIZE)
      return { ok: false, answer: failed(`${where} starts at item ${body.start}, expected ${page * PAGE_SIZE}`) };
    const expected = Math.max(0, Math.min(PAGE_SIZE, total - page * PAGE_SIZE));
    if (list.length !== expected)
      return {
        ok: false,
        answer: failed(`${where} holds ${list.length} item(s) where a list of ${total} must hold ${expected}: the list is not complete`),
      };
    const clash = addUnique(items, list, id, where);
    if (clash !== undefined) return { ok: false, answer: failed(clash) };
    // The pages a total needs and no more: the total is at most MAX_ITEMS, so at most MAX_PAGES.
    if ((page + 1) * PAGE_SIZE >= total) break;
  }
  if (items.size !== total)
    return { ok: false, answer: failed(`${items.size} distinct item(s) read where the list says ${total}: it changed while it was read`) };
  return { ok: true, items, pages: page + 1 };
}

/**
 * Every item of an offset-paged list, for endpoints without checkpoint paging (clients,
 * connections by name). Offsets move when the list changes: an item deleted from a page already
 * read and another created after it shift an item from a later page onto that read page,
 * unseen, with the total unchanged. So a list that spans pages is read twice, and must be the
 * same both times, item for item.
 *
 * Why that is enough: hiding an item takes an item ahead of it leaving the list after its page
 * was read. Auth0 never reuses an id, so an item that was deleted is absent from every later
 * read; one that moved within the list shows up twice in the pass that hid the other (a clash,
 * or one distinct item short of the total). A pass that hid an item therefore differs from
 * the other pass, whichever of the two it was. A list of one page is one answer, which Auth0
 * gives whole: it is read once.
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
  const first = await offsetPass(session, path, query, key, item, id, options);
  if (!first.ok) return first.answer;
  if (first.pages === 1) return { ok: true, value: [...first.items.values()] };
  const second = await offsetPass(session, path, query, key, item, id, options);
  if (!second.ok) return onConfirming(second.answer);
  const gone = [...first.items.keys()].filter((key) => !second.items.has(key));
  const added = [...second.items.keys()].filter((key) => !first.items.has(key));
  const changed = [...first.items].filter(([key, value]) => second.items.has(key) && !isDeepStrictEqual(second.items.get(key), value));
  if (gone.length + added.length + changed.length > 0) {
    const said = [
      ...(gone.length > 0 ? [`${gone.length} gone (${gone.slice(0, 3).join(", ")})`] : []),
      ...(added.length > 0 ? [`${added.length} new (${added.slice(0, 3).join(", ")})`] : []),
      ...(changed.length > 0
        ? [
            `${changed.length} changed (${changed
              .slice(0, 3)
              .map(([key]) => key)
              .join(", ")})`,
          ]
        : []),
    ];
    return failed(`the list changed while it was read (between two reads: ${said.join(", ")}); run the command again`);
  }
  return { ok: true, value: [...first.items.values()] };
}

/** A problem of the confirming read says so. */
function onConfirming<T>(answer: Answer<T>): Answer<T> {
  if (answer.ok) return answer;
  return { ...answer, problem: { ...answer.problem, message: `reading it again to confirm: ${answer.problem.message}` } };
}

/**
 * Every item of a checkpoint-paged list: `{<key>, next}` per page, `next` absent on the last.
 * Auth0's checkpoint (`from`) names the item a page starts at, not a position, so a change
 * while the list is read adds or drops only the changed item: an item there from the first
 * page to the last is always read.
 * A page larger than asked for, a `next` seen before, a page with a `next` and nothing new
 * (it would never end), or more pages than MAX_PAGES makes the list unusable.
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
    const before = items.size;
    const clash = addUnique(items, list, id, where);
    if (clash !== undefined) return failed(clash);
    if (body.next === undefined) break;
    if (checkpoints.has(body.next)) return failed(`${where} points back to a page already read`);
    const stop = pagingStops(page, items.size - before);
    if (stop !== undefined) return failed(stop);
    checkpoints.add(body.next);
    from = body.next;
  }
  return { ok: true, value: [...items.values()] };
}
