import { ManagementClient, TokenProvider } from "auth0";
import type { AuditorCredentials } from "./credentials";
import type { RequestStats } from "./report";

export interface SessionOptions {
  /** Real users get the global fetch; tests pass one that reaches a local stand-in. */
  readonly fetch?: typeof fetch;
  /** Attempts after the first on 429, 408 and 5xx: the SDK retries these itself (see README). */
  readonly maxRetries: number;
  /** Aborts every request, the token request included, when the audit's time budget is spent. */
  readonly signal: AbortSignal;
  /** When the budget is spent (epoch ms); a retry that would wait past it is not waited for. */
  readonly deadline: number;
}

/** A read-only Management API client for one tenant, and the traffic it has caused. */
export interface ManagementSession {
  readonly client: ManagementClient;
  /** Gets (and caches) the auditor's access token; its failure means nothing can be read. */
  readonly token: () => Promise<string>;
  stats(): RequestStats;
}

/** Thrown for any write the audit would send: it reads, and must never change a tenant. */
export class WriteRefused extends Error {}

/** Thrown instead of letting the SDK sleep past the time budget before a retry. */
export class BudgetSpent extends Error {}

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

/**
 * The HTTP layer under the SDK: counts every request (retries included, since the SDK's
 * retries pass through here), refuses anything but a GET to the Management API, and ties
 * every request to the audit's time budget.
 */
function auditFetch(base: typeof fetch, options: SessionOptions, counts: { -readonly [K in keyof RequestStats]: number }): typeof fetch {
  return async (input, init) => {
    const url = urlOf(input);
    const method = (init?.method ?? (input instanceof Request ? input.method : "GET")).toUpperCase();
    const isToken = url.pathname === "/oauth/token";
    if (!isToken && method !== "GET") throw new WriteRefused(`the audit only reads; refused ${method} ${url.pathname}`);
    counts.total += 1;
    if (isToken) counts.token += 1;
    else counts.managementApi += 1;
    const signals = init?.signal ? [init.signal, options.signal] : [options.signal];
    const response = await base(input, { ...init, signal: AbortSignal.any(signals) });
    if (response.status === 429 || response.status === 408 || response.status >= 500) {
      counts.refused += 1;
      // The SDK's sleep before a retry ignores the abort signal: a wait past the deadline would
      // only keep the process alive after the audit has given up. Stop here instead.
      const now = Date.now();
      const wait = retryWaitMs(response.headers, now);
      if (now + wait > options.deadline) {
        await response.body?.cancel();
        throw new BudgetSpent(`${response.status}, and its retry would wait ${(wait / 1000).toFixed(1)} s, past the time budget`);
      }
    }
    return response;
  };
}

export function openSession(domain: string, credentials: AuditorCredentials, options: SessionOptions): ManagementSession {
  const counts = { total: 0, managementApi: 0, token: 0, refused: 0 };
  const fetchFn = auditFetch(options.fetch ?? globalThis.fetch, options, counts);
  let token: () => Promise<string>;
  if (credentials.kind === "token") {
    token = () => Promise.resolve(credentials.token);
  } else {
    const provider = new TokenProvider({
      domain,
      clientId: credentials.clientId,
      clientSecret: credentials.clientSecret,
      audience: `https://${domain}/api/v2/`,
      fetch: fetchFn,
    });
    token = () => provider.getAccessToken();
  }
  const client = new ManagementClient({ domain, token, fetch: fetchFn, maxRetries: options.maxRetries });
  return { client, token, stats: () => ({ ...counts }) };
}
