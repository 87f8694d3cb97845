import type { IncomingMessage, ServerResponse } from "node:http";
import { setTimeout as sleep } from "node:timers/promises";
import type { AuthorizationEndpoint } from "./authorize.js";
import { ManagementApiError, OAuthError } from "./errors.js";
import type { FaultDecision, Faults, RateLimitHeaders } from "./faults.js";
import type { TenantKeys } from "./keys.js";
import { openIdConfiguration, tokenRequestParameters, type TokenEndpoint } from "./oauth.js";
import type { ManagementRateLimit } from "./rate-limit.js";
import { record, type RequestLogEntry } from "./request-log.js";
import { matchRoute, type Route } from "./router.js";
import type { TenantState } from "./store.js";
import type { ManagementTokenVerifier } from "./tokens.js";

// The HTTP face of the stand-in. Every request runs inside one try/catch: input problems
// become Auth0's 4xx answers, and anything else is recorded in `internalErrors` (and answered
// 500) rather than taking the test process down.

/** Auth0 refuses larger payloads (hapi's default limit). */
const MAX_BODY_BYTES = 1024 * 1024;
const API_PREFIX = "/api/v2";

export interface ServerParts {
  tenant: TenantState;
  keys: () => Promise<TenantKeys>;
  routes: readonly Route[];
  verifier: ManagementTokenVerifier;
  tokenEndpoint: TokenEndpoint;
  /** `/authorize` and the sign-in page (authorize.ts). */
  authorization: AuthorizationEndpoint;
  faults: Faults;
  /** Auth0's rate-limit headers on every Management API answer. */
  rateLimit: ManagementRateLimit;
  log: RequestLogEntry[];
  /** How many of the latest requests `log` keeps (0: none). */
  logCapacity: number;
  internalErrors: unknown[];
  /**
   * Called before an answer leaves, with whether it answered a Management API write that
   * succeeded: the local tenant's file is written then, so a client that saw its change
   * accepted never finds it gone after a restart.
   */
  afterAnswer?: (managementWrite: boolean) => Promise<void>;
}

interface Answer {
  status: number;
  body?: unknown;
  /** A page for a browser, sent as it is instead of a JSON body. */
  html?: string;
  headers?: Record<string, string>;
}

class PayloadTooLarge extends Error {}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    request.on("end", () => (size > MAX_BODY_BYTES ? reject(new PayloadTooLarge()) : resolve(Buffer.concat(chunks).toString("utf8"))));
    request.on("error", reject);
  });
}

/**
 * The query as Auth0 reads it (hapi parses it with `qs`): `strategy[0]=auth0&strategy[1]=email`,
 * the array form the Auth0 CLI sends, is `strategy` given twice.
 */
export function auth0Query(searchParams: URLSearchParams): URLSearchParams {
  const read = new URLSearchParams();
  for (const [key, value] of searchParams) read.append(key.replace(/^([^[\]]+)\[\d*\]$/, "$1"), value);
  return read;
}

function firstValues(searchParams: URLSearchParams): Record<string, string> {
  const query: Record<string, string> = {};
  for (const [key, value] of searchParams) if (!(key in query)) query[key] = value;
  return query;
}

function rateLimitHeaders(limits: RateLimitHeaders): Record<string, string> {
  return {
    "x-ratelimit-limit": String(limits.limit),
    "x-ratelimit-remaining": String(limits.remaining),
    "x-ratelimit-reset": String(limits.resetEpochSeconds),
  };
}

/** The 429/5xx an injected fault calls for, in the shape of the API it hits. */
function faultAnswer(decision: FaultDecision, oauth: boolean): Answer | undefined {
  if (decision.kind === "rate-limited") {
    const headers = { ...rateLimitHeaders(decision.rateLimit), "retry-after": String(decision.retryAfterSeconds) };
    const body = oauth
      ? new OAuthError(429, "too_many_requests", "Global limit has been reached").body()
      : new ManagementApiError(429, "Global limit has been reached", "too_many_requests").body();
    return { status: 429, body, headers };
  }
  if (decision.kind === "server-error") {
    const error = new ManagementApiError(decision.status, "Injected failure");
    return { status: decision.status, body: oauth ? { error: "server_error", error_description: error.message } : error.body() };
  }
  return undefined;
}

function parseJson(raw: string, contentType: string | undefined): unknown {
  if (raw === "") return undefined;
  if (contentType !== undefined && !/\bjson\b/i.test(contentType)) {
    throw new ManagementApiError(415, "Unsupported Media Type");
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw, (key, value: unknown) => {
      // hapi (Auth0's server) refuses prototype-poisoning payloads as malformed JSON.
      if (key === "__proto__") throw new SyntaxError("__proto__ in payload");
      return value;
    });
  } catch {
    throw new ManagementApiError(400, "Invalid request payload JSON format", "invalid_body");
  }
  return parsed;
}

