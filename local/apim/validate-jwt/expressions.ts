/**
 * The few policy expressions the project's policies use, evaluated for real. API
 * Management evaluates C#; this is a small grammar of conjunctions (`&&`) of:
 *
 * - comparisons (`==`, `!=`) of `context.LastError.*`, `context.Response.StatusCode` or
 *   `context.Operation.Id` with literals;
 * - `[!]((Jwt)context.Variables["v"]).Claims.GetValueOrDefault("c", "d")[.Split('x')].Contains("p")`:
 *   a claim of the token validate-jwt left in a variable. `GetValueOrDefault` returns the
 *   claim's values joined by commas, or the default (Microsoft's policy expressions
 *   reference); `String.Split(char)` and `Contains` are .NET's (with `Split`, an array
 *   element equal to the text; without it, a substring).
 *
 * Anything beyond this grammar is refused, so a policy that starts to rely on more cannot
 * pass these tests by accident.
 */

export interface ExpressionContext {
  readonly lastError:
    { readonly source: string; readonly reason: string; readonly message: string; readonly policyId: string | undefined } | undefined;
  readonly responseStatus: number;
  /** `context.Operation.Id`: the operation the request was matched to. */
  readonly operationId?: string;
  /** `context.Variables`: here, the claims of tokens validate-jwt stored by name. */
  readonly variables?: ReadonlyMap<string, Readonly<Record<string, unknown>>>;
}

/** An expression that failed while it ran (a missing variable), as opposed to one outside the grammar. */
export class ExpressionEvaluationError extends Error {}

type Value = string | number | undefined;

const STRING = String.raw`"(?:[^"\\]|\\.)*"`;
const OPERAND = String.raw`(context\.LastError\.(?:Source|Reason|Message|PolicyId)|context\.Response\.StatusCode|context\.Operation\.Id|${STRING}|\d+)`;
const COMPARISON = new RegExp(String.raw`^\s*${OPERAND}\s*(==|!=)\s*${OPERAND}\s*$`);
const CLAIM_CONTAINS = new RegExp(
  String.raw`^\s*(!?)\(\(Jwt\)context\.Variables\[(${STRING})\]\)\.Claims\.GetValueOrDefault\((${STRING}),\s*(${STRING})\)(?:\.Split\('(.)'\))?\.Contains\((${STRING})\)\s*$`,
);

function operand(text: string, context: ExpressionContext): Value {
  if (text.startsWith('"')) return JSON.parse(text) as string;
  if (/^\d+$/.test(text)) return Number(text);
  if (text === "context.Response.StatusCode") return context.responseStatus;
  if (text === "context.Operation.Id") return context.operationId;
  const error = context.lastError;
  switch (text) {
    case "context.LastError.Source":
      return error?.source;
    case "context.LastError.Reason":
      return error?.reason;
    case "context.LastError.Message":
      return error?.message;
    case "context.LastError.PolicyId":
      return error?.policyId;
    default:
      throw new Error(`unsupported operand ${text}`);
  }
}

/** `Jwt.Claims.GetValueOrDefault`: the claim's values, comma-separated (an array's elements; a string is one value). */
function claimValue(claims: Readonly<Record<string, unknown>>, name: string, fallback: string): string {
  if (!(name in claims)) return fallback;
  const value = claims[name];
  // Guess: the documentation does not say how a number, boolean or object claim is written; String() is the likely reading.
  return Array.isArray(value) ? value.map(String).join(",") : String(value);
}

function claimContains(match: RegExpExecArray, context: ExpressionContext): boolean {
  const [, negation, variable = "", claim = "", fallback = "", separator, text = ""] = match;
  const name = JSON.parse(variable) as string;
  const claims = context.variables?.get(name);
  // C#: a missing key in context.Variables throws, and the expression fails at run time.
  if (claims === undefined) throw new ExpressionEvaluationError(`context.Variables["${name}"] is not set`);
  const value = claimValue(claims, JSON.parse(claim) as string, JSON.parse(fallback) as string);
  const wanted = JSON.parse(text) as string;
  const found = separator === undefined ? value.includes(wanted) : value.split(separator).includes(wanted);
  return negation === "!" ? !found : found;
}

/** Evaluates `@(...)` to a boolean (a `<when condition>`). */
export function evaluateCondition(expression: string, context: ExpressionContext): boolean {
  const body = /^@\(([\s\S]*)\)$/.exec(expression.trim())?.[1];
  if (body === undefined) throw new Error(`condition ${expression} is not a single-statement expression @(...)`);
  return body.split("&&").every((part) => {
    const contains = CLAIM_CONTAINS.exec(part);
    if (contains !== null) return claimContains(contains, context);
    const match = COMPARISON.exec(part);
    if (match === null) throw new Error(`expression ${expression} is outside the modelled subset`);
    const [, left = "", operator, right = ""] = match;
    const equal = operand(left, context) === operand(right, context);
    return operator === "==" ? equal : !equal;
  });
}

/** A header value or body: literal text; an expression there is outside the subset. */
export function literalValue(value: string): string {
  if (value.trimStart().startsWith("@")) throw new Error(`value ${value} is an expression, outside the modelled subset`);
  return value;
}
