import { bearerToken, MAX_TOKEN_LENGTH, tokenErrorAnswer, tokenGrantAnswer } from "./answers";
import { jsonBody } from "./json-answer";

// What Auth0's token endpoint (`POST /oauth/token`) answered, read one way for every command
// that asks it (the audit's and adopt's session, verify's import job and test user). A token
// is used only once it is known to be one: a value that is not (null, a number, a string a
// header cannot carry) is never put in a header, nor in a message.

export type TokenRead =
  | { readonly ok: true; readonly accessToken: string; readonly expiresInSeconds: number | undefined }
  /** Auth0 refused, in its own words (RFC 6749 §5.2): a verdict on what was asked. */
  | { readonly ok: false; readonly refused: true; readonly status: number; readonly error: string; readonly description: string }
  /** An answer that says nothing of what was asked: not Auth0's, cut off, or without a token. */
  | { readonly ok: false; readonly refused: false; readonly message: string };

const unusable = (message: string): TokenRead => ({ ok: false, refused: false, message });

const kindOf = (value: unknown): string =>
  value === undefined ? "missing" : value === null ? "null" : Array.isArray(value) ? "a list" : `a ${typeof value}`;

/** What the token answer's `access_token` is, when it is not a token: never the value itself. */
function notAToken(value: unknown): string {
  if (typeof value !== "string") return `the token answer's access_token is ${kindOf(value)}, not a token`;
  if (value === "") return "the token answer's access_token is empty";
  const parsed = bearerToken.safeParse(value);
  if (parsed.success) return "";
  return value.length > MAX_TOKEN_LENGTH
    ? `the token answer's access_token is ${value.length} characters long, longer than any token (not shown)`
    : `the token answer's access_token holds characters a token cannot (${value.length} characters, not shown); it is not sent anywhere`;
}

/** How a body that is not Auth0's is described: what it looked like, never what it said. */
function bodyKind(contentType: string | null, text: string): string {
  const trimmed = text.trim();
  if (trimmed === "") return "an empty body";
  if (/html/i.test(contentType ?? "") || trimmed.startsWith("<")) return "an HTML page";
  return /\bjson\b/i.test(contentType ?? "") ? "JSON of another shape" : "a body that is not JSON";
}

/**
 * The token endpoint's answer. A refusal is Auth0's only when it is a 4xx (other than 408 and
 * 429, which say nothing of the request) in Auth0's error shape; anything else is unusable.
 */
export function readTokenAnswer(status: number, contentType: string | null, text: string): TokenRead {
  if (status < 200 || status > 299) {
    const parsed = jsonBody(text, contentType);
    const said = parsed.ok && /\bjson\b/i.test(contentType ?? "") ? tokenErrorAnswer.safeParse(parsed.body) : undefined;
    if (said?.success && status >= 400 && status <= 499 && status !== 408 && status !== 429)
      return { ok: false, refused: true, status, error: said.data.error, description: said.data.error_description ?? "" };
    const words = said?.success ? `: ${said.data.error}` : ` (${bodyKind(contentType, text)})`;
    return unusable(`${status}${words}, not an answer to what was asked`);
  }
  const parsed = jsonBody(text, contentType);
  if (!parsed.ok) return unusable(parsed.message);
  const grant = tokenGrantAnswer.safeParse(parsed.body);
  if (!grant.success) return unusable("the token answer is not an object with access_token");
  const problem = notAToken(grant.data.access_token);
  if (problem !== "") return unusable(problem);
  return { ok: true, accessToken: grant.data.access_token as string, expiresInSeconds: grant.data.expires_in };
}

/** A refusal as a person reads it: status, Auth0's error code and description. */
export const refusedText = (read: Extract<TokenRead, { refused: true }>): string =>
  `${read.status} ${read.error}${read.description === "" ? "" : `: ${read.description}`}`;

/** Why a ready token (AUTH0_API_TOKEN) cannot be sent, or undefined when it can. */
export const unusableToken = (token: string): string | undefined => {
  const problem = notAToken(token);
  return problem === "" ? undefined : problem.replace("the token answer's access_token", "the token");
};
