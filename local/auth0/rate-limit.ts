import type { RateLimitHeaders } from "./faults.js";

// The tenant's Management API rate limit, as Auth0 reports it on every Management API answer:
// `x-ratelimit-limit` (the bucket's size), `x-ratelimit-remaining` (requests left in it) and
// `x-ratelimit-reset` (epoch seconds when it is full again). Auth0's limit is a token bucket per
// tenant whose size and rate depend on the plan (its rate-limit policy); this one holds
// DEFAULT_LIMIT requests and refills at DEFAULT_LIMIT a second, far above any plan, so that a
// client that paces itself by the headers (the audit does) is never slowed by a local tenant.
//
// It is reported, never enforced: a local tenant answers every request, and a run that drains the
// bucket (a benchmark) reads `remaining: 0` on answers that still succeed. Refusals (429) come only
// from an injected fault (`faults.rateLimit`), whose own headers then replace these.

export const DEFAULT_LIMIT = 1000;

export class ManagementRateLimit {
  private tokens: number;
  private refilledAt: number;

  constructor(
    private readonly limit = DEFAULT_LIMIT,
    now = Date.now(),
  ) {
    this.tokens = limit;
    this.refilledAt = now;
  }

  /** Counts one Management API request and says what Auth0's headers would say after it. */
  take(now = Date.now()): RateLimitHeaders {
    this.tokens = Math.min(this.limit, this.tokens + ((now - this.refilledAt) / 1000) * this.limit);
    this.refilledAt = now;
    this.tokens = Math.max(0, this.tokens - 1);
    // Full again once the missing tokens have flowed back in, at `limit` a second.
    const resetEpochSeconds = Math.ceil((now + ((this.limit - this.tokens) / this.limit) * 1000) / 1000);
    return { limit: this.limit, remaining: Math.floor(this.tokens), resetEpochSeconds };
  }

  /** A new tenant's bucket is full. */
  refill(now = Date.now()): void {
    this.tokens = this.limit;
    this.refilledAt = now;
  }
}
