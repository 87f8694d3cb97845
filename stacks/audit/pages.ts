import type { Page } from "auth0";

/**
 * Every item of a list endpoint, page by page, through the SDK's own paging (checkpoint
 * `next` or page numbers). Where Auth0 says the total (offset paging with include_totals),
 * stop as soon as it is reached: the SDK would otherwise ask for one more, empty, page
 * whenever the last page is full.
 */
export async function collectPages<T, R>(first: Page<T, R>): Promise<T[]> {
  const items = [...first.data];
  let page = first;
  while (page.hasNextPage()) {
    const total = totalOf(page.response);
    if (total !== undefined && items.length >= total) break;
    page = await page.getNextPage();
    if (page.data.length === 0) break;
    items.push(...page.data);
  }
  return items;
}

function totalOf(response: unknown): number | undefined {
  if (typeof response !== "object" || response === null || !("total" in response)) return undefined;
  return typeof response.total === "number" ? response.total : undefined;
}
