import type { KeyObject } from "node:crypto";
import { signingKeyValue } from "../../../infra/azure/gateway-args";
import { signingKeyNamedValue } from "../../../infra/azure/policy-xml";
import type { GatewayOperation, TenantSpec } from "../../../infra/config/spec";
import { type Auth0StandIn } from "../../../local/auth0";
import { startAuth0StandIn } from "../stand-in";
import type { TenantKeys } from "../../../local/auth0/keys";
import { decodeToken, patchClaims, signRsa, type Claims, type GenuineToken } from "./forged-tokens";
import { gatewayFromSpec, type GatewayOptions as FromSpecOptions } from "../../../local/apim/validate-jwt/from-spec";
import type { GatewayResponse, ValidateJwtGateway } from "../../../local/apim/validate-jwt/gateway";
import { seedTenantFromSpec, type SeededTenant } from "./tenant-from-spec";

/**
 * One stack's gateway under test: the Auth0 stand-in seeded from the stack's spec (plus a
 * foreign tenant), the import job's genuine token, and the validate-jwt model loaded with
 * the policies rendered for that spec.
 */

export const OTHER_API = "https://reports.exampleco.com/api";

export interface Fixture {
  readonly spec: TenantSpec;
  readonly standIn: Auth0StandIn;
  readonly foreignTenant: Auth0StandIn;
  readonly tenant: SeededTenant;
  readonly gateway: ValidateJwtGateway;
  /** The named values the gateway holds (the HS256 key, where there is one). */
  readonly namedValues: Record<string, string>;
  /** The stand-in tenant's signing keys (rotate, revoke). */
  readonly keys: TenantKeys;
  /** What the gateway fetches OpenID configurations with: both tenants, nothing else. */
  readonly fetch: typeof fetch;
  readonly importJobToken: string;
  readonly genuine: GenuineToken;
  /** The private key the tenant signs this API's tokens with. */
  readonly tenantKey: KeyObject;
  readonly tenantPublicKeyPem: string;
  readonly skew: number;
}

export function operationOf(spec: TenantSpec, id: string): GatewayOperation {
  const operation = spec.gateway?.operations.find((candidate) => candidate.id === id);
  if (operation === undefined) throw new Error(`no operation ${id}`);
  return operation;
}

/** A concrete request path for an operation's template. */
export const pathOf = (operation: GatewayOperation): string => operation.urlTemplate.replace(/\{[^{}]+\}/g, "42");

/**
 * The gateway's view of the internet: each stand-in answers for its own domain, and any
 * other address is refused, so no test can reach a real network by accident.
 */
export function tenantsFetch(...standIns: readonly Auth0StandIn[]): typeof fetch {
  return (input, init) => {
    const url = new URL(input instanceof Request ? input.url : input);
    const standIn = standIns.find((candidate) => url.protocol === "https:" && url.host === candidate.domain);
    if (standIn === undefined) return Promise.reject(new Error(`the gateway under test has no network: ${url.href}`));
    return standIn.fetch(input, init);
  };
}

export type { PolicyEdit } from "../../../local/apim/validate-jwt/from-spec";
export type GatewayOptions = Omit<FromSpecOptions, "fetch">;

/** The gateway as the program leaves it, fetching keys through `fetchImpl`. */
export function gatewayFor(spec: TenantSpec, fetchImpl: typeof fetch, options: GatewayOptions = {}): ValidateJwtGateway {
  return gatewayFromSpec(spec, { ...options, fetch: fetchImpl });
}

/** The named values the gateway holds: the HS256 key, encoded as the program encodes it. */
function namedValuesFor(spec: TenantSpec, tenant: SeededTenant): Record<string, string> {
  if (spec.api.signingAlg !== "HS256" || spec.gateway === undefined) return {};
  if (tenant.signingSecret === undefined) throw new Error("the stand-in generated no signing secret for the HS256 API");
  return { [signingKeyNamedValue(spec.gateway)]: signingKeyValue(tenant.signingSecret) };
}

export async function startFixture(spec: TenantSpec): Promise<Fixture> {
  const standIn = await startAuth0StandIn({ domain: spec.tenant.domain });
  const foreignTenant = await startAuth0StandIn({ domain: "exampleco-foreign.eu.auth0.com" });
  const tenant = await seedTenantFromSpec(standIn, spec);
  const importJobToken = await tenant.token(tenant.importJob);
  const keys = await standIn.keys();
  const key = spec.api.signingAlg === "PS256" ? await keys.PS256() : keys.RS256;
  const gatewayFetch = tenantsFetch(standIn, foreignTenant);
  const namedValues = namedValuesFor(spec, tenant);
  return {
    spec,
    standIn,
    foreignTenant,
    tenant,
    gateway: gatewayFor(spec, gatewayFetch, { namedValues }),
    namedValues,
    keys,
    fetch: gatewayFetch,
    importJobToken,
    genuine: decodeToken(importJobToken),
    tenantKey: key.privateKey,
    tenantPublicKeyPem: key.publicKey.export({ type: "spki", format: "pem" }).toString(),
    skew: spec.gateway?.clockSkewSeconds ?? 0,
  };
}

export async function stopFixture(f: Fixture | undefined): Promise<void> {
  await Promise.all([f?.standIn.close(), f?.foreignTenant.close()]);
}

export interface TestRequest {
  readonly headers?: Record<string, string>;
  readonly query?: string;
}

/** Sends a request to an operation (by id) through the fixture's gateway, or another one built for the same spec. */
export async function send(
  f: Fixture,
  operationId: string,
  request: TestRequest,
  gateway: ValidateJwtGateway = f.gateway,
): Promise<GatewayResponse> {
  const operation = operationOf(f.spec, operationId);
  return gateway.handle({ method: operation.method, path: `${pathOf(operation)}${request.query ?? ""}`, headers: request.headers ?? {} });
}

/** A request to any method and path below the API, declared or not. */
export function sendRaw(gateway: ValidateJwtGateway, method: string, path: string, request: TestRequest = {}): Promise<GatewayResponse> {
  return gateway.handle({ method, path, headers: request.headers ?? {} });
}

export const bearer = (token: string): TestRequest => ({ headers: { Authorization: `Bearer ${token}` } });
export const now = (): number => Math.floor(Date.now() / 1000);
/** The genuine import-job token's claims, changed in one respect, signed with the tenant's own key. */
export const withClaims = (f: Fixture, patch: Claims): Promise<string> =>
  signRsa(f.genuine, patchClaims(f.genuine.claims, patch), f.tenantKey);
