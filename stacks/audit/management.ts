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

const urlOf = (input: Parameters<typeof fetch>[0]): URL => new URL(input instanceof Request ? input.url : String(input));

/**
 * The HTTP layer under the SDK: counts every request (retries included, since the SDK's
 * retries pass through here), refuses anything but a GET to the Management API, and ties
 * every request to the audit's time budget.
 */
function auditFetch(base: typeof fetch, signal: AbortSignal, counts: { -readonly [K in keyof RequestStats]: number }): typeof fetch {
  return async (input, init) => {
    const url = urlOf(input);
    const method = (init?.method ?? (input instanceof Request ? input.method : "GET")).toUpperCase();
    const isToken = url.pathname === "/oauth/token";
    if (!isToken && method !== "GET") throw new WriteRefused(`the audit only reads; refused ${method} ${url.pathname}`);
    counts.total += 1;
    if (isToken) counts.token += 1;
    else counts.managementApi += 1;
    const signals = init?.signal ? [init.signal, signal] : [signal];
    const response = await base(input, { ...init, signal: AbortSignal.any(signals) });
    if (response.status === 429 || response.status === 408 || response.status >= 500) counts.refused += 1;
    return response;
  };
}

export function openSession(domain: string, credentials: AuditorCredentials, options: SessionOptions): ManagementSession {
  const counts = { total: 0, managementApi: 0, token: 0, refused: 0 };
  const fetchFn = auditFetch(options.fetch ?? globalThis.fetch, options.signal, counts);
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
