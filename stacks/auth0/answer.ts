import type { z } from "zod";
import { causeCode, connectionProblem } from "../problems";
import { bodyBrokeOff, jsonBody } from "./json-answer";
import { managementErrorAnswer, type ManagementErrorAnswer } from "./answers";
import { AnswerRefused, HostRefused } from "./guarded-fetch";
import { BudgetSpent, TokenUnusable, WriteRefused, type ManagementSession } from "./session";

/** Why an answer could not be used, in words a person acts on. */
export interface Problem {
  readonly message: string;
  /** The Management API scope the caller lacks, when Auth0 answered 403. */
  readonly missingScope?: string;
}

export type Answer<T> =
  { readonly ok: true; readonly value: T } | { readonly ok: false; readonly notFound: boolean; readonly problem: Problem };

const failed = (message: string, extra: Partial<Problem> = {}): Answer<never> => ({
  ok: false,
  notFound: false,
  problem: { message, ...extra },
});

const STATUS_TEXT: Record<number, string> = {
  400: "Bad Request",
  401: "Unauthorized",
  403: "Forbidden",
  404: "Not Found",
  408: "Request Timeout",
  409: "Conflict",
  429: "Too Many Requests",
  500: "Internal Server Error",
  502: "Bad Gateway",
  503: "Service Unavailable",
  504: "Gateway Timeout",
};

/**
 * Our own refusals (a redirect, an answer too large, a host credentials may not go to, the
 * budget, a token that could not be had), however deep the SDK wrapped them.
 */
export function ownError(error: unknown): AnswerRefused | HostRefused | BudgetSpent | TokenUnusable | undefined {
  for (let current: unknown = error, depth = 0; current instanceof Error && depth < 4; depth += 1) {
    if (
      current instanceof AnswerRefused ||
      current instanceof HostRefused ||
      current instanceof BudgetSpent ||
      current instanceof TokenUnusable
    )
      return current;
    current = current.cause;
  }
  return undefined;
}

/** A request that got no answer, in words: the budget, the network, or (last) the error's own message. */
export function unanswered(session: ManagementSession, error: unknown, budget: string): string {
  const refused = ownError(error);
  if (refused instanceof BudgetSpent) return `${refused.message} (${budget})`;
  // A token that could not be had (renewed half-way): the read was never sent, and the token request is named.
  if (refused instanceof TokenUnusable) return `POST /oauth/token: ${refused.message}`;
  if (refused !== undefined) return refused.message;
  if (session.signal.aborted) return `no answer within ${session.budgetMs / 1000} s (${budget})`;
  const connection = connectionProblem(session.domain, error);
  if (connection !== undefined) return connection;
  const code = causeCode(error);
  if (error instanceof DOMException && (error.name === "AbortError" || error.name === "TimeoutError")) return "the request was aborted";
  const message = error instanceof Error ? error.message : String(error);
  return `could not reach ${session.domain} (${code ?? message.slice(0, 200)})`;
}

/** An answer whose status came but whose body could not be read, in words. */
export function unreadable(session: ManagementSession, error: unknown, budget: string): string {
  const refused = ownError(error);
  if (refused !== undefined) return refused.message;
  if (session.signal.aborted) return `no answer within ${session.budgetMs / 1000} s (${budget})`;
  return bodyBrokeOff(session.domain, error);
}

/**
 * "Is this answer Auth0's error": a JSON body of Auth0's Management API error shape, saying
 * the status it came with. A proxy's page (HTML, text, another JSON) is not Auth0's word.
 */
export function auth0Error(status: number, contentType: string | null, text: string): ManagementErrorAnswer | undefined {
  if (!/\bjson\b/i.test(contentType ?? "")) return undefined;
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return undefined;
  }
  const parsed = managementErrorAnswer.safeParse(body);
  return parsed.success && parsed.data.statusCode === status ? parsed.data : undefined;
}

/** What a JSON error body says, in Auth0's fields; nothing for any other body. */
function auth0Message(contentType: string | null, text: string): string {
  if (!/\bjson\b/i.test(contentType ?? "")) return "";
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return "";
  }
  if (typeof body !== "object" || body === null) return "";
  const record = body as Record<string, unknown>;
  const said = [record.message, record.error_description, record.error].find((value) => typeof value === "string");
  return typeof said === "string" ? said.slice(0, 200) : "";
}

