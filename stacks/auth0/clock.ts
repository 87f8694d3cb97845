/**
 * Time as the Auth0 access code sees it: the time budget, the pacing waits. Real use gets the
 * system clock; tests pass a fake one so that no test sleeps for real.
 */
export interface Clock {
  /** Epoch milliseconds. */
  now(): number;
  /** Resolves after `ms`, or rejects with the signal's reason once it aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
  /** A signal that aborts `ms` from now (a `TimeoutError`, as `AbortSignal.timeout` gives). */
  timeout(ms: number): AbortSignal;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise<void>((resolve, reject) => {
      if (signal?.aborted) {
        reject(signal.reason as Error);
        return;
      }
      const timer = setTimeout(resolve, ms);
      signal?.addEventListener(
        "abort",
        () => {
          clearTimeout(timer);
          reject(signal.reason as Error);
        },
        { once: true },
      );
    }),
  timeout: (ms) => {
    // A timer of our own rather than AbortSignal.timeout: the one kind of timer a fake clock replaces.
    const controller = new AbortController();
    setTimeout(() => controller.abort(new DOMException("The time budget is spent", "TimeoutError")), ms).unref();
    return controller.signal;
  },
};
