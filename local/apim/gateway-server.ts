import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { AddressInfo } from "node:net";
import type { TenantSpec } from "../../infra/config/spec";
import type { LocalAuthority } from "../tls";
import { portalCallbackPage, portalCallbackPath, PORTAL_PAGE_HEADERS } from "./portal-callback";
import { gatewayFromSpec, type PolicyEdit } from "./validate-jwt/from-spec";

/**
 * A local HTTP gateway for one stack, on 127.0.0.1: the policies rendered from the stack's
 * spec, run by the validate-jwt model, in front of a stub backend (a second local server
 * that records what reached it). The address stands where API Management's
 * `https://<service>.azure-api.net/<path>` would. The model is built by `gatewayFromSpec` only,
 * so a change of the model's entry point is adapted there.
 */

export interface BackendRequest {
  readonly method: string;
  readonly path: string;
  readonly authorization: string | undefined;
}

export interface GatewayServer {
  /** The API's base URL on the gateway, e.g. `http://127.0.0.1:53121/timesheets`. */
  readonly url: string;
  /** Requests that passed the gateway, oldest first. */
  readonly backendRequests: readonly BackendRequest[];
  close(): Promise<void>;
}

export interface GatewayServerOptions {
  readonly spec: TenantSpec;
  /** What the gateway fetches the tenant's OpenID configuration and keys with (the stand-in's fetch). */
  readonly fetch: typeof fetch;
  /** Rewrites the rendered policies before the model reads them: how a test breaks the gateway on purpose. */
  readonly edit?: PolicyEdit;
  readonly namedValues?: Record<string, string>;
  /** Serve HTTPS with this authority's certificate (local mode), as API Management does; plain HTTP without it. */
  readonly authority?: LocalAuthority;
  /** The gateway's port on 127.0.0.1; 0 (the default) takes any free one. */
  readonly port?: number;
}

function listen(server: Server, port = 0, scheme = "http"): Promise<string> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => resolve(`${scheme}://127.0.0.1:${(server.address() as AddressInfo).port}`));
  });
}

function close(server: Server): Promise<void> {
  return new Promise((resolve, reject) => {
    server.close((error) => (error ? reject(error) : resolve()));
    server.closeAllConnections();
  });
}

function sendJson(
  response: ServerResponse,
  status: number,
  body: unknown,
  headers: Readonly<Record<string, string | readonly string[]>> = {},
): void {
  const payload = JSON.stringify(body);
  // A header with several values goes out as several lines, as API Management sends them.
  const lines = Object.fromEntries(Object.entries(headers).map(([name, value]) => [name, typeof value === "string" ? value : [...value]]));
  response.writeHead(status, {
    ...lines,
    "content-type": "application/json; charset=utf-8",
    "content-length": String(Buffer.byteLength(payload)),
  });
  response.end(payload);
}

function headersOf(request: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) if (typeof value === "string") headers[name] = value;
  return headers;
}

export async function startGatewayServer(options: GatewayServerOptions): Promise<GatewayServer> {
  const { spec } = options;
  if (spec.gateway === undefined) throw new Error(`the ${spec.stack} stack has no gateway`);
  const apiPath = `/${spec.gateway.api.path.replace(/^\/+|\/+$/g, "")}`;
  const model = gatewayFromSpec(spec, { fetch: options.fetch, edit: options.edit, namedValues: options.namedValues });

  const backendRequests: BackendRequest[] = [];
  // The stub backend answers every request it gets; what matters to the tests is that it got it.
  const backend = createServer((request, response) => {
    request.resume();
    backendRequests.push({ method: request.method ?? "GET", path: request.url ?? "/", authorization: request.headers.authorization });
    sendJson(response, request.method === "POST" ? 202 : 200, { accepted: true });
  });
  const backendUrl = await listen(backend);

  const { authority } = options;
  const serve = (request: IncomingMessage, response: ServerResponse): void => {
    request.resume();
    const url = new URL(request.url ?? "/", "http://gateway.invalid");
    const portal = spec.gateway?.developerPortal;
    if (portal !== undefined && request.method === "GET" && url.pathname === portalCallbackPath(spec)) {
      const page = portalCallbackPage(spec, portal, url.searchParams);
      response.writeHead(200, { ...PORTAL_PAGE_HEADERS, "content-length": String(Buffer.byteLength(page)) });
      response.end(page);
      return;
    }
    if (url.pathname !== apiPath && !url.pathname.startsWith(`${apiPath}/`)) {
      sendJson(response, 404, { statusCode: 404, message: "Resource not found" });
      return;
    }
    const below = url.pathname.slice(apiPath.length) || "/";
    const method = request.method ?? "GET";
    const headers = headersOf(request);
    void (async () => {
      const answer = await model.handle({ method, path: `${below}${url.search}`, headers });
      if (answer.status !== 200 || answer.operationId === undefined) {
        sendJson(response, answer.status, answer.body, answer.headers);
        return;
      }
      const forwarded = await fetch(`${backendUrl}${below}${url.search}`, {
        method,
        headers: { authorization: headers.authorization ?? "" },
      });
      sendJson(response, forwarded.status, await forwarded.json());
    })().catch((error: unknown) =>
      sendJson(response, 500, { statusCode: 500, message: error instanceof Error ? error.message : String(error) }),
    );
  };
  // The backend stays plain HTTP: it is reached only from here, as APIM reaches a backend over its own network.
  const gateway: Server =
    authority === undefined ? createServer(serve) : createHttpsServer({ key: authority.keyPem, cert: authority.chainPem }, serve);
  let gatewayUrl: string;
  try {
    gatewayUrl = await listen(gateway, options.port, authority === undefined ? "http" : "https");
  } catch (error) {
    // A start that fails leaves nothing listening (the port taken by another program, ...).
    await close(backend);
    throw error;
  }

  return {
    url: `${gatewayUrl}${apiPath}`,
    backendRequests,
    close: () => Promise.all([close(gateway), close(backend)]).then(() => undefined),
  };
}
