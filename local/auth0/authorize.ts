import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import { OAuthError } from "./errors.js";
import type { TenantKeys } from "./keys.js";
import { issueUserToken, userWithPassword } from "./password-realm.js";
import { errorPage, PAGE_HEADERS, signInPage } from "./sign-in-page.js";
import type { Client, TenantState, User } from "./store.js";
import type { IssuedToken } from "./tokens.js";

// Auth0's authorization endpoint for the authorization code flow (with PKCE), as a browser meets
// it: `/authorize` checks the request and sends the browser to the sign-in page (`/u/login`, as
// Auth0's Universal Login), the page's form signs the user in against the database connections
// enabled for the application, and the browser returns to the application's callback with a
// code, which the application exchanges once at `/oauth/token`. Sources: Auth0's "Authorization
// Code Flow with PKCE" and "Call Your API Using the Authorization Code Flow" pages; answers
// marked "observed" are quoted in users' reports; "guess" has no source. Requests and codes live
// in memory only: they last minutes, and a restart of the local Auth0 ends them as Auth0's
// expiry would.

/** What the HTTP face sends for a browser request: a page, or a redirect. */
export interface BrowserAnswer {
  readonly status: number;
  readonly html?: string;
  readonly headers: Readonly<Record<string, string>>;
}

interface PendingRequest {
  readonly clientId: string;
  readonly redirectUri: string;
  readonly audience: string;
  readonly scope: string;
  readonly state: string | undefined;
  readonly nonce: string | undefined;
  readonly codeChallenge: string | undefined;
  readonly codeChallengeMethod: "S256" | "plain" | undefined;
  /** The browser that started the request holds this in a cookie: a form posted from elsewhere is refused. */
  readonly browserBinding: string;
  readonly expiresAt: number;
}

interface IssuedCode {
  readonly request: PendingRequest;
  readonly userId: string;
  readonly expiresAt: number;
}

/** Guess: how long a sign-in may take; Auth0's transaction lasts longer than a person needs. */
const REQUEST_LIFETIME_MS = 15 * 60 * 1000;
/** Guess: RFC 6749 recommends at most ten minutes for a code; Auth0 documents none. */
const CODE_LIFETIME_MS = 10 * 60 * 1000;
/** Bounded: an endless stream of abandoned sign-ins must not grow memory without limit. */
const MAX_PENDING = 10_000;
const BINDING_COOKIE = "auth0_local_transaction";

const random = (): string => randomBytes(32).toString("base64url");

