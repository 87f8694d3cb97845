import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { randomBytes } from "node:crypto";
import { clientId as newClientId } from "./ids.js";
import { ManagementApiError } from "./errors.js";
import { Faults } from "./faults.js";
import { ManagementRateLimit } from "./rate-limit.js";
import { generateTenantKeys, restoreTenantKeys, type SavedTenantKeys, type TenantKeys } from "./keys.js";
import { localFetch } from "./local-fetch.js";
import { AuthorizationEndpoint } from "./authorize.js";
import { TokenEndpoint } from "./oauth.js";
import type { RequestLogEntry } from "./request-log.js";
import { clientCredentialRoutes } from "./resources/client-credentials.js";
import { clientGrantRoutes } from "./resources/client-grants.js";
import { clientRoutes } from "./resources/clients.js";
import { connectionRoutes } from "./resources/connections.js";
import { resourceServerRoutes } from "./resources/resource-servers.js";
import { roleRoutes } from "./resources/roles.js";
import { unmodelledRoutes } from "./resources/unmodelled.js";
import { subPathRoutes } from "./resources/sub-paths.js";
import { userRoutes } from "./resources/users.js";
import { matchRoute, type Route } from "./router.js";
import { requestListener } from "./server.js";
import {
  MANAGEMENT_SCOPES,
  TenantState,
  type Client,
  type ClientGrant,
  type Connection,
  type Credential,
  type ManagementScope,
  type ResourceServer,
  type SavedTenantState,
  type User,
} from "./store.js";
import { issueAccessToken, ManagementTokenVerifier } from "./tokens.js";
import type { JsonObject } from "./validation.js";

export { countRequests, type RequestLogEntry } from "./request-log.js";
export { MANAGEMENT_SCOPES, type ManagementScope } from "./store.js";
export type { Client, ClientGrant, Connection, Credential, ResourceServer, TenantState, User } from "./store.js";
export type { DelayFault, Faults, RateLimitAfterCalls, RateLimitPerSecond, ServerErrorFault } from "./faults.js";
export type { JsonObject, JsonValue } from "./validation.js";

export interface Auth0StandInOptions {
  /** The tenant domain the stand-in answers for; `exampleco-dev.eu.auth0.com` by default. */
  domain?: string;
  /** A tenant saved earlier (see `saved()`): its content, signing keys and secrets, as they were. */
  restore?: SavedTenant;
  /** Called with the tenant after every change a client made, before the client hears of it (see ServerParts.afterAnswer). */
  onChange?: (saved: SavedTenant) => void;
  /**
   * How many of the latest requests `requests` keeps: all of them by default (tests assert on
   * them); 0 for none, as local mode runs, so a server that runs for days does not grow with its traffic.
   */
  requestLog?: number;
  /**
   * scrypt's N for the passwords this tenant hashes: Node's default (16384) unless a caller asks
   * for less. The test suite's stand-ins ask for 1024 (test/support/stand-in.ts), since the suite
   * hashes a password for nearly every tenant it seeds; `npm run local` always uses the default.
   */
  passwordCost?: number;
}

/** Everything needed to bring a tenant back: its content, its signing keys and the key its connections' secrets are encrypted with. */
export interface SavedTenant {
  readonly format: 1;
  readonly domain: string;
  /** base64. */
  readonly configurationKey: string;
  readonly keys: SavedTenantKeys;
  readonly tenant: SavedTenantState;
}

export interface ManagementClientCredentials {
  clientId: string;
  clientSecret: string;
}

export interface Auth0StandIn {
  /** The plain-HTTP loopback origin, e.g. `http://127.0.0.1:53121`. */
  url: string;
  domain: string;
  /** `https://DOMAIN/`, with the trailing slash Auth0 puts in `iss`. */
  issuer: string;
  /** `https://DOMAIN/api/v2/`. */
  managementAudience: string;
  /** Same signature as the global `fetch`; routes `https://DOMAIN/...` to the stand-in. */
  fetch: typeof fetch;
  /** The requests answered, oldest first, as many as `requestLog` keeps (a live array; `reset()` empties it). */
  requests: readonly RequestLogEntry[];
  /** Exceptions the stand-in did not expect; a correct run leaves this empty. */
  internalErrors: readonly unknown[];
  faults: Faults;
  /** The tenant's state, for assertions that the API cannot make. */
  tenant: TenantState;
  /** The tenant's signing keys. */
  keys(): Promise<TenantKeys>;

