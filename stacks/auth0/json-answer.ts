import { causeCode } from "../problems";

// How the text of an answer becomes a value: the one parse every Management API and token
// answer goes through, bounded in depth so that nothing that walks a value later can overflow.

/**
 * Deeper than any answer Auth0 gives (its deepest, a connection's password options, nest about
 * five levels): an answer nested further is refused before anything walks it.
 */
export const MAX_ANSWER_DEPTH = 32;

/** Whether `value` nests deeper than `limit`, found without recursion (so at any depth). */
export function nestsDeeperThan(value: unknown, limit: number): boolean {
  const stack: Array<{ value: unknown; depth: number }> = [{ value, depth: 0 }];
  for (let next = stack.pop(); next !== undefined; next = stack.pop()) {
    if (next.value === null || typeof next.value !== "object") continue;
    if (next.depth >= limit) return true;
    for (const child of Object.values(next.value)) stack.push({ value: child, depth: next.depth + 1 });
  }
  return false;
}

/** The text of a 2xx answer as JSON, or what is wrong with it (said as Auth0's answer). */
export function jsonBody(text: string, contentType: string | null): { ok: true; body: unknown } | { ok: false; message: string } {
  const trimmed = text.trim();
  if (trimmed === "") return { ok: false, message: "Auth0 answered an empty body, not JSON" };
  if (/html/i.test(contentType ?? "") || trimmed.startsWith("<")) return { ok: false, message: "Auth0 answered HTML, not JSON" };
  let body: unknown;
  try {
    body = JSON.parse(trimmed) as unknown;
  } catch {
    return { ok: false, message: `Auth0's answer is not valid JSON (${text.length} bytes, cut off or garbled)` };
  }
  if (nestsDeeperThan(body, MAX_ANSWER_DEPTH))
    return {
      ok: false,
      message: `the answer nests more than ${MAX_ANSWER_DEPTH} levels deep, deeper than any answer Auth0 gives; not read`,
    };
  return { ok: true, body };
}

// What broke an answer that had begun to arrive: it did reach us, so never "could not reach".
const BODY_REASONS: Readonly<Record<string, string>> = {
  Z_DATA_ERROR: "its compressed body is corrupt",
  Z_BUF_ERROR: "its compressed body ends half-way",
  ECONNRESET: "the connection was reset while it was read",
  UND_ERR_SOCKET: "the connection closed while it was read",
};

/** An answer whose status came from `host` but whose body could not be read, in words. */
export function bodyBrokeOff(host: string, error: unknown): string {
  const code = causeCode(error);
  const reason = code === undefined ? undefined : BODY_REASONS[code];
  return `${host} answered, but the answer could not be read (${reason ?? code ?? "it broke off"})`;
}
