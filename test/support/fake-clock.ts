/**
 * Runs `work` with the sleeps it takes before a retry (a timer of `fromMs` to `toMs`, such as the
 * SDK's wait for a 429's Retry-After) fired at once, so that they cost no real time. Shorter
 * timers, and longer ones such as a request's timeout, run as they are: I/O still happens for
 * real, and a timeout cannot fire early while an answer is on its way. `Date` is not touched.
 */
export async function withoutRetrySleeps<T>(work: () => Promise<T>, fromMs = 200, toMs = 30_000): Promise<T> {
  const realSetTimeout = globalThis.setTimeout;
  const skipping = ((handler: (...args: unknown[]) => void, delay?: number, ...args: unknown[]) =>
    realSetTimeout(handler, delay !== undefined && delay >= fromMs && delay <= toMs ? 0 : delay, ...args)) as typeof setTimeout;
  globalThis.setTimeout = Object.assign(skipping, realSetTimeout);
  try {
    return await work();
  } finally {
    globalThis.setTimeout = realSetTimeout;
  }
}
