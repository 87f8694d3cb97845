import { z } from "zod";
import { SecretValue } from "./secret";
import { isHttpsUrl } from "./urls";

/**
 * Zod building blocks for stack config. Pulumi hands every config value to a program
 * as a string (objects as JSON text), while a stack file read as YAML gives typed
 * values; these accept both, so one schema serves the program and the audit.
 * Every block carries an error that says what is accepted, because the message a
 * user sees is "<key>: <this>".
 */

export function show(input: unknown): string {
  if (input instanceof SecretValue) return "a secret";
  if (typeof input === "string") return JSON.stringify(input);
  if (input === null) return "null";
  // YAML's .inf and .nan: JSON would print them as null.
  if (typeof input === "number" && !Number.isFinite(input))
    return Number.isNaN(input) ? "NaN (.nan)" : `${input} (${input > 0 ? "" : "-"}.inf)`;
  if (typeof input === "object") return Array.isArray(input) ? "a list" : "an object";
  return String(input);
}

/** The message for a value that is missing or not accepted. */
export function expected(what: string): (issue: { input: unknown }) => string {
  return (issue) =>
    issue.input === undefined ? `is required; expected ${what}` : `${show(issue.input)} is not accepted; expected ${what}`;
}

export function oneOf<const T extends readonly [string, ...string[]]>(values: T) {
  return z.enum(values, { error: expected(`one of ${values.join(", ")}`) });
}

export const booleanValue = z.preprocess(
  (value) => (value === "true" ? true : value === "false" ? false : value),
  z.boolean({ error: expected("true or false") }),
);

export function integerValue(min: number, max: number) {
  const what = `a whole number from ${min} to ${max}`;
  return z.preprocess(
    (value) => (typeof value === "string" && /^-?\d+$/.test(value.trim()) ? Number(value) : value),
    z
      .number({ error: expected(what) })
      .int({ error: expected(what) })
      .min(min, { error: expected(what) })
      .max(max, { error: expected(what) }),
  );
}

/** Structured values (lists, objects) arrive from `pulumi.Config` as JSON text. */
export function structured<T extends z.ZodType>(schema: T) {
  return z.preprocess((value) => {
    if (typeof value !== "string") return value;
    try {
      return JSON.parse(value) as unknown;
    } catch {
      return value;
    }
  }, schema);
}

export function text(what: string) {
  return z
    .string({ error: expected(what) })
    .trim()
    .min(1, { error: () => `is empty; expected ${what}` });
}

/** A secret is accepted only as a secret: a plain-text password in a stack file is refused, with the command that stores it. */
export function secretValue(fullKey: string) {
  return z.custom<SecretValue>((value) => value instanceof SecretValue, {
    error: (issue) =>
      issue.input === undefined
        ? "is required"
        : `is plain text but is a secret; remove it from the stack file and run \`pulumi config set --secret ${fullKey}\` (it prompts for the value and stores it encrypted)`,
  });
}

/** An https URL as RFC 3986 writes it, with a host, no fragment, nothing invisible, at most `max` characters. */
export function httpsUrl(what: string, max: number) {
  return z
    .string({ error: expected(what) })
    .max(max, { error: () => `is longer than ${max} characters; expected ${what}` })
    .refine(isHttpsUrl, { error: expected(what) });
}
