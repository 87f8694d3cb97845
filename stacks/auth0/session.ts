import { ManagementClient } from "auth0";
import { systemClock, type Clock } from "./clock";
import type { AuditorCredentials } from "./credentials";
import { guardedFetch, tenantOrigin } from "./guarded-fetch";
import { AnswerRefused } from "./guarded-fetch";
import { bodyBrokeOff } from "./json-answer";
import { Pacer } from "./pacer";
import { readTokenAnswer, refusedText, unusableToken } from "./token";

/** The Management API traffic one session caused, as counted at the HTTP layer. */
export interface RequestStats {
  /** Every HTTP request sent, including token requests and retries. */
  readonly total: number;
  /** Management API requests (GET /api/v2/...). */
  readonly managementApi: number;
  /** Token requests (POST /oauth/token). */
  readonly token: number;
  /** Answers of 429, 408 or 5xx: each is retried by the SDK while attempts and time remain. */
  readonly refused: number;
}

export interface SessionOptions {
  /** Real users get the global fetch; tests pass one that reaches a local stand-in. */
  readonly fetch?: typeof fetch;
  /** Attempts after the first on 429, 408 and 5xx: the SDK retries these itself (see docs/audit-and-drift.md, "Requests and rate limits"). */
  readonly maxRetries: number;
  /** The whole session's time budget, retries and pacing included. */
  readonly budgetMs: number;
  readonly clock?: Clock;
}

/** A read-only Management API session for one tenant, and the traffic it has caused. */
export interface ManagementSession {
  readonly domain: string;
  /** Aborted when the budget is spent. */
  readonly signal: AbortSignal;
  readonly budgetMs: number;
  /** Gets (and caches) the access token; its failure means nothing can be read. */
  token(): Promise<string>;
  /** Every credential this session holds or was given (secret, tokens): what no output may show. */
  credentials(): readonly string[];
  /** GET `path` (below `https://DOMAIN`) through the SDK: its auth, its retries; the answer as it came. */
  get(path: string, query: Readonly<Record<string, string | number | boolean>>): Promise<Response>;
  stats(): RequestStats;
}

/** Thrown for any write a session would send: these sessions read, and must never change a tenant. */
export class WriteRefused extends Error {}

/** Thrown instead of letting the SDK sleep past the time budget before a retry. */
export class BudgetSpent extends Error {}

/** No usable token: Auth0 refused, or its answer held none. The message says which, never the value. */
export class TokenUnusable extends Error {}

const ownRefusal = (error: unknown): boolean =>
  error instanceof AnswerRefused || (error instanceof Error && error.cause instanceof AnswerRefused);

/** Refreshed this long before Auth0 says the token expires. */
const TOKEN_LEEWAY_MS = 10_000;

/** The SDK's shortest back-off without a header (1 s less its 10% jitter). */
const MIN_BACKOFF_MS = 900;

/**
 * How long the SDK will wait before retrying this answer, read as the SDK reads it:
 * Retry-After (seconds or a date), else X-RateLimit-Reset (epoch seconds), else its back-off.
 */
export function retryWaitMs(headers: Headers, now: number): number {
  const retryAfter = headers.get("retry-after");
  if (retryAfter !== null) {
    const seconds = Number.parseInt(retryAfter, 10);
    if (seconds > 0) return seconds * 1000;
    const date = Date.parse(retryAfter);
    if (date > now) return date - now;
  }
  const reset = Number.parseInt(headers.get("x-ratelimit-reset") ?? "", 10);
  if (reset * 1000 > now) return reset * 1000 - now;
  return MIN_BACKOFF_MS;
}

const urlOf = (input: Parameters<typeof fetch>[0]): URL => new URL(input instanceof Request ? input.url : String(input));

interface Counts {
  total: number;
  managementApi: number;
  token: number;
  refused: number;
}

/**
 * The HTTP layer under the SDK: counts every request (retries included, since the SDK's
 * retries pass through here), refuses anything but a GET to the Management API, paces
 * Management API requests by the tenant's rate limit, and ties every request to the budget.
 */
