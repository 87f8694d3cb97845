/**
 * The few policy expressions the project's policies use, evaluated for real: comparisons
 * of `context.LastError.*` and `context.Response.StatusCode` with literals, joined by `&&`.
 * API Management evaluates C#; anything beyond this grammar is refused, so a policy that
 * starts to rely on more cannot pass these tests by accident.
 */

export interface ExpressionContext {
  readonly lastError:
    { readonly source: string; readonly reason: string; readonly message: string; readonly policyId: string | undefined } | undefined;
  readonly responseStatus: number;
}

type Value = string | number | undefined;

const OPERAND = String.raw`(context\.LastError\.(?:Source|Reason|Message|PolicyId)|context\.Response\.StatusCode|"(?:[^"\\]|\\.)*"|\d+)`;
const COMPARISON = new RegExp(String.raw`^\s*${OPERAND}\s*(==|!=)\s*${OPERAND}\s*$`);

function operand(text: string, context: ExpressionContext): Value {
  if (text.startsWith('"')) return JSON.parse(text) as string;
  if (/^\d+$/.test(text)) return Number(text);
  if (text === "context.Response.StatusCode") return context.responseStatus;
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

/** Evaluates `@(...)` to a boolean (a `<when condition>`). */
export function evaluateCondition(expression: string, context: ExpressionContext): boolean {
  const body = /^@\(([\s\S]*)\)$/.exec(expression.trim())?.[1];
  if (body === undefined) throw new Error(`condition ${expression} is not a single-statement expression @(...)`);
  return body.split("&&").every((part) => {
    const match = COMPARISON.exec(part);
    if (match === null) throw new Error(`expression ${expression} is outside the modelled subset`);
    const [, left = "", operator, right = ""] = match;
    const equal = operand(left, context) === operand(right, context);
    return operator === "==" ? equal : !equal;
  });
}

/** A header value: literal text; an expression there is outside the subset. */
export function literalValue(value: string): string {
  if (value.trimStart().startsWith("@")) throw new Error(`value ${value} is an expression, outside the modelled subset`);
  return value;
}
