import { readFileSync } from "node:fs";
import path from "node:path";
import type { Policy } from "@pulumi/policy";
import { REPO_ROOT } from "../../../stacks/stack-config";
import type { PolicyConfigFile } from "./policy-args";

export const POLICY_DIR = path.join(REPO_ROOT, "policy");

/** policy/config/<stack>.json, the file passed with --policy-pack-config. */
export function policyConfigFile(stack: string): PolicyConfigFile {
  return JSON.parse(readFileSync(path.join(POLICY_DIR, "config", `${stack}.json`), "utf8")) as PolicyConfigFile;
}

const ENFORCEMENT_LEVELS = ["advisory", "mandatory", "remediate", "disabled"];

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * The subset of JSON Schema the pack's config schemas use, checked the way the CLI
 * checks a config file before the pack sees it. Returns each problem, naming the key.
 */
function schemaProblems(key: string, value: unknown, schema: Record<string, unknown>): string[] {
  const problems: string[] = [];
  const type = schema["type"];
  const typeOk =
    type === "string"
      ? typeof value === "string"
      : type === "boolean"
        ? typeof value === "boolean"
        : type === "integer"
          ? Number.isInteger(value)
          : type === "array"
            ? Array.isArray(value)
            : false;
  if (!typeOk) return [`${key}: expected ${String(type)}, found ${JSON.stringify(value)}`];
  const allowed = schema["enum"];
  if (Array.isArray(allowed) && !allowed.includes(value))
    problems.push(`${key}: ${JSON.stringify(value)} is not one of ${JSON.stringify(allowed)}`);
  const minimum = schema["minimum"];
  if (typeof minimum === "number" && typeof value === "number" && value < minimum) problems.push(`${key}: below ${minimum}`);
  const minLength = schema["minLength"];
  if (typeof minLength === "number" && typeof value === "string" && value.length < minLength)
    problems.push(`${key}: shorter than ${minLength}`);
  if (Array.isArray(value)) {
    const items = schema["items"];
    if (isObject(items)) value.forEach((item, index) => problems.push(...schemaProblems(`${key}[${index}]`, item, items)));
    const minItems = schema["minItems"];
    if (typeof minItems === "number" && value.length < minItems) problems.push(`${key}: fewer than ${minItems} items`);
    if (schema["uniqueItems"] === true && new Set(value).size !== value.length) problems.push(`${key}: items repeat`);
  }
  return problems;
}

/** Every problem of a config file against the pack: unknown policies or keys (the CLI ignores them silently), bad values. */
export function configFileProblems(file: PolicyConfigFile, policies: readonly Policy[]): string[] {
  const problems: string[] = [];
  for (const [name, entry] of Object.entries(file)) {
    const policy = policies.find((candidate) => candidate.name === name);
    if (policy === undefined && name !== "all") {
      problems.push(`${name}: no policy of that name`);
      continue;
    }
    if (typeof entry === "string") {
      if (!ENFORCEMENT_LEVELS.includes(entry)) problems.push(`${name}: ${entry} is not an enforcement level`);
      continue;
    }
    if (!isObject(entry)) {
      problems.push(`${name}: expected an enforcement level or an object`);
      continue;
    }
    for (const [key, value] of Object.entries(entry)) {
      if (key === "enforcementLevel") {
        if (typeof value !== "string" || !ENFORCEMENT_LEVELS.includes(value))
          problems.push(`${name}.enforcementLevel: ${JSON.stringify(value)}`);
        continue;
      }
      const schema = policy?.configSchema?.properties[key];
      if (!isObject(schema)) problems.push(`${name}.${key}: not in the policy's configSchema`);
      else problems.push(...schemaProblems(`${name}.${key}`, value, schema));
    }
  }
  return problems;
}
