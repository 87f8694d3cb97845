import { vi } from "vitest";

/**
 * Runs `work` with `setTimeout` on a fake clock that jumps to the next timer whenever the
 * work is waiting on one, so that a retry's sleep (the SDK's, after a 429's Retry-After)
 * costs no real time. I/O still happens for real: between jumps the event loop runs.
 * `Date` stays real, so a deadline computed from it is not moved.
 */
export async function withFakeClock<T>(work: () => Promise<T>): Promise<T> {
  vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
  try {
    const promise = work();
    let settled = false;
    promise.then(
      () => (settled = true),
      () => (settled = true),
    );
    while (!settled) {
      await new Promise((resolve) => setImmediate(resolve));
      await vi.advanceTimersToNextTimerAsync();
    }
    return await promise;
  } finally {
    vi.useRealTimers();
  }
}
