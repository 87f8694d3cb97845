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

/**
 * Microsoft's validate-jwt reference, `openid-config`: the configuration and its JWKS are
 * pulled every hour and cached; when a token names a `kid` the cached configuration lacks,
 * or a retrieval fails, API Management pulls again at most once per 5 minutes.
 */
export const CONFIGURATION_LIFETIME_SECONDS = 60 * 60;
export const REFRESH_INTERVAL_SECONDS = 5 * 60;

/** Strict base64: what validate-jwt's `<key>` takes for a symmetric key. */
function decodeBase64(value: string): Buffer {
  const bytes = Buffer.from(value, "base64");
  if (value === "" || bytes.toString("base64") !== value) throw new Error(`an issuer signing key is not base64: ${value.slice(0, 8)}…`);
  return bytes;
}

function rsaKey(n: string, e: string): KeyObject {
  return createPublicKey({ key: { kty: "RSA", n, e }, format: "jwk" });
}

interface CacheEntry {
  /** The last configuration retrieved, if any retrieval succeeded. */
  readonly configuration: OpenIdConfiguration | undefined;
  /** When it was retrieved (seconds); a failure keeps the previous one. */
  readonly fetchedAt: number;
  /** When the last pull was attempted (seconds), successful or not. */
  readonly attemptedAt: number;
}

export interface ResolvedKeys {
  readonly keys: CandidateKey[];
  readonly issuers: string[];
}

/**
 * Fetches and caches OpenID configurations and their key sets as API Management documents
 * it. `fetch` is the stand-in's, which serves https://DOMAIN/; `now` is the gateway's clock.
 */
export class SigningKeyResolver {
  private readonly cache = new Map<string, CacheEntry>();
  /** How many times each configuration URL was pulled: what a test of the refresh rule counts. */
  readonly pulls = new Map<string, number>();

  constructor(
    private readonly fetchImpl: typeof fetch,
    private readonly now: () => number,
  ) {}

  /** The keys a policy may verify with, and the issuers its OpenID configurations add. */
  async resolve(policy: ValidateJwtPolicy): Promise<ResolvedKeys> {
    const configurations = await Promise.all(policy.openIdConfigUrls.map((url) => this.configuration(url, false)));
    return this.combine(policy, configurations);
  }

  /**
   * After a `kid` the cached keys lack: pulls each configuration again, unless it was pulled
   * in the last 5 minutes. Answers the keys as they then stand.
   */
  async refreshForUnknownKid(policy: ValidateJwtPolicy): Promise<ResolvedKeys> {
    const configurations = await Promise.all(policy.openIdConfigUrls.map((url) => this.configuration(url, true)));
    return this.combine(policy, configurations);
  }

  private combine(policy: ValidateJwtPolicy, configurations: readonly (OpenIdConfiguration | undefined)[]): ResolvedKeys {
    const inline: CandidateKey[] = policy.issuerSigningKeys.map((element) =>
      element.kind === "rsa"
        ? { kid: element.id, kind: "rsa", key: rsaKey(element.n, element.e) }
        : { kid: element.id, kind: "symmetric", key: createSecretKey(decodeBase64(element.value)) },
    );
    const known = configurations.filter((configuration): configuration is OpenIdConfiguration => configuration !== undefined);
    return {
      keys: [...inline, ...known.flatMap((configuration) => configuration.keys)],
      issuers: known.flatMap((configuration) => (configuration.issuer === undefined ? [] : [configuration.issuer])),
    };
  }

  private async configuration(url: string, kidMissing: boolean): Promise<OpenIdConfiguration | undefined> {
    const now = this.now();
    const entry = this.cache.get(url);
    const fresh = entry?.configuration !== undefined && now - entry.fetchedAt < CONFIGURATION_LIFETIME_SECONDS;
    // A miss (unknown kid) or a failed retrieval may pull again, but not twice within 5 minutes.
    const mayRetry = entry === undefined || now - entry.attemptedAt >= REFRESH_INTERVAL_SECONDS;
    if (entry !== undefined && fresh && !kidMissing) return entry.configuration;
    // Stale, failed before, or missing a kid: pull again, unless the last pull was under 5 minutes ago.
    if (entry !== undefined && !mayRetry) return entry.configuration;
    this.pulls.set(url, (this.pulls.get(url) ?? 0) + 1);
    try {
      const configuration = await this.load(url);
      this.cache.set(url, { configuration, fetchedAt: now, attemptedAt: now });
      return configuration;
    } catch {
      // Guess: the documentation says a failed retrieval is retried (at most once per 5
      // minutes), not whether the previous keys stay usable meanwhile; this keeps them.
      this.cache.set(url, { configuration: entry?.configuration, fetchedAt: entry?.fetchedAt ?? now, attemptedAt: now });
      return entry?.configuration;
    }
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
        // Guess: a JWK's own `alg` is not compared with the token's; only the key type decides.
        .map((jwk) => ({ kid: jwk.kid, kind: "rsa", key: rsaKey(jwk.n as string, jwk.e as string) })),
    };
  }

  private async json(url: string): Promise<unknown> {
    const response = await this.fetchImpl(url);
    if (!response.ok) throw new Error(`GET ${url} answered ${response.status}`);
    return response.json();
  }
}
