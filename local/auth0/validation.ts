import { z } from "zod";
import { ManagementApiError } from "./errors.js";

// Auth0 validates payloads against JSON schemas and reports the first failure in z-schema's
// words: `Payload validation error: '<what>' on property <path>.` (`'<what>'.` at the root).
// Callers match on these messages (Terraform and the SDKs surface them verbatim), so the zod
// schemas here are strict objects and their issues are re-worded to Auth0's phrasing.

type Issue = z.core.$ZodIssue;
type Scope = "Payload" | "Query";

/** z-schema's type names, which Auth0 puts in "Expected type X but found type Y". */
export function jsonTypeName(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  if (typeof value === "number") return Number.isInteger(value) ? "integer" : "number";
  return typeof value;
}

const EXPECTED_NAMES: Record<string, string> = { int: "integer", record: "object", tuple: "array" };

function describe(issue: Issue): { what: string; path: PropertyKey[] } {
  switch (issue.code) {
    case "invalid_type":
      // zod reports a missing key as an invalid_type on the key; Auth0 names it on the parent.
      if (issue.input === undefined && issue.path.length > 0) {
        return { what: `Missing required property: ${String(issue.path.at(-1))}`, path: issue.path.slice(0, -1) };
      }
      return {
        what: `Expected type ${EXPECTED_NAMES[issue.expected] ?? issue.expected} but found type ${jsonTypeName(issue.input)}`,
        path: issue.path,
      };
    case "unrecognized_keys":
      return { what: `Additional properties not allowed: ${issue.keys.join(",")}`, path: issue.path };
    case "invalid_value":
      return { what: `No enum match for: ${JSON.stringify(issue.input)}`, path: issue.path };
    case "too_small":
      if (issue.origin === "string") {
        return { what: `String is too short (${String(issue.input).length} chars), minimum ${issue.minimum}`, path: issue.path };
      }
      if (issue.origin === "array") {
        const length = Array.isArray(issue.input) ? issue.input.length : 0;
        return { what: `Array is too short (${length}), minimum ${issue.minimum}`, path: issue.path };
      }
      return { what: `Value ${String(issue.input)} is less than minimum ${issue.minimum}`, path: issue.path };
    case "too_big":
      if (issue.origin === "string") {
        return { what: `String is too long (${String(issue.input).length} chars), maximum ${issue.maximum}`, path: issue.path };
      }
      if (issue.origin === "array") {
        const length = Array.isArray(issue.input) ? issue.input.length : 0;
        return { what: `Array is too long (${length}), maximum ${issue.maximum}`, path: issue.path };
      }
      return { what: `Value ${String(issue.input)} is greater than maximum ${issue.maximum}`, path: issue.path };
    case "invalid_format":
      return { what: `Object didn't pass validation for format ${issue.format}: ${String(issue.input)}`, path: issue.path };
    case "invalid_union":
      return { what: "Data does not match any schemas from 'anyOf'", path: issue.path };
    default:
      return { what: issue.message, path: issue.path };
  }
}

/** Auth0's message for the first issue of a failed parse. */
export function auth0ValidationMessage(issues: readonly Issue[], scope: Scope = "Payload"): string {
  const first = issues[0];
  if (first === undefined) return `${scope} validation error: 'Invalid ${scope.toLowerCase()}'.`;
  const { what, path } = describe(first);
  const where = path.length > 0 ? ` on property ${path.map(String).join(".")}` : "";
  return `${scope} validation error: '${what}'${where}.`;
}

/** Parses a request body with `schema`, throwing Auth0's 400 on failure. */
export function parseBody<T extends z.ZodType>(schema: T, body: unknown): z.output<T> {
  const result = schema.safeParse(body, { reportInput: true });
  if (result.success) return result.data;
  throw new ManagementApiError(400, auth0ValidationMessage(result.error.issues), "invalid_body");
}

/** Parses query parameters with `schema`, throwing Auth0's query-string 400 on failure. */
export function parseQuery<T extends z.ZodType>(schema: T, query: Record<string, string>): z.output<T> {
  const result = schema.safeParse(query, { reportInput: true });
  if (result.success) return result.data;
  throw new ManagementApiError(400, auth0ValidationMessage(result.error.issues, "Query"), "invalid_query_string");
}

// Query strings carry text; these coerce it the way Auth0's query schemas accept it.
export const queryBoolean = z.enum(["true", "false"]).transform((value) => value === "true");
export const queryInteger = (min: number, max: number) =>
  z
    .string()
    .regex(/^-?\d+$/)
    .transform(Number)
    .pipe(z.number().int().min(min).max(max));

/** JSON values, for fields Auth0 stores without looking inside (metadata, options). */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };
export const jsonValue: z.ZodType<JsonValue> = z.lazy(() =>
  z.union([z.string(), z.number(), z.boolean(), z.null(), z.array(jsonValue), z.record(z.string(), jsonValue)]),
);
export const jsonObject: z.ZodType<JsonObject> = z.record(z.string(), jsonValue);

export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Removes a property from a stored document (PATCH's `null`, metadata's `null` values). */
export function removeKey(document: JsonObject, key: string): void {
  Reflect.deleteProperty(document, key);
}