function statusProblem(status: number, said: string, fallbackScope: string): Answer<never> {
  const name = STATUS_TEXT[status] ?? "";
  if (status === 403) {
    // Auth0 says which scope it wanted ("Insufficient scope, expected any of: read:clients").
    const named = /expected (?:any of|all of)?:?\s*([\w:,\s]+)/i
      .exec(said)?.[1]
      ?.split(/[,\s]+/)
      .find((s) => s.includes(":"));
    const missingScope = named ?? fallbackScope;
    return failed(`403 Forbidden, the auditor lacks ${missingScope}`, { missingScope });
  }
  if (status === 401) return failed("401 Unauthorized: Auth0 no longer accepts the token (expired or revoked while the tenant was read)");
  const retried = status === 429 || status === 408 || status >= 500 ? " (still failing after the retries)" : "";
  return failed(`${status}${name ? ` ${name}` : ""}${said ? `: ${said}` : ""}${retried}`);
}

const kind = (value: unknown): string =>
  value === null
    ? "null"
    : value === undefined
      ? "missing"
      : Array.isArray(value)
        ? "a list"
        : typeof value === "object"
          ? "an object"
          : `a ${typeof value}`;

const EXPECTED: Record<string, string> = {
  array: "a list",
  object: "an object",
  string: "a string",
  number: "a number",
  boolean: "true or false",
};

/** Where in an answer, as a person reads it: `scopes[2].value`, or "the answer" for the whole of it. */
function where(path: readonly PropertyKey[]): string {
  if (path.length === 0) return "the answer";
  return path.reduce<string>(
    (text, key) => (typeof key === "number" ? `${text}[${key}]` : text === "" ? String(key) : `${text}.${String(key)}`),
    "",
  );
}

/** A value as a message shows it: short, whatever its size in the answer. */
const shortJson = (value: unknown): string => {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 80 ? `${text.slice(0, 80)}…` : text;
};

/** What does not fit, in plain words: at most three places, then how many more. */
export function misfit(error: z.ZodError): string {
  const lines = error.issues.slice(0, 3).map((issue) => {
    if (issue.code === "invalid_type") {
      const expected = EXPECTED[issue.expected] ?? issue.expected;
      return `${where(issue.path)} is ${kind(issue.input)}, expected ${expected}`;
    }
    if (issue.code === "invalid_value")
      return `${where(issue.path)} is ${shortJson(issue.input)}, expected ${issue.values.map((v) => JSON.stringify(v)).join(" or ")}`;
    return `${where(issue.path)}: ${issue.message}`;
  });
  const more = error.issues.length > 3 ? ` (and ${error.issues.length - 3} more)` : "";
  return `${lines.join("; ")}${more}`;
}

export interface GetOptions {
  /** How the budget is described in a message, e.g. "--timeout 60". */
  readonly budget: string;
  /** The scope this call needs: named when Auth0 answers 403 without saying. */
  readonly scope: string;
}

/**
 * One GET, its answer parsed with `schema` (what the caller relies on; other fields pass).
 * Never throws for what Auth0 or the network does; only a refused write escapes.
 */
export async function getParsed<S extends z.ZodType>(
  session: ManagementSession,
  path: string,
  query: Readonly<Record<string, string | number | boolean>>,
  schema: S,
  options: GetOptions,
): Promise<Answer<z.output<S>>> {
  let response: Response;
  try {
    response = await session.get(path, query);
  } catch (error) {
    if (error instanceof WriteRefused) throw error;
    return failed(unanswered(session, error, options.budget));
  }
  let text: string | undefined;
  let readError: unknown;
  try {
    text = await response.text();
  } catch (error) {
    readError = error;
  }
  const contentType = response.headers.get("content-type");
  if (response.status < 200 || response.status > 299) {
    if (response.status === 404) {
      // Only Auth0's own error says a thing is absent; a proxy's 404 page says nothing of the tenant.
      if (auth0Error(404, contentType, text ?? "") !== undefined)
        return { ok: false, notFound: true, problem: { message: "404 Not Found" } };
      return failed(
        `404, but not in Auth0's error shape (${text === undefined || text.trim() === "" ? "an empty body" : /html/i.test(contentType ?? "") || text.trim().startsWith("<") ? "an HTML page" : "another body"}): not taken to mean it is absent`,
      );
    }
    return statusProblem(response.status, auth0Message(contentType, text ?? ""), options.scope);
  }
  if (text === undefined) return failed(unreadable(session, readError, options.budget));
  const parsed = jsonBody(text, contentType);
  if (!parsed.ok) return failed(parsed.message);
  const result = schema.safeParse(parsed.body, { reportInput: true });
  if (!result.success) return failed(`the answer does not fit what is read from it: ${misfit(result.error)}`);
  return { ok: true, value: result.data };
}
