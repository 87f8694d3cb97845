import { fullFormats } from "ajv-formats/dist/formats";

/**
 * URL values in a stack file. An API's identifier becomes every token's audience and the
 * gateway's, for good (Auth0 never lets it change), so it is held to RFC 3986 as written: no
 * normalisation, nothing invisible. A credential in any URL is refused without being repeated.
 */

/**
 * Absolute URIs per RFC 3986 §4.3 (`absolute-URI = scheme ":" hier-part [ "?" query ]`, with the
 * fragment form of §3 allowed here and refused separately), by ajv-formats' `uri` format: the
 * ABNF of RFC 3986 Appendix A transcribed into one regular expression (jmrware's URI_regex).
 * ASCII only, as the RFC's grammar is: anything else must be percent-encoded (§2.1).
 */
export function isRfc3986Uri(value: string): boolean {
  return (fullFormats.uri as (text: string) => boolean)(value);
}

/** Any Unicode control, format (zero-width, bidi), separator or other whitespace character. */
export const INVISIBLE = /[\p{Cc}\p{Cf}\p{Z}\s]/u;

/** The first invisible character, named by its code point (never the value around it). */
export function invisibleCharacter(value: string): string | undefined {
  const match = INVISIBLE.exec(value);
  if (match === null) return undefined;
  return `U+${(match[0].codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, "0")}`;
}

/** `scheme://user[:password]@host`: an authority with userinfo (RFC 3986 §3.2.1, deprecated "user:password"). */
const USERINFO = /[a-z][a-z0-9+.-]*:\/\/[^/?#@\s"]*@/i;

/** Whether a value carries a URL with credentials in it, anywhere in its text. */
export function carriesCredentials(value: string): boolean {
  return USERINFO.test(value);
}

export const CREDENTIALS_MESSAGE =
  "holds a URL with credentials (user:password@ before the host); they are not repeated here and are refused in any URL: remove them (a credential belongs in a secret or the environment, never in a stack file)";

const IDENTIFIER_EXAMPLE = "e.g. https://timesheets.exampleco.com/api";

/**
 * What is wrong with an identifier for an API the program creates. A value with credentials is
 * refused elsewhere (CREDENTIALS_MESSAGE) and never reaches here.
 */
export function newApiIdentifierProblem(value: string): string | undefined {
  const why = "; check it now: an API's identifier can never be changed once Auth0 holds it";
  const invisible = invisibleCharacter(value);
  if (invisible !== undefined)
    return `contains whitespace or an invisible or control character (${invisible}); expected an absolute URL of visible characters only, ${IDENTIFIER_EXAMPLE}${why}`;
  const shown = JSON.stringify(value);
  if (!isRfc3986Uri(value))
    return `${shown} is not accepted; expected an absolute URL as RFC 3986 writes one (no backslash, no unencoded non-ASCII, % only before two hex digits), ${IDENTIFIER_EXAMPLE}${why}`;
  const scheme = value.slice(0, value.indexOf(":")).toLowerCase();
  if (scheme !== "https" && scheme !== "http")
    return `${shown} is not accepted; expected an absolute http(s) URL, ${IDENTIFIER_EXAMPLE}${why}`;
  if (!/^[a-z]+:\/\/[^/?#]/i.test(value)) return `${shown} has no host; expected an absolute http(s) URL, ${IDENTIFIER_EXAMPLE}${why}`;
  if (value.includes("#")) return `${shown} has a fragment (#...); expected an absolute URL without one, ${IDENTIFIER_EXAMPLE}${why}`;
  return undefined;
}

/** An https URL per RFC 3986, with a host, as written (for the gateway's backend). */
export function isHttpsUrl(value: string): boolean {
  return invisibleCharacter(value) === undefined && isRfc3986Uri(value) && /^https:\/\/[^/?#]/i.test(value) && !value.includes("#");
}

/** The audience of a tenant's Management API: what no API of ours may take as its identifier. */
export function managementApiAudience(domain: string): string {
  return `https://${domain}/api/v2/`;
}

/**
 * Whether an identifier is the tenant's Management API audience. Compared as URLs (scheme and
 * host in any case, a default port written or not), since that is how the two are most likely
 * to be told apart by a reader; whether Auth0 itself compares them so loosely is not documented
 * (a guess on the safe side: such an identifier is refused either way).
 */
export function isManagementApiAudience(identifier: string, domain: string): boolean {
  try {
    return new URL(identifier).href === new URL(managementApiAudience(domain)).href;
  } catch {
    return false;
  }
}
