import { createHash, randomBytes } from "node:crypto";
import { specFromConfig } from "../../infra/config/build";
import type { TenantSpec } from "../../infra/config/spec";
import type { Auth0StandIn } from "../../local/auth0";
import { readStackConfig } from "../../stacks/stack-config";

// What the sign-in tests share: the `local` stack's spec with its developer portal at an address
// the test serves, PKCE pairs, the authorization request and the code exchange as the developer
// portal sends them.

/**
 * The local stack as committed, its developer portal (the local gateway's address) moved to
 * `address`, and its tenant to `domain` where the local Auth0 was started on another port.
 */
export function localSpecWithPortalAt(address: string, domain?: string): TenantSpec {
  const config = readStackConfig("local");
  const apim = { ...(config["timesheets:apim"] as Record<string, unknown>), address };
  const tenant = domain === undefined ? {} : { "timesheets:domain": domain };
  return specFromConfig({ ...config, ...tenant, "timesheets:apim": apim }, "local", () => false);
}

export interface Pkce {
  readonly verifier: string;
  readonly challenge: string;
}

/** RFC 7636's S256 pair: a random verifier and BASE64URL(SHA256(verifier)). */
export function pkce(): Pkce {
  const verifier = randomBytes(32).toString("base64url");
  return { verifier, challenge: createHash("sha256").update(verifier).digest("base64url") };
}

export interface AuthorizationRequest {
  readonly clientId: string;
  readonly redirectUri: string;
  readonly challenge?: string;
  readonly scope?: string;
  readonly state?: string;
  readonly nonce?: string;
  readonly audience?: string;
}

/** `/authorize` on `base` (the stand-in's loopback origin), with the parameters the developer portal sends. */
export function authorizeUrl(spec: TenantSpec, base: string, request: AuthorizationRequest): string {
  const url = new URL("/authorize", base);
  const parameters: Record<string, string | undefined> = {
    response_type: "code",
    client_id: request.clientId,
    redirect_uri: request.redirectUri,
    audience: request.audience ?? spec.api.identifier,
    scope: request.scope ?? spec.gateway?.developerPortal?.authorizationServer.defaultScope,
    state: request.state ?? "portal-state",
    nonce: request.nonce ?? "portal-nonce",
    code_challenge: request.challenge,
    code_challenge_method: request.challenge === undefined ? undefined : "S256",
  };
  for (const [name, value] of Object.entries(parameters)) if (value !== undefined) url.searchParams.set(name, value);
  return url.href;
}

export interface ExchangeAnswer {
  readonly status: number;
  readonly body: { access_token?: string; scope?: string; error?: string; error_description?: string };
}

/** The code exchanged at `/oauth/token` as API Management sends it: client credentials in the body. */
export async function exchangeCode(
  standIn: Auth0StandIn,
  exchange: { clientId: string; clientSecret: string; code: string; redirectUri: string; verifier?: string },
): Promise<ExchangeAnswer> {
  const body = new URLSearchParams({
    grant_type: "authorization_code",
    client_id: exchange.clientId,
    client_secret: exchange.clientSecret,
    code: exchange.code,
    redirect_uri: exchange.redirectUri,
  });
  if (exchange.verifier !== undefined) body.set("code_verifier", exchange.verifier);
  const response = await standIn.fetch(`https://${standIn.domain}/oauth/token`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body,
  });
  return { status: response.status, body: (await response.json()) as ExchangeAnswer["body"] };
}
