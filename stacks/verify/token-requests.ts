import { randomUUID } from "node:crypto";
import { importPKCS8, SignJWT } from "jose";
import { AnswerRefused } from "../auth0/guarded-fetch";
import { bodyBrokeOff } from "../auth0/json-answer";
import { readTokenAnswer } from "../auth0/token";
import type { ImportJobAuth } from "./inputs";

// Token requests to Auth0's /oauth/token: the import job's client credentials and the test
// user's password-realm sign-in. Auth0's refusals are returned, so that a refusal can be a
// check's result; an answer that is not Auth0's word is thrown (verify could not finish). No
// secret and no token is ever part of what is returned for display.

export const PASSWORD_REALM_GRANT = "http://auth0.com/oauth/grant-type/password-realm";
const ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

export type TokenAnswer =
  | { readonly ok: true; readonly accessToken: string }
  | { readonly ok: false; readonly status: number; readonly error: string; readonly description: string };

export interface TokenEndpoint {
  readonly url: string;
  /** The tenant's issuer, `https://DOMAIN/`: the audience of a client assertion. */
  readonly issuer: string;
  readonly fetch: typeof fetch;
  readonly signal: AbortSignal;
  /** Told of every credential made or received here (an assertion, a token): what no output may show. */
  readonly onCredential?: (value: string) => void;
}

/** The token endpoint's answer was not Auth0's word on the request: verify could not finish. */
export class TokenAnswerUnusable extends Error {}

/**
 * Auth0's refusal is returned (a check's result); an answer that says nothing of the request
 * (not Auth0's, cut off, without a usable token) is thrown: the tenant's answer could not be read.
 */
async function post(endpoint: TokenEndpoint, body: URLSearchParams, headers: Record<string, string> = {}): Promise<TokenAnswer> {
  const response = await endpoint.fetch(endpoint.url, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", accept: "application/json", ...headers },
    body: body.toString(),
    signal: endpoint.signal,
  });
  let text: string;
  try {
    text = await response.text();
  } catch (error) {
    if (endpoint.signal.aborted || error instanceof AnswerRefused || (error instanceof Error && error.cause instanceof AnswerRefused))
      throw error;
    throw new TokenAnswerUnusable(`POST /oauth/token: ${bodyBrokeOff(new URL(endpoint.url).host, error)}`);
  }
  const read = readTokenAnswer(response.status, response.headers.get("content-type"), text);
  if (read.ok) {
    endpoint.onCredential?.(read.accessToken);
    return { ok: true, accessToken: read.accessToken };
  }
  if (!read.refused) throw new TokenAnswerUnusable(`POST /oauth/token: ${read.message}`);
  return { ok: false, status: read.status, error: read.error, description: read.description };
}

/** RFC 7523 client assertion, signed with the import job's private key; Auth0 takes the issuer as audience. */
async function clientAssertion(
  clientId: string,
  auth: Extract<ImportJobAuth, { method: "private_key_jwt" }>,
  issuer: string,
): Promise<string> {
  const key = await importPKCS8(auth.privateKeyPem, auth.algorithm);
  return new SignJWT({})
    .setProtectedHeader({ alg: auth.algorithm })
    .setIssuer(clientId)
    .setSubject(clientId)
    .setAudience(issuer)
    .setIssuedAt()
    .setExpirationTime("1m")
    .setJti(randomUUID())
    .sign(key);
}

/** Form-encodes Basic credentials first (RFC 6749 §2.3.1). */
const basic = (clientId: string, secret: string): string =>
  `Basic ${Buffer.from(`${encodeURIComponent(clientId)}:${encodeURIComponent(secret)}`).toString("base64")}`;

export async function clientCredentialsToken(
  endpoint: TokenEndpoint,
  clientId: string,
  auth: ImportJobAuth,
  audience: string,
  scope?: string,
): Promise<TokenAnswer> {
  const body = new URLSearchParams({ grant_type: "client_credentials", audience });
  if (scope !== undefined) body.set("scope", scope);
  if (auth.method === "client_secret_basic") return post(endpoint, body, { authorization: basic(clientId, auth.secret) });
  body.set("client_id", clientId);
  if (auth.method === "private_key_jwt") {
    body.set("client_assertion_type", ASSERTION_TYPE);
    const assertion = await clientAssertion(clientId, auth, endpoint.issuer);
    endpoint.onCredential?.(assertion);
    body.set("client_assertion", assertion);
  } else body.set("client_secret", auth.secret);
  return post(endpoint, body);
}

export interface PasswordSignIn {
  readonly clientId: string;
  readonly clientSecret: string;
  readonly username: string;
  readonly password: string;
  /** The connection that holds the user. */
  readonly realm: string;
}

/** Auth0's Resource Owner Password flow with realm support: no browser, no redirect. */
export function passwordRealmToken(endpoint: TokenEndpoint, signIn: PasswordSignIn, audience: string, scope: string): Promise<TokenAnswer> {
  return post(
    endpoint,
    new URLSearchParams({
      grant_type: PASSWORD_REALM_GRANT,
      client_id: signIn.clientId,
      client_secret: signIn.clientSecret,
      username: signIn.username,
      password: signIn.password,
      realm: signIn.realm,
      audience,
      scope,
    }),
  );
}

/** The authorization code grant, as API Management's authorization server sends it: credentials in the body. */
export function authorizationCodeToken(
  endpoint: TokenEndpoint,
  client: { readonly clientId: string; readonly clientSecret: string },
  code: string,
  redirectUri: string,
): Promise<TokenAnswer> {
  return post(
    endpoint,
    new URLSearchParams({
      grant_type: "authorization_code",
      client_id: client.clientId,
      client_secret: client.clientSecret,
      code,
      redirect_uri: redirectUri,
    }),
  );
}

/** A refusal as a check shows it: status and Auth0's error code and description, nothing sent. */
export const refusal = (answer: Extract<TokenAnswer, { ok: false }>): string =>
  `refused: ${answer.status} ${answer.error}${answer.description === "" ? "" : ` (${answer.description})`}`;
