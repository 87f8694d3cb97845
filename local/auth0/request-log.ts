/** One request the stand-in answered, for tests that assert which calls were made. */
export interface RequestLogEntry {
  method: string;
  /** The path as sent, still percent-encoded (e.g. `/api/v2/resource-servers/https:%2F%2Fapi`). */
  path: string;
  /** First value of each query parameter. */
  query: Record<string, string>;
  status: number;
  /** When the request arrived, ISO 8601. */
  time: string;
  durationMs: number;
}

/** Counts entries matching a method and a path (exact string, or a pattern). */
export function countRequests(entries: readonly RequestLogEntry[], method?: string, path?: string | RegExp): number {
  return entries.filter(
    (entry) =>
      (method === undefined || entry.method === method) &&
      (path === undefined || (typeof path === "string" ? entry.path === path : path.test(entry.path))),
  ).length;
}

/**
 * Adds an entry to a log that keeps at most `capacity` of the latest (a ring: the oldest go
 * first). Local mode keeps none: a long-running server must not grow with every request.
 */
export function record(log: RequestLogEntry[], entry: RequestLogEntry, capacity: number): void {
  if (capacity <= 0) return;
  log.push(entry);
  if (log.length > capacity) log.splice(0, log.length - capacity);
}