  /** A client with a grant on the Management API for `scopes` (all of them by default). */
  createManagementClient(options?: { scopes?: readonly ManagementScope[]; name?: string }): Promise<ManagementClientCredentials>;
  /** A ready Management API token. Its `sub` names a client that is not in the tenant. */
  managementToken(scopes?: readonly ManagementScope[]): Promise<string>;
  /** Create through the same code as the Management API, without HTTP or a token. */
  createResourceServer(body: Record<string, unknown>): Promise<ResourceServer>;
  createClient(body: Record<string, unknown>): Promise<Client & { client_secret: string }>;
  createClientGrant(body: Record<string, unknown>): Promise<ClientGrant>;
  createConnection(body: Record<string, unknown>): Promise<Connection>;
  createUser(body: Record<string, unknown>): Promise<User>;
  /** Stores a client document exactly as given (e.g. one recorded from a real tenant). */
  importClient(document: JsonObject): Promise<Client>;
  /** Stores a credential document as given; without a key it cannot authenticate. */
  importCredential(clientId: string, document: Credential): void;
  /** Back to a new tenant: Management API and default database connection only; clears log and faults. */
  reset(): void;
  /** The whole tenant as JSON, secrets and private keys included: for the local tenant's file only. */
  saved(): Promise<SavedTenant>;
  close(): Promise<void>;
}

const routes = (configurationKey: Buffer): Route[] => [
  ...resourceServerRoutes,
  ...clientCredentialRoutes,
  ...clientRoutes,
  ...clientGrantRoutes,
  ...connectionRoutes(configurationKey),
  ...userRoutes,
  ...roleRoutes,
  ...unmodelledRoutes,
  // Last: parts of modelled objects that nothing above answers.
  ...subPathRoutes,
];

/** Whether the stand-in implements `method` on `path` (below `/api/v2`), for conformance scoping. */
export function implementsEndpoint(method: string, path: string): boolean {
  return matchRoute(routes(Buffer.alloc(32)), method, path) !== undefined;
}

