import { createPublicKey, createSecretKey, type KeyObject } from "node:crypto";
import type { ValidateJwtPolicy } from "./policy-document";

/** A key validate-jwt may try: from the policy's `issuer-signing-keys`, or from an OpenID configuration's JWKS. */
export interface CandidateKey {
  readonly kid: string | undefined;
  readonly kind: "symmetric" | "rsa";
  readonly key: KeyObject;
}

interface OpenIdConfiguration {
  readonly issuer: string | undefined;
  readonly keys: readonly CandidateKey[];
}

interface Jwk {
  readonly kty?: string;
  readonly use?: string;
  readonly kid?: string;
  readonly n?: string;
  readonly e?: string;
}

/** Strict base64: what validate-jwt's `<key>` takes for a symmetric key. */
function decodeBase64(value: string): Buffer {
  const bytes = Buffer.from(value, "base64");
  if (value === "" || bytes.toString("base64") !== value) throw new Error(`an issuer signing key is not base64: ${value.slice(0, 8)}…`);
  return bytes;
}

function rsaKey(n: string, e: string): KeyObject {
  return createPublicKey({ key: { kty: "RSA", n, e }, format: "jwk" });
}

/**
 * Fetches and caches OpenID configurations and their key sets, as API Management does
 * (it caches them for an hour). `fetch` is the stand-in's, which serves https://DOMAIN/.
 */
export class SigningKeyResolver {
  private readonly configurations = new Map<string, Promise<OpenIdConfiguration>>();

  constructor(private readonly fetchImpl: typeof fetch) {}

  /** The keys a policy may verify with, and the issuers its OpenID configurations add. */
  async resolve(policy: ValidateJwtPolicy): Promise<{ keys: CandidateKey[]; issuers: string[] }> {
    const inline: CandidateKey[] = policy.issuerSigningKeys.map((element) =>
      element.kind === "rsa"
        ? { kid: element.id, kind: "rsa", key: rsaKey(element.n, element.e) }
        : { kid: element.id, kind: "symmetric", key: createSecretKey(decodeBase64(element.value)) },
    );
    const configurations = await Promise.all(policy.openIdConfigUrls.map((url) => this.configuration(url)));
    return {
      keys: [...inline, ...configurations.flatMap((configuration) => configuration.keys)],
      issuers: configurations.flatMap((configuration) => (configuration.issuer === undefined ? [] : [configuration.issuer])),
    };
  }

  private configuration(url: string): Promise<OpenIdConfiguration> {
    let cached = this.configurations.get(url);
    if (cached === undefined) {
      cached = this.load(url);
      this.configurations.set(url, cached);
    }
    return cached;
  }

  private async load(url: string): Promise<OpenIdConfiguration> {
    const document = (await this.json(url)) as { issuer?: unknown; jwks_uri?: unknown };
    if (typeof document.jwks_uri !== "string") throw new Error(`${url} names no jwks_uri`);
    const jwks = (await this.json(document.jwks_uri)) as { keys?: unknown };
    const keys = Array.isArray(jwks.keys) ? (jwks.keys as Jwk[]) : [];
    return {
      issuer: typeof document.issuer === "string" ? document.issuer : undefined,
      keys: keys
        .filter((jwk) => jwk.kty === "RSA" && (jwk.use === undefined || jwk.use === "sig") && jwk.n !== undefined && jwk.e !== undefined)
        .map((jwk) => ({ kid: jwk.kid, kind: "rsa", key: rsaKey(jwk.n as string, jwk.e as string) })),
    };
  }

  private async json(url: string): Promise<unknown> {
    const response = await this.fetchImpl(url);
    if (!response.ok) throw new Error(`GET ${url} answered ${response.status}`);
    return response.json();
  }
}
