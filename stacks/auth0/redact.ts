/**
 * No output carries a credential, nor any part of one: whatever an answer echoes (a proxy on
 * the tenant's address sees the bearer token and the posted secret, and can put them in any
 * field), whatever an error's message quotes. Every report of audit, adopt and verify passes
 * through `withoutCredentials` with the credentials its run held, just before it becomes text.
 *
 * A part is any 8 characters in a row of a credential: shorter runs are everyday words. A
 * credential shorter than that is hidden where it appears whole (from 4 characters; a shorter
 * one cannot be told from any other text).
 */

/** The shortest run of a credential's characters that is hidden. */
export const CREDENTIAL_PART = 8;
const SHORTEST_HIDDEN = 4;
/** What stands where a credential was. */
export const HIDDEN = "[credential hidden]";
/** Our own reports nest a few levels; nothing walked here is an answer, which the parser bounds. */
const MAX_WALK_DEPTH = 32;

interface Matcher {
  readonly whole: readonly string[];
  readonly parts: ReadonlySet<string>;
}

function matcher(credentials: readonly string[]): Matcher {
  const whole = credentials.filter((c) => c.length >= SHORTEST_HIDDEN && c.length < CREDENTIAL_PART);
  const parts = new Set<string>();
  for (const credential of credentials)
    for (let i = 0; i + CREDENTIAL_PART <= credential.length; i += 1) parts.add(credential.slice(i, i + CREDENTIAL_PART));
  return { whole, parts };
}

function hideOnce(text: string, { whole, parts }: Matcher): string {
  const hidden = new Array<boolean>(text.length).fill(false);
  for (const credential of whole)
    for (let at = text.indexOf(credential); at !== -1; at = text.indexOf(credential, at + 1)) hidden.fill(true, at, at + credential.length);
  for (let i = 0; i + CREDENTIAL_PART <= text.length; i += 1)
    if (parts.has(text.slice(i, i + CREDENTIAL_PART))) hidden.fill(true, i, i + CREDENTIAL_PART);
  if (!hidden.includes(true)) return text;
  let out = "";
  for (let i = 0; i < text.length; i += 1) {
    if (!hidden[i]) out += text[i];
    else if (i === 0 || !hidden[i - 1]) out += HIDDEN;
  }
  return out;
}

function hide(text: string, match: Matcher): string {
  if (text === "" || (match.whole.length === 0 && match.parts.size === 0)) return text;
  // The marker next to what is left could itself spell a part of a credential that holds it:
  // hide again until nothing changes, and withhold the text if it still would not settle.
  let current = text;
  for (let pass = 0; pass < 3; pass += 1) {
    const next = hideOnce(current, match);
    if (next === current) return current;
    current = next;
  }
  return hideOnce(current, match) === current ? current : "(withheld: it would show a credential)";
}

/** `text` with every part of every credential replaced by HIDDEN. */
export function hideCredentials(text: string, credentials: readonly string[]): string {
  return hide(text, matcher(credentials));
}

/** Every string in `value` (a report of ours: plain objects, lists, strings) without credentials. */
export function withoutCredentials<T>(value: T, credentials: readonly string[]): T {
  const match = matcher(credentials);
  const walk = (item: unknown, depth: number): unknown => {
    if (typeof item === "string") return hide(item, match);
    if (item === null || typeof item !== "object") return item;
    if (depth >= MAX_WALK_DEPTH) return "(nested too deep to show)";
    if (Array.isArray(item)) return item.map((entry) => walk(entry, depth + 1));
    if (Object.getPrototypeOf(item) !== Object.prototype) return item;
    return Object.fromEntries(Object.entries(item).map(([key, entry]) => [hide(key, match), walk(entry, depth + 1)]));
  };
  return walk(value, 0) as T;
}