export async function startAuth0StandIn(options: Auth0StandInOptions = {}): Promise<Auth0StandIn> {
  const domain = options.domain ?? "exampleco-dev.eu.auth0.com";
  const { restore } = options;
  if (restore !== undefined && restore.domain !== domain)
    throw new Error(`the saved tenant is for ${restore.domain}, not ${domain}: its tokens' issuer would be wrong`);
  const tenant = new TenantState(domain, options.passwordCost);
  if (restore !== undefined) tenant.restore(restore.tenant);
  // The RS256 key is made while the server binds its port: every token and every Management
  // API call needs it, so the stand-in counts as started only once it exists.
  const keysPromise = restore === undefined ? generateTenantKeys(domain) : restoreTenantKeys(domain, restore.keys);
  keysPromise.catch(() => undefined);
  const keys = (): Promise<TenantKeys> => keysPromise;
  const issuer = `https://${domain}/`;
  const configurationKey = restore === undefined ? randomBytes(32) : Buffer.from(restore.configurationKey, "base64");
  const routeTable = routes(configurationKey);
  const saved = async (): Promise<SavedTenant> => ({
    format: 1,
    domain,
    configurationKey: configurationKey.toString("base64"),
    keys: await (await keys()).saved(),
    tenant: tenant.saved(),
  });
  // Keys change outside the Management API too (PS256 is made on first use), and so does the
  // tenant (an assertion id used, a password hash upgraded at sign-in): a request that changed
  // either saves as well.
  let savedKeys = "";
  let savedRevision = tenant.revision;
  const afterAnswer =
    options.onChange === undefined
      ? undefined
      : async (managementWrite: boolean): Promise<void> => {
          const keysNow = JSON.stringify((await (await keys()).saved()).ps256 ?? null);
          if (!managementWrite && keysNow === savedKeys && tenant.revision === savedRevision) return;
          savedKeys = keysNow;
          savedRevision = tenant.revision;
          options.onChange?.(await saved());
        };
  const verifier = new ManagementTokenVerifier(keys, issuer, tenant.managementAudience);
  const authorization = new AuthorizationEndpoint(tenant);
  const tokenEndpoint = new TokenEndpoint(tenant, keys, authorization);
  const faults = new Faults();
  const rateLimit = new ManagementRateLimit();
  const log: RequestLogEntry[] = [];
  const tokenIssuerClientId = newClientId();
  const internalErrors: unknown[] = [];
  const server: Server = createServer(
    { keepAlive: true },
    requestListener({
      tenant,
      keys,
      routes: routeTable,
      verifier,
      tokenEndpoint,
      authorization,
      faults,
      rateLimit,
      log,
      logCapacity: options.requestLog ?? Number.POSITIVE_INFINITY,
      internalErrors,
      afterAnswer,
    }),
  );
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  try {
    savedKeys = JSON.stringify((await (await keysPromise).saved()).ps256 ?? null);
  } catch (error) {
    server.close();
    throw error;
  }
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;

  /** Runs a Management API route in-process with every permission. */
  async function invoke(method: Route["method"], path: string, body: unknown): Promise<unknown> {
    const match = matchRoute(routeTable, method, path);
    if (!match) throw new Error(`No route for ${method} ${path}`);
    const result = await match.route.handler({
      tenant,
      keys,
      params: match.params,
      query: {},
      searchParams: new URLSearchParams(),
      body,
      scopes: new Set<string>(MANAGEMENT_SCOPES),
    });
    return result.body;
  }
  async function create<T>(path: string, body: unknown): Promise<T> {
    try {
      return (await invoke("POST", path, body)) as T;
    } catch (error) {
      if (error instanceof ManagementApiError)
        throw new Error(`Seeding ${path} failed: ${error.statusCode} ${error.message}`, { cause: error });
      throw error;
    }
  }

  const standIn: Auth0StandIn = {
    url,
    domain,
    issuer,
    managementAudience: tenant.managementAudience,
    fetch: localFetch(domain, url),
    requests: log,
    internalErrors,
    faults,
    tenant,
    keys,

    async createManagementClient({ scopes = MANAGEMENT_SCOPES, name = "Management API client" } = {}) {
      const client = await standIn.createClient({ name, app_type: "non_interactive" });
      await standIn.createClientGrant({ client_id: client.client_id, audience: tenant.managementAudience, scope: [...scopes] });
      return { clientId: client.client_id, clientSecret: client.client_secret };
    },

    async managementToken(scopes = MANAGEMENT_SCOPES) {
      const managementApi = tenant.resourceServerByIdentifier(tenant.managementAudience);
      if (!managementApi) throw new Error("The Management API resource server is missing");
      const issued = await issueAccessToken(await keys(), { issuer, resourceServer: managementApi, clientId: tokenIssuerClientId, scopes });
      return issued.access_token;
    },

    createResourceServer: (body) => create("/resource-servers", body),
    createClient: (body) => create("/clients", body),
    createClientGrant: (body) => create("/client-grants", body),
    createConnection: (body) => create("/connections", body),
    createUser: (body) => create("/users", body),

    async importClient(document) {
      const clientId = document.client_id;
      if (typeof clientId !== "string") throw new Error("importClient needs a client_id");
      const client: Client = { ...document, client_id: clientId, name: String(document.name ?? clientId) };
      client.signing_keys = (await keys()).clientSigningKeys;
      tenant.clients.set(clientId, client);
      return client;
    },

    importCredential(clientId, document) {
      const forClient = tenant.credentials.get(clientId) ?? new Map();
      forClient.set(document.id, { document, key: undefined });
      tenant.credentials.set(clientId, forClient);
    },

    saved,

    reset() {
      tenant.reset();
      faults.clear();
      rateLimit.refill();
      verifier.forget();
      log.length = 0;
      internalErrors.length = 0;
    },

    close() {
      return new Promise((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      });
    },
  };
  return standIn;
}
