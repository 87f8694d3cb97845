import type { TenantKeys } from "./keys.js";
import type { ManagementScope, TenantState } from "./store.js";

/** What a Management API handler sees of a request, after authentication. */
export interface RequestContext {
  tenant: TenantState;
  /** The tenant's signing keys (generated in the background at start). */
  keys: () => Promise<TenantKeys>;
  /** Path parameters, percent-decoded. */
  params: Readonly<Record<string, string>>;
  /** First value of each query parameter. */
  query: Readonly<Record<string, string>>;
  searchParams: URLSearchParams;
  /** Parsed JSON body, or undefined when the request had none. */
  body: unknown;
  /** Permissions carried by the bearer token. */
  scopes: ReadonlySet<string>;
}

export interface HandlerResult {
  status: number;
  body?: unknown;
}

export interface Route {
  method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
  /** Matched against the raw (still percent-encoded) path below `/api/v2`. */
  pattern: RegExp;
  /** The token needs any one of these, as Auth0 checks. */
  scopes: readonly ManagementScope[];
  handler: (context: RequestContext) => HandlerResult | Promise<HandlerResult>;
}

/** Builds a route; `:name` segments become named captures over one path segment. */
export function route(method: Route["method"], path: string, scopes: readonly ManagementScope[], handler: Route["handler"]): Route {
  const source = path.replace(/:(\w+)/g, "(?<$1>[^/]+)");
  return { method, pattern: new RegExp(`^${source}$`), scopes, handler };
}

export interface RouteMatch {
  route: Route;
  params: Record<string, string>;
}

export function matchRoute(routes: readonly Route[], method: string, path: string): RouteMatch | undefined {
  for (const candidate of routes) {
    if (candidate.method !== method) continue;
    const match = candidate.pattern.exec(path);
    if (!match) continue;
    const params: Record<string, string> = {};
    for (const [name, raw] of Object.entries(match.groups ?? {})) params[name] = safeDecode(raw);
    return { route: candidate, params };
  }
  return undefined;
}

function safeDecode(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    // A malformed escape is left as sent; the lookup then simply finds nothing.
    return raw;
  }
}