export function sessionFetch(
  base: typeof fetch,
  signal: AbortSignal,
  deadline: number,
  clock: Clock,
  pacer: Pacer,
  counts: Counts,
): typeof fetch {
  return async (input, init) => {
    const url = urlOf(input);
    const method = (init?.method ?? (input instanceof Request ? input.method : "GET")).toUpperCase();
    const isToken = url.pathname === "/oauth/token";
    if (!isToken && method !== "GET") throw new WriteRefused(`only reads are sent; refused ${method} ${url.pathname}`);
    const signals = init?.signal ? [init.signal, signal] : [signal];
    const combined = AbortSignal.any(signals);
    if (!isToken) await pacer.acquire(combined);
    counts.total += 1;
    if (isToken) counts.token += 1;
    else counts.managementApi += 1;
    let response: Response;
    try {
      response = await base(input, { ...init, signal: combined });
    } catch (error) {
      if (!isToken) pacer.settle(undefined, undefined);
      throw error;
    }
    if (!isToken) pacer.settle(response.headers, response.status);
    if (response.status === 429 || response.status === 408 || response.status >= 500) {
      counts.refused += 1;
      // The SDK's sleep before a retry ignores the abort signal: a wait past the deadline would
      // only keep the process alive after the budget is spent. Stop here instead.
      const now = clock.now();
      const wait = retryWaitMs(response.headers, now);
      if (now + wait > deadline) {
        await response.body?.cancel();
        throw new BudgetSpent(`${response.status}, and its retry would wait ${(wait / 1000).toFixed(1)} s, past the time budget`);
      }
    }
    return response;
  };
}

export function openSession(domain: string, credentials: AuditorCredentials, options: SessionOptions): ManagementSession {
  const clock = options.clock ?? systemClock;
  const signal = clock.timeout(options.budgetMs);
  const deadline = clock.now() + options.budgetMs;
  const counts: Counts = { total: 0, managementApi: 0, token: 0, refused: 0 };
  // The session's credentials (the auditor's secret, its bearer token) go to the tenant's domain and nowhere else.
  const guarded = guardedFetch(options.fetch ?? globalThis.fetch, { allowedOrigins: [tenantOrigin(domain)] });
  const fetchFn = sessionFetch(guarded, signal, deadline, clock, new Pacer(clock), counts);
  const held: string[] = [credentials.kind === "token" ? credentials.token : credentials.clientSecret];
  let token: () => Promise<string>;
  if (credentials.kind === "token") {
    const problem = unusableToken(credentials.token);
    token = () =>
      problem === undefined ? Promise.resolve(credentials.token) : Promise.reject(new TokenUnusable(`${credentials.source}: ${problem}`));
  } else {
    // Our own request rather than the SDK's token provider: its answer is read like every other
    // (a null or header-breaking access_token is said as such and never sent), and it ends with
    // the session's budget rather than with a timeout of its own reported as a 408.
    let pending: Promise<{ token: string; expiresAt: number }> | undefined;
    const request = async (): Promise<{ token: string; expiresAt: number }> => {
      const body = new URLSearchParams({
        grant_type: "client_credentials",
        client_id: credentials.clientId,
        client_secret: credentials.clientSecret,
        audience: `https://${domain}/api/v2/`,
      });
      const response = await fetchFn(`https://${domain}/oauth/token`, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded", accept: "application/json" },
        body: body.toString(),
        signal,
      });
      let text: string;
      try {
        text = await response.text();
      } catch (error) {
        if (signal.aborted || ownRefusal(error)) throw error;
        throw new TokenUnusable(bodyBrokeOff(domain, error));
      }
      const read = readTokenAnswer(response.status, response.headers.get("content-type"), text);
      if (!read.ok) throw new TokenUnusable(read.refused ? refusedText(read) : read.message);
      held.push(read.accessToken);
      const lifetime = read.expiresInSeconds === undefined ? Number.POSITIVE_INFINITY : read.expiresInSeconds * 1000;
      return { token: read.accessToken, expiresAt: clock.now() + lifetime - TOKEN_LEEWAY_MS };
    };
    token = async () => {
      const current = pending === undefined ? undefined : await pending.catch(() => undefined);
      if (current !== undefined && clock.now() < current.expiresAt) return current.token;
      pending = request();
      return (await pending).token;
    };
  }
  const client = new ManagementClient({ domain, token, fetch: fetchFn, maxRetries: options.maxRetries });
  return {
    domain,
    signal,
    budgetMs: options.budgetMs,
    token,
    get: (path, query) => {
      const url = new URL(`https://${domain}${path}`);
      for (const [key, value] of Object.entries(query)) url.searchParams.set(key, String(value));
      return client.fetch(
        url,
        { method: "GET", headers: { accept: "application/json" } },
        { abortSignal: signal, maxRetries: options.maxRetries },
      );
    },
    credentials: () => [...held],
    stats: () => ({ ...counts }),
  };
}
