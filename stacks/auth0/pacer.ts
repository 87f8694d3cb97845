import type { Clock } from "./clock";

/** What Auth0 says of a tenant's Management API limit on every answer. */
export interface RateLimitHeaders {
  /** `x-ratelimit-limit`: the bucket's size (its burst). */
  readonly limit: number;
  /** `x-ratelimit-remaining`: requests left in the bucket. */
  readonly remaining: number;
  /** `x-ratelimit-reset`: epoch seconds when the bucket is full again. */
  readonly resetEpochSeconds: number;
}

export function rateLimitHeaders(headers: Headers): RateLimitHeaders | undefined {
  const number = (name: string): number | undefined => {
    const raw = headers.get(name);
    if (raw === null || raw.trim() === "") return undefined;
    const value = Number(raw);
    return Number.isFinite(value) && value >= 0 ? value : undefined;
  };
  const limit = number("x-ratelimit-limit");
  const remaining = number("x-ratelimit-remaining");
  const resetEpochSeconds = number("x-ratelimit-reset");
  if (limit === undefined || remaining === undefined || resetEpochSeconds === undefined || limit < 1) return undefined;
  return { limit, remaining: Math.min(remaining, limit), resetEpochSeconds };
}

/**
 * Sent a millisecond after the bucket should hold a request again. The model is already on the
 * late side (it counts a request when it is sent, and re-reads `remaining` when the answer is
 * back, both before Auth0's own count); the millisecond covers rounding.
 */
const MARGIN_MS = 1;

/**
 * Paces one tenant's Management API requests by what Auth0 says of its limit, so that a
 * request is sent when the bucket holds one instead of being refused and retried.
 *
 * Auth0's Management API limit is a token bucket (the rate-limit policy docs give each plan's
 * limits per second, the headers the burst). The refill rate is not in the headers; taken here
 * as `limit` per second, which is a guess the docs do not confirm: where the tenant's real rate
 * is lower (or the limit is shared with other callers), Auth0 answers 429 and the SDK's own
 * retry, which honours Retry-After, stays the fallback. Until the first answer says what the
 * limit is, one request is in flight at a time.
 */
export class Pacer {
  private known = false;
  private tokens = 1;
  private capacity = 1;
  private perMs = Number.POSITIVE_INFINITY;
  private refilledAt = 0;
  private blockedUntil = 0;
  private inFlight = 0;
  private waiters: Array<() => void> = [];

  constructor(private readonly clock: Clock) {}

  /** Waits until a request may be sent, and counts it as sent. */
  async acquire(signal: AbortSignal): Promise<void> {
    for (;;) {
      signal.throwIfAborted();
      if (!this.known) {
        if (this.inFlight === 0) break;
        await new Promise<void>((resolve) => this.waiters.push(resolve));
        continue;
      }
      const now = this.clock.now();
      this.refill(now);
      if (now >= this.blockedUntil && this.tokens >= 1) {
        this.tokens -= 1;
        break;
      }
      const untilToken = this.tokens >= 1 ? 0 : (1 - this.tokens) / this.perMs;
      await this.clock.sleep(Math.ceil(Math.max(this.blockedUntil - now, untilToken)) + MARGIN_MS, signal);
    }
    this.inFlight += 1;
  }

  /** Learns from an answer (or from its absence: `undefined`, the request failed). */
  settle(headers: Headers | undefined, status: number | undefined): void {
    this.inFlight = Math.max(0, this.inFlight - 1);
    const now = this.clock.now();
    const limits = headers === undefined ? undefined : rateLimitHeaders(headers);
    if (limits !== undefined) {
      this.refill(now);
      if (!this.known) this.tokens = limits.remaining;
      this.capacity = limits.limit;
      this.perMs = limits.limit / 1000;
      // Auth0 counts whole requests; only a whole request fewer than we think is news.
      if (limits.remaining < Math.floor(this.tokens)) this.tokens = limits.remaining;
      if (status === 429) {
        this.tokens = 0;
        this.blockedUntil = Math.max(this.blockedUntil, Math.min(limits.resetEpochSeconds * 1000, now + 60_000));
      }
    }
    if (status !== undefined) this.known = true;
    this.refilledAt = now;
    const waiting = this.waiters;
    this.waiters = [];
    for (const wake of waiting) wake();
  }

  private refill(now: number): void {
    if (Number.isFinite(this.perMs)) this.tokens = Math.min(this.capacity, this.tokens + (now - this.refilledAt) * this.perMs);
    else this.tokens = Number.POSITIVE_INFINITY;
    this.refilledAt = now;
  }
}