async function managementAnswer(parts: ServerParts, request: IncomingMessage, url: URL, raw: string): Promise<Answer> {
  const method = request.method ?? "GET";
  const match = matchRoute(parts.routes, method, url.pathname.slice(API_PREFIX.length));
  if (!match) throw new ManagementApiError(404, "Not Found");
  // hapi's order, which Auth0 follows: authenticate, then authorise, then read the payload.
  const principal = await parts.verifier.verify(request.headers.authorization);
  if (!match.route.scopes.some((scope) => principal.scopes.has(scope))) {
    throw new ManagementApiError(403, `Insufficient scope, expected any of: ${match.route.scopes.join(",")}`, "insufficient_scope");
  }
  const searchParams = auth0Query(url.searchParams);
  const result = await match.route.handler({
    tenant: parts.tenant,
    keys: parts.keys,
    params: match.params,
    query: firstValues(searchParams),
    searchParams,
    body: parseJson(raw, request.headers["content-type"]),
    scopes: principal.scopes,
  });
  return result.body === undefined ? { status: result.status } : { status: result.status, body: result.body };
}

async function answer(parts: ServerParts, request: IncomingMessage, url: URL, raw: string): Promise<Answer> {
  const method = request.method ?? "GET";
  const path = url.pathname;
  if (path.startsWith(`${API_PREFIX}/`)) return managementAnswer(parts, request, url, raw);
  if (path === "/oauth/token" && method === "POST") {
    const parameters = tokenRequestParameters(request.headers["content-type"], raw);
    const issued = await parts.tokenEndpoint.handle(parameters, request.headers.authorization);
    return { status: 200, body: issued, headers: { "cache-control": "no-store", pragma: "no-cache" } };
  }
  // The browser's side of the authorization code flow (authorize.ts).
  if (path === "/authorize" && method === "GET") return { ...parts.authorization.authorize(url.searchParams) };
  if (path === "/u/login" && method === "GET") return { ...parts.authorization.signInPage(url.searchParams) };
  if (path === "/u/login" && method === "POST")
    return { ...(await parts.authorization.signIn(new URLSearchParams(raw), request.headers.cookie)) };
  if (path === "/.well-known/openid-configuration" && method === "GET") {
    return { status: 200, body: openIdConfiguration(parts.tenant.domain) };
  }
  if (path === "/.well-known/jwks.json" && method === "GET") {
    return { status: 200, body: await (await parts.keys()).jwks() };
  }
  throw new ManagementApiError(404, "Not Found");
}

function send(response: ServerResponse, result: Answer): void {
  const headers: Record<string, string> = { ...result.headers };
  let payload: string | undefined;
  if (result.html !== undefined) {
    payload = result.html;
    headers["content-length"] = String(Buffer.byteLength(payload));
  } else if (result.body !== undefined && result.status !== 204) {
    payload = JSON.stringify(result.body);
    headers["content-type"] = "application/json; charset=utf-8";
    headers["content-length"] = String(Buffer.byteLength(payload));
  }
  response.writeHead(result.status, headers);
  response.end(payload);
}

export function requestListener(parts: ServerParts): (request: IncomingMessage, response: ServerResponse) => void {
  return (request, response) => {
    const started = performance.now();
    const time = new Date().toISOString();
    const url = new URL(request.url ?? "/", "http://stand-in.invalid");
    const oauth = url.pathname === "/oauth/token";
    const handle = async (): Promise<Answer> => {
      let raw: string;
      try {
        raw = await readBody(request);
      } catch (error) {
        if (error instanceof PayloadTooLarge) {
          return {
            status: 413,
            body: new ManagementApiError(413, `Payload content length greater than maximum allowed: ${MAX_BODY_BYTES}`).body(),
          };
        }
        throw error;
      }
      const decision = parts.faults.decide(url.pathname);
      if (decision.delayMs > 0) await sleep(decision.delayMs);
      const injected = faultAnswer(decision, oauth);
      if (injected) return injected;
      const result = await answer(parts, request, url, raw);
      return decision.kind === "pass" && decision.rateLimit
        ? { ...result, headers: { ...result.headers, ...rateLimitHeaders(decision.rateLimit) } }
        : result;
    };
    handle()
      .catch((error: unknown): Answer => {
        if (error instanceof ManagementApiError) return { status: error.statusCode, body: error.body(), headers: { ...error.headers } };
        if (error instanceof OAuthError) return { status: error.statusCode, body: error.body() };
        parts.internalErrors.push(error);
        return { status: 500, body: new ManagementApiError(500, "Internal Server Error").body() };
      })
      .then(async (result) => {
        const method = request.method ?? "GET";
        const managementWrite = url.pathname.startsWith(`${API_PREFIX}/`) && method !== "GET" && method !== "HEAD" && result.status < 400;
        if (parts.afterAnswer) {
          try {
            await parts.afterAnswer(managementWrite);
          } catch (error) {
            // Not kept is not done: the client must not believe a change that a restart would lose.
            parts.internalErrors.push(error);
            result = { status: 500, body: new ManagementApiError(500, "Internal Server Error").body() };
          }
        }
        record(
          parts.log,
          {
            method: request.method ?? "GET",
            path: url.pathname,
            query: firstValues(url.searchParams),
            status: result.status,
            time,
            durationMs: performance.now() - started,
          },
          parts.logCapacity,
        );
        // Every Management API answer carries the tenant's rate-limit headers, errors included;
        // an injected fault's own headers (already in the answer) take their place.
        const management = url.pathname.startsWith(`${API_PREFIX}/`);
        const answered = management ? { ...result, headers: { ...rateLimitHeaders(parts.rateLimit.take()), ...result.headers } } : result;
        if (!response.headersSent) send(response, answered);
      })
      .catch((error: unknown) => {
        // Only a broken socket gets here; the client has gone, so there is no one to answer.
        parts.internalErrors.push(error);
      });
  };
}
