// Injected failures, for tests of retry, back-off and timeout handling. Each fault applies to
// requests whose path starts with `path` (a string) or matches it (a pattern); without a
// path, to every request, including `/oauth/token`.

export type PathFilter = string | RegExp;

export interface RateLimitAfterCalls {
  /** This many matching calls pass; those after it are refused. */
  after: number;
  /** How many calls are refused before the limit lifts; unlimited by default. */
  times?: number;
  /** Seconds in `Retry-After`; 1 by default (the smallest the header can say). */
  retryAfterSeconds?: number;
  path?: PathFilter;
}

export interface RateLimitPerSecond {
  /** A token bucket holding this many requests, refilled at this many per second. */
  perSecond: number;
  retryAfterSeconds?: number;
  path?: PathFilter;
}

export interface ServerErrorFault {
  /** How many matching calls fail; 1 by default. */
  times?: number;
  status?: 500 | 502 | 503 | 504;
  path?: PathFilter;
}

export interface DelayFault {
  ms: number;
  /** How many matching calls are slowed; unlimited by default. */
  times?: number;
  path?: PathFilter;
}

/** What the server should do with a request before handling it. */
export interface RateLimitHeaders {
  limit: number;
  remaining: number;
  resetEpochSeconds: number;
}

/** What the server should do with a request before handling it; any delay applies to all. */
export type FaultDecision = { delayMs: number } & (
  | { kind: "rate-limited"; rateLimit: RateLimitHeaders; retryAfterSeconds: number }
  | { kind: "server-error"; status: number }
  | { kind: "pass"; rateLimit?: RateLimitHeaders }
);

interface Counted {
  remaining: number;
}

type RateLimitState =
  | { mode: "after"; spec: RateLimitAfterCalls; seen: number; refused: number }
  | { mode: "bucket"; spec: RateLimitPerSecond; tokens: number; refilledAt: number };

const matches = (filter: PathFilter | undefined, path: string): boolean =>
  filter === undefined || (typeof filter === "string" ? path.startsWith(filter) : filter.test(path));

export class Faults {
  private rateLimits: RateLimitState[] = [];
  private serverErrors: Array<ServerErrorFault & Counted> = [];
  private delays: Array<DelayFault & Counted> = [];

  /** Answers 429 once `after` calls went through, or above `perSecond` (a token bucket). */
  rateLimit(spec: RateLimitAfterCalls | RateLimitPerSecond): void {
    if ("after" in spec) this.rateLimits.push({ mode: "after", spec, seen: 0, refused: 0 });
    else this.rateLimits.push({ mode: "bucket", spec, tokens: spec.perSecond, refilledAt: Date.now() });
  }

  /** Answers a 5xx to the next `times` matching calls. */
  serverError(spec: ServerErrorFault = {}): void {
    this.serverErrors.push({ ...spec, remaining: spec.times ?? 1 });
  }

  /** Holds matching answers back by `ms`. */
  delay(spec: DelayFault): void {
    this.delays.push({ ...spec, remaining: spec.times ?? Number.POSITIVE_INFINITY });
  }

  clear(): void {
    this.rateLimits = [];
    this.serverErrors = [];
    this.delays = [];
  }

  /** Decides the fate of one request; consumes fault budgets as it goes. */
  decide(path: string, now = Date.now()): FaultDecision {
    let delayMs = 0;
    for (const delay of this.delays) {
      if (delay.remaining > 0 && matches(delay.path, path)) {
        delay.remaining -= 1;
        delayMs += delay.ms;
      }
    }
    let rateLimit: RateLimitHeaders | undefined;
    for (const state of this.rateLimits) {
      if (!matches(state.spec.path, path)) continue;
      if (state.mode === "after") {
        const retryAfterSeconds = state.spec.retryAfterSeconds ?? 1;
        const { after, times = Number.POSITIVE_INFINITY } = state.spec;
        state.seen += 1;
        const resetEpochSeconds = Math.ceil(now / 1000) + retryAfterSeconds;
        if (state.seen > after && state.refused < times) {
          state.refused += 1;
          return { kind: "rate-limited", delayMs, rateLimit: { limit: after, remaining: 0, resetEpochSeconds }, retryAfterSeconds };
        }
        rateLimit = { limit: after, remaining: Math.max(0, after - state.seen), resetEpochSeconds };
      } else {
        const { perSecond } = state.spec;
        state.tokens = Math.min(perSecond, state.tokens + ((now - state.refilledAt) / 1000) * perSecond);
        state.refilledAt = now;
        // The bucket is full again after (missing tokens / rate) seconds.
        const resetEpochSeconds = Math.ceil((now + ((perSecond - state.tokens) / perSecond) * 1000) / 1000);
        if (state.tokens < 1) {
          const wait = Math.max(1, Math.ceil((1 - state.tokens) / perSecond));
          return {
            kind: "rate-limited",
            delayMs,
            rateLimit: { limit: perSecond, remaining: 0, resetEpochSeconds },
            retryAfterSeconds: state.spec.retryAfterSeconds ?? wait,
          };
        }
        state.tokens -= 1;
        rateLimit = { limit: perSecond, remaining: Math.floor(state.tokens), resetEpochSeconds };
      }
    }
    for (const fault of this.serverErrors) {
      if (fault.remaining > 0 && matches(fault.path, path)) {
        fault.remaining -= 1;
        return { kind: "server-error", delayMs, status: fault.status ?? 500 };
      }
    }
    return rateLimit === undefined ? { kind: "pass", delayMs } : { kind: "pass", delayMs, rateLimit };
  }
}