function sameText(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

/** RFC 7636: S256 compares BASE64URL(SHA256(verifier)) with the challenge; plain compares them as they are. */
export function verifierMatches(verifier: string, challenge: string, method: "S256" | "plain"): boolean {
  const derived = method === "S256" ? createHash("sha256").update(verifier).digest("base64url") : verifier;
  return sameText(derived, challenge);
}

function page(status: number, html: string, headers: Record<string, string> = {}): BrowserAnswer {
  return { status, html, headers: { ...PAGE_HEADERS, ...headers } };
}

const redirect = (location: string, headers: Record<string, string> = {}): BrowserAnswer => ({
  status: 302,
  headers: { location, "cache-control": "no-store", ...headers },
});

/** The callback with an OAuth error, as Auth0 answers a request it can name the application of. */
function errorRedirect(request: Pick<PendingRequest, "redirectUri" | "state">, error: string, description: string): BrowserAnswer {
  const target = new URL(request.redirectUri);
  target.searchParams.set("error", error);
  target.searchParams.set("error_description", description);
  if (request.state !== undefined) target.searchParams.set("state", request.state);
  return redirect(target.href);
}

function cookieValue(cookieHeader: string | undefined, name: string): string | undefined {
  for (const part of (cookieHeader ?? "").split(";")) {
    const [key, ...value] = part.trim().split("=");
    if (key === name) return value.join("=");
  }
  return undefined;
}

export class AuthorizationEndpoint {
  private readonly pending = new Map<string, PendingRequest>();
  private readonly codes = new Map<string, IssuedCode>();

  constructor(
    private readonly tenant: TenantState,
    private readonly now: () => number = Date.now,
  ) {}

  /** GET /authorize. */
  authorize(query: URLSearchParams): BrowserAnswer {
    const clientId = query.get("client_id") ?? "";
    const client = this.tenant.clients.get(clientId);
    // Observed: an unknown client and a callback not allowed are shown on Auth0's error page, never redirected.
    if (client === undefined) return page(400, errorPage("invalid_request", `Unknown client: ${clientId}`));
    const redirectUri = query.get("redirect_uri") ?? "";
    // Exactly one of the application's callbacks: no prefix, no wildcard, no normalisation.
    if (!Array.isArray(client.callbacks) || !client.callbacks.includes(redirectUri)) {
      return page(400, errorPage("Callback URL mismatch.", "The provided redirect_uri is not in the list of allowed callback URLs."));
    }
    const state = query.get("state") ?? undefined;
    const back = { redirectUri, state };
    const responseType = query.get("response_type") ?? "";
    // Only the code flow is modelled here: implicit and hybrid answers are a guess left out.
    if (responseType !== "code") return errorRedirect(back, "unsupported_response_type", `Unsupported response type: ${responseType}`);
    if (!(client.grant_types ?? []).includes("authorization_code")) {
      return errorRedirect(back, "unauthorized_client", "Grant type 'authorization_code' not allowed for the client.");
    }
    const audience = query.get("audience") ?? "";
    // Guess: Auth0 would issue an opaque token for /userinfo without an audience; the local Auth0 issues API tokens only.
    if (audience === "") return errorRedirect(back, "invalid_request", "audience is required");
    if (this.tenant.resourceServerByIdentifier(audience) === undefined) {
      return errorRedirect(back, "access_denied", `Service not found: ${audience}`);
    }
    const challenge = query.get("code_challenge") ?? undefined;
    const method = query.get("code_challenge_method") ?? (challenge === undefined ? undefined : "plain");
    if (method !== undefined && method !== "S256" && method !== "plain") {
      return errorRedirect(back, "invalid_request", "code_challenge_method must be S256 or plain");
    }
    if (method !== undefined && challenge === undefined) return errorRedirect(back, "invalid_request", "code_challenge is required");
    if (this.connectionsOf(client).length === 0) {
      // Guess: the words of Auth0's page when an application has no connection enabled.
      return page(400, errorPage("invalid_request", "no connections enabled for the client"));
    }
    this.forgetExpired();
    if (this.pending.size >= MAX_PENDING) this.pending.delete(this.pending.keys().next().value as string);
    const transaction = random();
    const browserBinding = random();
    this.pending.set(transaction, {
      clientId,
      redirectUri,
      audience,
      scope: query.get("scope") ?? "",
      state,
      nonce: query.get("nonce") ?? undefined,
      codeChallenge: challenge,
      codeChallengeMethod: method,
      browserBinding,
      expiresAt: this.now() + REQUEST_LIFETIME_MS,
    });
    return redirect(`/u/login?state=${encodeURIComponent(transaction)}`, {
      "set-cookie": `${BINDING_COOKIE}=${browserBinding}; Path=/u/login; HttpOnly; Secure; SameSite=Lax`,
    });
  }

  /** GET /u/login: the sign-in page of a pending request. */
  signInPage(query: URLSearchParams): BrowserAnswer {
    const transaction = query.get("state") ?? "";
    const request = this.live(transaction);
    if (request === undefined)
      return page(400, errorPage("invalid_request", "The sign-in has expired or is unknown; start again from the application."));
    return page(200, signInPage({ transaction, applicationName: this.applicationName(request) }));
  }

  /** POST /u/login: the form; the user back to the application with a code, or the page again with the error. */
  async signIn(form: URLSearchParams, cookieHeader: string | undefined): Promise<BrowserAnswer> {
    const transaction = form.get("state") ?? "";
    const request = this.live(transaction);
    if (request === undefined)
      return page(400, errorPage("invalid_request", "The sign-in has expired or is unknown; start again from the application."));
    const binding = cookieValue(cookieHeader, BINDING_COOKIE);
    // The form counts only from the browser that started this request (login CSRF).
    if (binding === undefined || !sameText(binding, request.browserBinding)) {
      return page(403, errorPage("invalid_request", "This sign-in was not started in this browser; start again from the application."));
    }
    const email = form.get("username") ?? "";
    const password = form.get("password") ?? "";
    const again = (status: number, error: string): BrowserAnswer =>
      page(status, signInPage({ transaction, applicationName: this.applicationName(request), email, error }));
    const client = this.tenant.clients.get(request.clientId);
    const user = client === undefined ? undefined : await this.userWithPassword(client, email, password);
    // Observed: Universal Login's words, the same for an unknown address, so the page never tells which exist.
    if (user === undefined) return again(400, "Wrong email or password");
    // Guess, from Auth0's log event for a blocked user.
    if (user.blocked === true) return again(401, "user is blocked");

    // The password check awaited: a second submission of the same form may have used the request meanwhile.
    if (this.live(transaction) !== request)
      return page(400, errorPage("invalid_request", "The sign-in has expired or is unknown; start again from the application."));
    this.pending.delete(transaction);
    const code = random();
    this.codes.set(code, { request, userId: user.user_id, expiresAt: this.now() + CODE_LIFETIME_MS });
    const target = new URL(request.redirectUri);
    target.searchParams.set("code", code);
    if (request.state !== undefined) target.searchParams.set("state", request.state);
    return redirect(target.href);
  }

  /** The authorization_code grant at /oauth/token, after the token endpoint authenticated the client. */
  async exchange(client: Client, parameters: Map<string, string>, keys: TenantKeys, issuer: string): Promise<IssuedToken> {
    if (!(client.grant_types ?? []).includes("authorization_code")) {
      throw new OAuthError(403, "unauthorized_client", "Grant type 'authorization_code' not allowed for the client.");
    }
    const code = parameters.get("code") ?? "";
    if (code === "") throw new OAuthError(400, "invalid_request", "Missing required parameter: code");
    const issued = this.codes.get(code);
    // Observed: a code unknown, expired, used, or another client's, all alike.
    const invalid = (): OAuthError => new OAuthError(403, "invalid_grant", "Invalid authorization code");
    if (issued === undefined || issued.request.clientId !== client.client_id) throw invalid();
    // Used once: whatever the outcome of this exchange, the code is spent (guess: Auth0 does not say whether a failed exchange spends it).
    this.codes.delete(code);
    if (issued.expiresAt <= this.now()) throw invalid();
    // Guess: the words; RFC 6749 §4.1.3 requires the same redirect_uri as the authorization request.
    if (parameters.get("redirect_uri") !== issued.request.redirectUri) throw new OAuthError(403, "invalid_grant", "Invalid redirect_uri");
    const { codeChallenge, codeChallengeMethod } = issued.request;
    if (codeChallenge !== undefined && codeChallengeMethod !== undefined) {
      const verifier = parameters.get("code_verifier");
      // Guess: the words of Auth0's answer to a verifier that does not match.
      if (verifier === undefined || !verifierMatches(verifier, codeChallenge, codeChallengeMethod)) {
        throw new OAuthError(403, "invalid_grant", "Failed to verify code verifier");
      }
    }
    const user = this.tenant.users.get(issued.userId);
    if (user === undefined) throw invalid();
    // Guess left out: with `openid`, Auth0 adds an ID token (with the request's nonce); the portal needs the access token only.
    return issueUserToken(this.tenant, keys, issuer, client, user, issued.request.audience, issued.request.scope, "authorization_code");
  }

  private live(transaction: string): PendingRequest | undefined {
    const request = this.pending.get(transaction);
    if (request === undefined || request.expiresAt <= this.now()) return undefined;
    return request;
  }

  private applicationName(request: PendingRequest): string {
    const name = this.tenant.clients.get(request.clientId)?.name;
    return typeof name === "string" ? name : request.clientId;
  }

  /** The database connections enabled for the application: where Universal Login looks the user up. */
  private connectionsOf(client: Client): string[] {
    return [...this.tenant.connections.values()]
      .filter((connection) => connection.strategy === "auth0" && connection.enabled_clients.includes(client.client_id))
      .map((connection) => connection.name);
  }

  private async userWithPassword(client: Client, email: string, password: string): Promise<User | undefined> {
    if (email === "" || password === "") return undefined;
    for (const realm of this.connectionsOf(client)) {
      const user = await userWithPassword(this.tenant, realm, email, password);
      if (user !== undefined) return user;
    }
    return undefined;
  }

  private forgetExpired(): void {
    const now = this.now();
    for (const [key, request] of this.pending) if (request.expiresAt <= now) this.pending.delete(key);
    for (const [key, code] of this.codes) if (code.expiresAt <= now) this.codes.delete(key);
  }
}
