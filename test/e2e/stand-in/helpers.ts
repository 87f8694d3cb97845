import type { Auth0StandIn } from "../../../local/auth0/index.js";

export interface ApiAnswer<T = unknown> {
  status: number;
  headers: Headers;
  body: T;
}

/** One Management API call through the stand-in's `fetch`, as a real client would make it. */
export async function api<T = unknown>(
  auth0: Auth0StandIn,
  token: string | undefined,
  method: string,
  path: string,
  body?: unknown,
): Promise<ApiAnswer<T>> {
  const headers: Record<string, string> = {};
  if (token !== undefined) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers["content-type"] = "application/json";
  const response = await auth0.fetch(`https://${auth0.domain}/api/v2${path}`, {
    method,
    headers,
    ...(body === undefined ? {} : { body: typeof body === "string" ? body : JSON.stringify(body) }),
  });
  const text = await response.text();
  // The caller names the shape it expects; assertions on the values keep that honest.
  return { status: response.status, headers: response.headers, body: (text === "" ? undefined : JSON.parse(text)) as T };
}

/** A client-credentials request to `/oauth/token`, form-encoded as the SDKs send it. */
export async function requestToken<T = unknown>(
  auth0: Auth0StandIn,
  parameters: Record<string, string>,
  headers: Record<string, string> = {},
): Promise<ApiAnswer<T>> {
  const response = await auth0.fetch(`https://${auth0.domain}/oauth/token`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", ...headers },
    body: new URLSearchParams(parameters).toString(),
  });
  const text = await response.text();
  // The caller names the shape it expects; assertions on the values keep that honest.
  return { status: response.status, headers: response.headers, body: (text === "" ? undefined : JSON.parse(text)) as T };
}
