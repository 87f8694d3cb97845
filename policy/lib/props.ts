import { UnknownValueError } from "@pulumi/policy";

/**
 * A resource's properties as the policy SDK hands them over: plain JSON values with
 * secrets already unwrapped (see rules/secrets.ts), read through a proxy that throws
 * when a value is not known until the update.
 */
export type Props = Readonly<Record<string, unknown>>;

export function isRecord(value: unknown): value is Props {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

export function text(props: Props, key: string): string | undefined {
  const value = props[key];
  return typeof value === "string" ? value : undefined;
}

export function flag(props: Props, key: string): boolean | undefined {
  const value = props[key];
  return typeof value === "boolean" ? value : undefined;
}

export function count(props: Props, key: string): number | undefined {
  const value = props[key];
  return typeof value === "number" && Number.isFinite(value) ? value : undefined;
}

/** A list of strings; undefined when the property is absent or not a list. */
export function texts(props: Props, key: string): string[] | undefined {
  const value = props[key];
  if (!Array.isArray(value)) return undefined;
  return value.filter((item): item is string => typeof item === "string");
}

export function record(props: Props, key: string): Props | undefined {
  const value = props[key];
  return isRecord(value) ? value : undefined;
}

export function records(props: Props, key: string): Props[] {
  const value = props[key];
  return Array.isArray(value) ? value.filter(isRecord) : [];
}

/** The SDK's UnknownValueError, typed: its declaration file omits it. */
const Unknown: abstract new (...args: never[]) => Error = UnknownValueError;

/**
 * `read()`, or undefined where it touches a value that is not known until the update
 * (a new resource's computed outputs during preview). Only for reads a rule can do
 * without; a rule that needs the value lets the error through, and the SDK reports
 * "can't run policy during preview" as advisory instead of guessing.
 */
export function ifKnown<T>(read: () => T): T | undefined {
  try {
    return read();
  } catch (error) {
    if (error instanceof Unknown) return undefined;
    throw error;
  }
}
